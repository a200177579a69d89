"""The permission check in templates: `{% if membership|can:"herd.manage" %}` (a builtin)."""

from django import template

from apps.accounts.permissions import can as can_check

register = template.Library()


@register.filter
def can(membership, perm: str) -> bool:
    return can_check(membership, perm)
