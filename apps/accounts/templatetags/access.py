"""The permission check in templates: `{% if membership|can:"herd.manage" %}` (a builtin), and the main
navigation, which shows what the member may open."""

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.translation import get_language

from apps.accounts.permissions import can as can_check

register = template.Library()


@register.filter
def can(membership, perm: str) -> bool:
    return can_check(membership, perm)


NAV_PERMISSIONS = ("milk.view", "milk.record", "finance.submit_expense", "finance.view", "reports.view", "health.view",
                   "stock.view", "team.view", "audit.view", "tenant.manage")
_navigations: dict[tuple, str] = {}


@register.simple_tag(takes_context=True)
def nav_links(context, variant: str) -> str:
    """The main navigation, "side" or "bottom". What it shows depends only on what the member may open, the
    page's section and the language, so each process writes each combination once and keeps it."""
    membership = context["membership"]
    may = {perm.replace(".", "_"): can_check(membership, perm) for perm in NAV_PERMISSIONS}
    section = context.get("nav_section", "")
    key = (variant, section, get_language(), get_script_prefix(), *may.values())
    html = None if settings.DEBUG else _navigations.get(key)  # while developing, an edited template shows at once
    if html is None:
        html = render_to_string("components/nav_links.html", {"variant": variant, "name": section, "may": may})
        if len(_navigations) >= 1000:  # a bound, never reached by the combinations there are
            _navigations.clear()
        _navigations[key] = html
    return html
