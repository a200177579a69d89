"""The door every page goes through: `member_required`, answered by the permission engine.

The engine (roles, policies, delegations) lives in the accounts app, which registers it here when it starts;
core knows no app above it, so apps below accounts (audit, notify) guard their pages with this door too.
"""

from __future__ import annotations

from collections.abc import Callable, Container
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, resolve_url

_engine: dict = {}


def engine_register(*, decision: Callable, catalogue: Container[str]) -> None:
    """Called once by the accounts app: `decision(membership, perm)` answers with a truthy value or one with
    a `reason`; `catalogue` holds every permission a page may name."""
    _engine.update(decision=decision, catalogue=catalogue)


def member_required(perm: str | None = None):
    """Require a signed-in member of an organisation, holding `perm` when given."""
    if perm is not None and perm not in _engine["catalogue"]:
        raise KeyError(perm)

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return _to_login(request)
            if request.membership is None:
                return redirect("accounts:onboarding")
            if perm is not None and not (allowed := _engine["decision"](request.membership, perm)):
                raise PermissionDenied(allowed.reason)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _to_login(request):
    """Send a signed-out person to the login page; an htmx fragment request sends the whole page
    there (HX-Redirect), instead of swapping the login page into a card or a row."""
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        target = request.htmx.current_url_abs_path or request.get_full_path()
        response["HX-Redirect"] = f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': target})}"
        return response
    return redirect_to_login(request.get_full_path())
