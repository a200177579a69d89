import time

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache


def landing(request):
    if request.user.is_authenticated:
        return redirect("home")
    return render(request, "core/landing.html")


@never_cache
def healthz(request):
    """Database, cache and queue status as JSON; 503 when the database is unreachable."""
    checks = {}
    started = time.perf_counter()
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
    healthy = checks["database"] == "ok"
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)
