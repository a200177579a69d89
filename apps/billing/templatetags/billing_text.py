"""Billing words for every template."""

from django import template

register = template.Library()


@register.filter
def read_only_text(code) -> str:
    """Why the organisation is read-only, in the reader's language (a code kept on the organisation)."""
    from ..services import hold_text

    return hold_text(code)
