import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache


def landing(request):
    if request.user.is_authenticated:
        return redirect("home")
    return render(request, "core/landing.html")


@never_cache
def healthz(request):
    """Up, degraded or down as JSON (503 when the database is unreachable); the checks behind it
    only for platform staff or a monitor that sends the configured token."""
    from .replicas import degraded

    checks = {}
    started = time.perf_counter()
    if degraded():
        checks["database"] = "degraded: the primary does not answer; reading from a replica, changes paused"
    else:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            checks["database"] = "ok"
        except Exception as error:  # noqa: BLE001  (any failure means the database is down)
            checks["database"] = f"error: {error.__class__.__name__}"
    try:
        cache.set("healthz", "1", 5)
        working = cache.get("healthz") == "1"
        checks["cache"] = "degraded: local memory while Redis is unreachable" if getattr(cache, "degraded", False) else (
            "ok" if working else "degraded"
        )
    except Exception as error:  # noqa: BLE001
        checks["cache"] = f"error: {error.__class__.__name__}"
    try:
        from huey.contrib.djhuey import HUEY

        checks["queue"] = "ok"
        checks["queue_length"] = HUEY.pending_count()
    except Exception as error:  # noqa: BLE001
        checks["queue"] = f"error: {error.__class__.__name__}"
    checks["elapsed_ms"] = round((time.perf_counter() - started) * 1000, 1)
    if checks["database"].startswith("degraded"):
        status = "degraded"
    elif checks["database"] != "ok":
        status = "down"
    elif all(checks[name] == "ok" for name in ("cache", "queue")):
        status = "up"
    else:
        status = "degraded"
    body = {"status": status}
    if _may_see_details(request):
        body["checks"] = checks
    return JsonResponse(body, status=503 if status == "down" else 200)


def _may_see_details(request) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        return True
    token = settings.HEALTHZ_TOKEN
    offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return bool(token) and constant_time_compare(offered, token)


def robots(request):
    """Pages behind the login answer a crawler with the login page, so they need no rule of their own
    (a blanket "Disallow: /" would mark every signed-in page as not crawlable for no gain); the login and
    sign-up pages are what people search for, and the account pages behind them are as unreachable as the
    rest. The admin and the health check are kept out."""
    return HttpResponse("User-agent: *\nDisallow: /admin/\nDisallow: /healthz\n", content_type="text/plain")


def manifest(request):
    """The web app manifest: a phone can put iFarm on its home screen and open it full screen, like an app."""
    from django.templatetags.static import static
    from django.utils.translation import gettext as _

    icons = [{"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
             {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
             {"src": static("img/icon-512-maskable.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
             {"src": static("img/icon.svg"), "sizes": "any", "type": "image/svg+xml"}]
    document = {"name": "iFarm", "short_name": "iFarm", "id": "/home/", "start_url": "/home/", "scope": "/",
                "display": "standalone", "background_color": "#ffffff", "theme_color": "#198754",
                "description": _("Farm records on a phone: the herd, the milk and the books."), "icons": icons,
                "lang": request.LANGUAGE_CODE}
    response = JsonResponse(document, content_type="application/manifest+json")
    response["Cache-Control"] = "public, max-age=3600"
    return response

