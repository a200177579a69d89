"""Read replicas: reads of GET requests go to a streaming replica, everything else to the primary.

With DATABASE_REPLICA_URLS set, the router sends a read to a replica when the request is a GET or HEAD,
is not inside a transaction, and its browser did not write in the last REPLICA_PIN_SECONDS (a cookie
pins it to the primary, so people see their own changes at once). A replica that cannot be reached, or
lags more than REPLICA_MAX_LAG_SECONDS, is left alone for a few seconds: reads fall back to the primary.
Writes always go to the primary, and replica connections are opened read-only, so nothing is ever
written to a replica. Jobs read from the primary unless a block asks for the replica (`replica_reads()`,
used by the reports).

Read-only failover: when the primary does not answer (checked at most every few seconds, with a one-second
connect timeout) and a replica does, the site keeps serving reads from the replica: every read goes
there, requests that would change something get a clear 503 ("changes are paused"), pages carry a banner,
and `/healthz` says degraded. It returns to normal by itself once the primary answers again.
"""

from __future__ import annotations

import contextvars
import logging
import time
from contextlib import contextmanager

from django.conf import settings
from django.db import connections

log = logging.getLogger(__name__)

PIN_COOKIE = "ifarm_pin"
HEALTH_SECONDS = 5.0
SAFE = ("GET", "HEAD", "OPTIONS")

_reads_ok: contextvars.ContextVar[bool] = contextvars.ContextVar("replica_reads_ok", default=False)
_used: contextvars.ContextVar[set | None] = contextvars.ContextVar("replica_used", default=None)
_health: dict[str, tuple[float, bool]] = {}
_primary: list[float | bool] = [0.0, True]  # when last checked, whether it answered
_degraded: contextvars.ContextVar[bool] = contextvars.ContextVar("replica_degraded", default=False)
PAUSED = ("Changes are paused for a few minutes while the database is being repaired. What you see is up to "
          "date until the moment it stopped; try again shortly.")


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


def _healthy(alias: str) -> bool:
    """Reachable and caught up (or behind by less than the allowed lag), checked every few seconds."""
    checked = _health.get(alias)
    now = time.monotonic()
    if checked is not None and now - checked[0] < HEALTH_SECONDS:
        return checked[1]
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(
                "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
                "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END")
            lag = float(cursor.fetchone()[0] or 0)
        healthy = lag <= settings.REPLICA_MAX_LAG_SECONDS
        if not healthy:
            log.warning("replica %s lags %.1f s; reading from the primary", alias, lag)
    except Exception as error:  # noqa: BLE001  (any failure: read from the primary meanwhile)
        log.warning("replica %s unreachable (%s); reading from the primary", alias, error.__class__.__name__)
        connections[alias].close()
        healthy = False
    _health[alias] = (now, healthy)
    return healthy


def primary_answers() -> bool:
    """Whether the primary accepts a connection (checked at most every few seconds, one second at most)."""
    now = time.monotonic()
    if now - _primary[0] < HEALTH_SECONDS:
        return bool(_primary[1])
    import psycopg

    params = connections["default"].get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("pool", None)
    try:
        psycopg.connect(**{**params, "connect_timeout": 1}).close()
        up = True
    except psycopg.Error:
        up = False
    if not up and _primary[1]:
        log.error("the primary database does not answer: reads from the replica, changes paused")
    elif up and not _primary[1]:
        log.warning("the primary database answers again: changes resume")
    _primary[0], _primary[1] = now, up
    return up


def degraded() -> bool:
    """Whether this request is served read-only from a replica because the primary is down."""
    return _degraded.get()


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _degraded.get():
            for alias in replica_aliases():
                if _healthy(alias):
                    _note(alias)
                    return alias
            return None
        if not _reads_ok.get() or connections["default"].in_atomic_block:
            return None
        for alias in replica_aliases():
            if _healthy(alias):
                _note(alias)
                return alias
        return None

    def db_for_write(self, model, **hints):
        _note("default")
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return not db.startswith("replica")


def _note(alias: str) -> None:
    used = _used.get()
    if used is not None:
        used.add(alias)


@contextmanager
def replica_reads():
    """Within the block, reads may go to a replica (a report that reads a lot and writes nothing)."""
    token = _reads_ok.set(bool(replica_aliases()))
    try:
        yield
    finally:
        _reads_ok.reset(token)


class ReplicaMiddleware:
    """Decide per request whether its reads may go to a replica; pin a browser that wrote to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_aliases():
            return self.get_response(request)
        down = not primary_answers() and any(_healthy(alias) for alias in replica_aliases())
        if down and request.method not in SAFE:
            return _paused(request)
        pinned = float(request.COOKIES.get(PIN_COOKIE) or 0) > time.time()
        reads = _reads_ok.set(request.method in SAFE and not pinned)
        failing_over = _degraded.set(down)
        used = _used.set(set())
        try:
            response = self.get_response(request)
            aliases = _used.get()
        finally:
            _reads_ok.reset(reads)
            _degraded.reset(failing_over)
            _used.reset(used)
        if "default" in aliases and request.method not in SAFE:
            until = time.time() + settings.REPLICA_PIN_SECONDS
            response.set_cookie(PIN_COOKIE, f"{until:.0f}", max_age=settings.REPLICA_PIN_SECONDS, httponly=True,
                                samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
        read_from = sorted(a for a in aliases if a != "default")
        response["X-Read-From"] = ",".join(read_from) or "primary"
        return response


def _paused(request):
    """A change refused while the primary is down, in the shape the caller reads."""
    from django.http import HttpResponse, JsonResponse

    if request.path.startswith("/api/"):
        response = JsonResponse({"type": "about:blank", "title": "Changes are paused", "status": 503, "detail": PAUSED},
                                status=503, content_type="application/problem+json")
    else:
        response = HttpResponse(f"<p>{PAUSED}</p>", status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = "30"
    response["X-Read-From"] = "replica"
    return response
