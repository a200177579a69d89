"""An organisation whose trial ended, whose subscription ended or whose invoice went unpaid is read-only:
every page and export keeps working, changes are refused with the reason and a way out (the billing page).
The reason is a column of the organisation, loaded with it: no query of its own."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _

SAFE = ("GET", "HEAD", "OPTIONS", "TRACE")
# What a read-only organisation may still change: paying, its people's own settings, signing in and out,
# notifications, and reports (exports) that are prepared on request.
STILL_OPEN = ("/billing/", "/accounts/", "/notifications/", "/profile/", "/switch/", "/devices/", "/sessions/", "/i18n/",
              "/money/reports/", "/admin/", "/welcome/")


class ReadOnlyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        if (tenant is None or not tenant.read_only_reason or request.method in SAFE
                or request.path.startswith(STILL_OPEN)):
            return self.get_response(request)
        from .services import hold_text

        return refused(request, hold_text(tenant.read_only_reason))


def refused(request, reason: str):
    if request.path.startswith("/api/"):
        from apps.core.http import problem

        return problem(402, _("The organisation is read-only."), reason)
    can_pay = request.membership is not None and request.membership.role.key == "owner"
    template = "billing/read_only.html#message" if getattr(request, "htmx", False) else "billing/read_only.html"
    return render(request, template, {"reason": reason, "can_pay": can_pay}, status=402)
