"""Template helpers loaded in every template."""

from django import template

from apps.accounts.permissions import can as can_check

register = template.Library()


@register.filter
def can(membership, perm: str) -> bool:
    """{% if membership|can:"herd.manage" %}"""
    return can_check(membership, perm)


@register.filter
def field_label(field) -> str:
    return field.label or field.name
