"""Parts of a page drawn once and kept in the cache for many requests.

A kept part must not carry one request's secrets: its forms are drawn with a mark where the CSRF token goes,
and each request puts its own token in place of the mark when it serves the part.
"""

from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

CSRF_MARK = "csrf-token-of-the-request"


def render(request, template_name: str, context: dict) -> str:
    """The template drawn for keeping: the request's CSRF token left as a mark."""
    return render_to_string(template_name, {**context, "csrf_token": CSRF_MARK}, request)


def with_csrf(html: str, token) -> str:
    """A kept part with `token` in place of the mark: in a template, the context's token (the mark itself while
    a part is drawn for keeping, the request's own otherwise)."""
    return mark_safe(str(html).replace(CSRF_MARK, str(token)))  # noqa: S308  (drawn by our templates)


def fill(request, html: str) -> str:
    """A kept part with this request's CSRF token in place."""
    if CSRF_MARK in html:
        html = html.replace(CSRF_MARK, get_token(request))
    return mark_safe(html)  # noqa: S308  (drawn by our templates, escaped as they were drawn)
