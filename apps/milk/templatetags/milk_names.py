"""Milking words in the reader's language, for every template."""

from django import template

from ..models import Session
from ..rows import rows_html

register = template.Library()


@register.filter
def session_name(value) -> str:
    """A milking session's name in the reader's language (morning, midday, evening)."""
    return Session(value).label if value in Session.values else value


@register.simple_tag(takes_context=True)
def milk_rows(context, rows):
    """The entry page's rows (apps/milk/rows.py)."""
    return rows_html(rows, farm=context["farm"], day=context["day"], session=context["session"], unit=context["unit"],
                     save_url=context["save_url"], quality_url=context["quality_url"], csrf_token=str(context.get("csrf_token") or ""),
                     request=context.get("request"))
