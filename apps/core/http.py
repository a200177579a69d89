from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def redirect_back(request, default: str, *, param: str = "next"):
    """Redirect to the page the form came from, if it is on this site; else to `default`."""
    target = request.POST.get(param) or request.GET.get(param)
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)
