import json

from django.http import HttpResponse
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


PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str = "", errors: list[dict] | None = None, headers: dict | None = None) -> HttpResponse:
    """An RFC 9457 problem document."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, "errors": errors or []}
    response = HttpResponse(json.dumps(body), status=status, content_type=PROBLEM)
    for name, value in (headers or {}).items():
        response[name] = value
    return response
