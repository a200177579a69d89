from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from .permissions import CATALOGUE, can


def member_required(perm: str | None = None):
    """Require a logged-in member of an organisation, holding `perm` when given."""
    if perm is not None and perm not in CATALOGUE:
        raise KeyError(perm)

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.membership is None:
                return redirect("accounts:onboarding")
            if perm is not None and not can(request.membership, perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
