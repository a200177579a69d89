"""Request limits of the API: body size, rate per key, and Idempotency-Key replays.

Runs as middleware for /api/ only, after the tenant and membership are known.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.cache import count_in_window
from apps.core.http import PROBLEM, problem

from .models import IdempotentRequest

MAX_BODY = 5 * 1024 * 1024
REPLAY_FOR = dt.timedelta(hours=24)
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
WAIT_FOR_FIRST = 10.0  # seconds a repeat waits for the first request with its key to finish


def rate_limit() -> int:
    return getattr(settings, "API_RATE_PER_MINUTE", 600)


class ApiGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        return as_problem(self._guarded(request))

    def _guarded(self, request):
        length = request.META.get("CONTENT_LENGTH") or "0"
        if not length.isdigit() or int(length) > MAX_BODY:
            return problem(413, _("The body is too large."), _("Send at most %(size)s MB in one request.") % {"size": MAX_BODY // (1024 * 1024)})
        if where := nul_in(request):
            # PostgreSQL stores no NUL in text; no identifier, name or note has one. Refused here, whole.
            return problem(400, _("The request holds a NUL character."), _("Remove the NUL character (code 0) from %(where)s.") % {
                "where": where}, [{"field": where, "message": "NUL character."}])
        membership = request.membership
        if membership is None:
            return self.get_response(request)
        if (wait := _over_limit(membership.pk)) is not None:
            return problem(429, _("Too many requests."), _("At most %(count)s requests a minute per key.") % {"count": rate_limit()},
                           headers={"Retry-After": str(wait)})
        if (refusal := plan_refusal(membership.tenant_id)) is not None:
            return refusal
        key = request.headers.get("Idempotency-Key", "").strip()
        if request.method not in UNSAFE or not key:
            return self.get_response(request)
        if len(key) > 200:
            return problem(422, _("The Idempotency-Key is too long."), _("Use at most 200 characters (a UUID is plenty)."),
                           [{"field": "Idempotency-Key", "message": "At most 200 characters."}])
        return _idempotent(request, membership, key, self.get_response)


def as_problem(response: HttpResponse) -> HttpResponse:
    """Every error under /api/ as a problem document: the framework's own already are; Django's 404 and 405
    for a path or method the API does not have, and the 500 page, are rewritten (keeping Allow and
    Retry-After)."""
    if response.status_code < 400 or response.get("Content-Type", "").startswith((PROBLEM, "application/json")):
        return response
    titles = {404: _("Not found."), 405: _("Method not allowed."), 500: _("The server failed."),
              503: _("The service is away for a moment.")}
    details = {404: _("The API has no such path. The document at /api/v1/openapi.json lists every one."),
               405: _("This path does not take this method; the Allow header lists those it takes."),
               500: _("The error was logged. Try again; if it repeats, tell us the time and the request id.")}
    title = titles.get(response.status_code) or response.reason_phrase
    rewritten = problem(response.status_code, str(title), str(details.get(response.status_code, title)))
    for header in ("Allow", "Retry-After", "X-Request-ID"):
        if header in response:
            rewritten[header] = response[header]
    return rewritten


# Batches whose items are checked one by one (an item with a NUL is refused, the others saved).
ITEM_BY_ITEM = {"/api/v1/milk/ingest"}


def _nul_path(value, path: str = "") -> str:
    """The dotted path of the first string (or key) in a JSON value that holds a NUL, or ""."""
    if isinstance(value, str):
        return (path or "body") if "\x00" in value else ""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, inner in items:
        here = f"{path}.{key}" if path else str(key)
        if isinstance(key, str) and "\x00" in key:
            return path or "body"
        if found := _nul_path(inner, here):
            return found
    return ""


def nul_in(request) -> str:
    """Where the request carries a NUL character (its path, a query parameter, a JSON or form value), or ""."""
    if "\x00" in request.path:
        return "path"
    for name, values in request.GET.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            return name.replace("\x00", "") or "query"
    if request.method in UNSAFE:
        if request.content_type == "application/json" or request.content_type.endswith("+json"):
            body = request.body
            if request.path in ITEM_BY_ITEM or not (b"\x00" in body or b"\\u0000" in body.lower()):
                return ""
            try:
                return _nul_path(json.loads(body)) or "body"
            except ValueError:
                return "body"
        elif request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            request.body  # noqa: B018 (read and kept first: the Idempotency-Key's fingerprint reads it again)
            for name, values in request.POST.lists():  # files may hold any bytes: only the fields are text
                if "\x00" in name or any("\x00" in value for value in values):
                    return name.replace("\x00", "") or "body"
    return ""


def _over_limit(member_id: int) -> int | None:
    """Seconds to wait when the caller is past their limit this minute, else None (a fixed window per minute)."""
    now = time.time()
    if count_in_window(f"api-rate:{member_id}", 60) > rate_limit():
        return max(1, int(60 - now % 60))
    return None


def plan_refusal(tenant_id: int) -> HttpResponse | None:
    """The organisation's plan must include the API, and this call must fit in the month's allowance."""
    from apps.billing import limits

    plan = limits.plan_cached(tenant_id)
    if plan is None:
        return None
    if not plan.feature_api:
        return problem(403, _("The API is not part of your plan."), _("The %(plan)s plan has no API access; an owner can choose a bigger plan on the billing page.") % {
            "plan": plan.name})
    used = limits.api_call_counted(tenant_id)
    if plan.max_api_calls is not None and used > plan.max_api_calls:
        return problem(429, _("The month's API calls are used up."), _("Your plan holds %(limit)s API calls a month; this was call %(used)s. They start again on the 1st.") % {
            "limit": plan.max_api_calls, "used": used})
    return None


def _request_hash(request) -> str:
    """The request's fingerprint for Idempotency-Key: what it says, not its bytes, so a retry that re-orders
    JSON keys or sends a form with a new multipart boundary is the same request."""
    digest = hashlib.sha256()
    for part in (request.method, request.path, request.content_type or ""):
        digest.update(part.encode() + b"\0")
    digest.update(json.dumps(sorted(request.GET.lists())).encode() + b"\0")
    digest.update(_parsed_body(request))
    return digest.hexdigest()


def _parsed_body(request) -> bytes:
    content_type = request.content_type or ""
    if content_type == "application/json" or content_type.endswith("+json"):
        try:
            return json.dumps(json.loads(request.body), sort_keys=True, separators=(",", ":")).encode()
        except ValueError:
            return request.body
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        fields = sorted(request.POST.lists())
        files = []
        for name, uploads in request.FILES.lists():
            for upload in uploads:
                files.append((name, upload.name, hashlib.sha256(upload.read()).hexdigest()))
                upload.seek(0)  # the view reads it again
        return json.dumps([fields, sorted(files)]).encode()
    return request.body


def _replay(stored: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(bytes(stored.body), status=stored.status, content_type=stored.content_type or "application/json")
    response["Idempotent-Replayed"] = "true"
    return response


def _idempotent(request, membership, key: str, get_response):
    fingerprint = _request_hash(request)
    tenant_id = membership.tenant_id
    IdempotentRequest.objects.filter(tenant_id=tenant_id, membership=membership, key=key,
                                     created_at__lt=timezone.now() - REPLAY_FOR).delete()
    try:
        with transaction.atomic():
            claim = IdempotentRequest.objects.create(tenant_id=tenant_id, membership=membership, key=key, request_hash=fingerprint)
    except IntegrityError:
        deadline = time.monotonic() + WAIT_FOR_FIRST
        while True:
            stored = IdempotentRequest.objects.filter(tenant_id=tenant_id, membership=membership, key=key).first()
            if stored is None:  # the first one failed and gave the key back: try it as new
                return _idempotent(request, membership, key, get_response)
            if stored.request_hash != fingerprint:
                return problem(422, _("This Idempotency-Key was used for another request."),
                               _("Use a new key for a different request."), [{"field": "Idempotency-Key", "message": "Already used."}])
            if stored.status is not None:
                return _replay(stored)
            if time.monotonic() > deadline:
                return problem(409, _("The first request with this Idempotency-Key is still running."), _("Try again shortly."),
                               headers={"Retry-After": "2"})
            time.sleep(0.05)
    response = get_response(request)
    if response.status_code >= 500 or getattr(response, "streaming", False):
        IdempotentRequest.objects.filter(pk=claim.pk).delete()  # nothing stored: the client may try again
        return response
    IdempotentRequest.objects.filter(pk=claim.pk).update(status=response.status_code, body=response.content,
                                                         content_type=response.get("Content-Type", ""))
    return response
