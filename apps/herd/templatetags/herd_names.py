"""The herd's names in the reader's language, for every template."""

from django import template

from ..models import Species

register = template.Library()


@register.filter
def species_name(value) -> str:
    """A species in the reader's language (cattle, goat...)."""
    return Species(value).label if value in Species.values else value
