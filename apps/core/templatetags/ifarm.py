"""Template helpers loaded in every template."""

from django import template

from apps.accounts.permissions import can as can_check

register = template.Library()


@register.filter
def can(membership, perm: str) -> bool:
    """{% if membership|can:"herd.manage" %}"""
    return can_check(membership, perm)


@register.filter
def age(born) -> str:
    """An animal's age from its birth date: 12 d, 7 mo, 3 y 2 mo."""
    from django.utils import timezone

    from apps.herd.tables import age_label

    return age_label(born, timezone.localdate())


@register.filter
def field_label(field) -> str:
    return field.label or field.name
