from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def redirect_back(request, default: str, *, param: str = "next"):
    """Redirect to the page the form came from, if it is on this site; else to `default`."""
    target = request.POST.get(param) or request.GET.get(param)
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


def parse_id(value) -> int | None:
    """An object id: a positive whole number, or None for anything else (`abc`, `1.5`, `-3`, a
    number past a big integer), which callers treat as "not given"."""
    value = str(value or "").strip()
    if value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value) or None
    return None


def id_param(params, name: str) -> int | None:
    """An object id from a query string or a form (see parse_id)."""
    return parse_id(params.get(name))
