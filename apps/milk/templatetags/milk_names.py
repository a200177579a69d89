"""Milking words in the reader's language, for every template."""

from django import template

from ..models import Session

register = template.Library()


@register.filter
def session_name(value) -> str:
    """A milking session's name in the reader's language (morning, midday, evening)."""
    return Session(value).label if value in Session.values else value
