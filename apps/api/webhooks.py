"""Webhooks: endpoints an owner registers, and the signed deliveries of domain events to them.

An event (an outbox row written with the change) fans out into one delivery row per subscribed
endpoint; each delivery is sent signed by the Standard Webhooks scheme and retried with exponential
back-off for three days. An endpoint failing for a day is disabled and its owners are told.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import time

import requests
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django_scopes import scopes_disabled
from standardwebhooks import Webhook

from apps.accounts.models import Membership
from apps.accounts.permissions import can
from apps.audit.services import Actor, audit_append
from apps.core import outbound
from apps.core.events import EVENT_KIND, webhooks_flag
from apps.core.outbox import handler, outbox_enqueue
from apps.core.rls import working_for
from apps.core.words import later, listing
from apps.notify.services import notification_create

from .models import WebhookDelivery, WebhookEndpoint

EVENTS = {  # (descriptions read in the reader's language)
    "animal.created": gettext_lazy("An animal joined the register"),
    "animal.updated": gettext_lazy("An animal's record changed"),
    "animal.disposed": gettext_lazy("An animal left the herd (sold, died, culled)"),
    "milk.session_completed": gettext_lazy("A farm's milking session was recorded (its totals, once)"),
    "milk.session_corrected": gettext_lazy("A milking session already announced changed (its new totals)"),
    "milk.alert_raised": gettext_lazy("A milk quality alert was raised"),
    "expense.submitted": gettext_lazy("An expense was submitted"),
    "expense.decided": gettext_lazy("An expense was approved or rejected"),
    "invoice.issued": gettext_lazy("An invoice was issued"),
    "payment.recorded": gettext_lazy("A payment was recorded"),
    "treatment.recorded": gettext_lazy("A treatment or vaccination was recorded"),
    "withdrawal.ended": gettext_lazy("A milk withdrawal ended"),
    "birth.recorded": gettext_lazy("A birth was recorded"),
    "delivery.recorded": gettext_lazy("Milk was delivered to a buyer"),
    "statement.entered": gettext_lazy("A buyer's monthly statement was entered and checked against the deliveries"),
    "webhook.test": gettext_lazy("A test event sent from the Integrations page"),
}
# Seconds after the first try: 30 s, 2 min, 10 min, 30 min, 1 h, 3 h, 6 h, then every 12 h up to three days.
BACKOFF = [30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600] + [12 * 3600] * 6
GIVE_UP_AFTER = dt.timedelta(days=3)
DISABLE_AFTER = dt.timedelta(days=1)
LEASE = dt.timedelta(minutes=2)
SEND_KIND = "webhook.send"


def url_problem(url: str) -> str | None:
    """Why the URL cannot receive webhooks: not HTTPS (http only in DEBUG), or not an address on the internet."""
    return outbound.url_problem(url, schemes=("https", "http") if settings.DEBUG else ("https",))


def _refresh_flag(tenant_id: int) -> None:
    on = WebhookEndpoint.objects.filter(tenant_id=tenant_id, is_active=True).exists()
    transaction.on_commit(lambda: cache.set(webhooks_flag(tenant_id), on, timeout=3600))


@transaction.atomic
def endpoint_create(*, membership, url: str, events: list[str], description: str = "") -> tuple[WebhookEndpoint, str]:
    if not can(membership, "tenant.manage"):
        raise PermissionDenied
    from apps.core.limits import ensure_feature

    ensure_feature(membership.tenant_id, "webhooks")
    errors = {}
    url = (url or "").strip()
    if problem := url_problem(url):
        errors["url"] = problem
    events = sorted(set(events or []))
    if not events:
        errors["events"] = _("Pick the events to send.")
    elif unknown := [e for e in events if e not in EVENTS]:
        errors["events"] = _("Unknown events: %(names)s.") % {"names": listing(unknown)}
    if errors:
        raise ValidationError(errors)
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    endpoint = WebhookEndpoint.objects.create(tenant_id=membership.tenant_id, url=url, events=events, secret=secret,
                                              description=description.strip()[:120], created_by=membership)
    audit_append(actor=Actor.of(membership), action="api.webhook_create", obj=endpoint, permission="tenant.manage",
                 after={"url": url, "events": events})
    _refresh_flag(membership.tenant_id)
    return endpoint, secret


@transaction.atomic
def endpoint_set_active(*, membership, endpoint: WebhookEndpoint, active: bool) -> WebhookEndpoint:
    if not can(membership, "tenant.manage") or endpoint.tenant_id != membership.tenant_id:
        raise PermissionDenied
    endpoint.is_active, endpoint.failing_since, endpoint.disabled_reason = active, None, "" if active else gettext_noop("Turned off by hand.")
    endpoint.save(update_fields=["is_active", "failing_since", "disabled_reason"])
    audit_append(actor=Actor.of(membership), action="api.webhook_" + ("enable" if active else "disable"), obj=endpoint,
                 permission="tenant.manage")
    _refresh_flag(membership.tenant_id)
    return endpoint


def _fan_out(tenant_id: int, payload: dict) -> list[WebhookDelivery]:
    active = list(WebhookEndpoint.objects.filter(tenant_id=tenant_id, is_active=True))
    if not active:
        cache.set(webhooks_flag(tenant_id), False, timeout=3600)  # skip the outbox write for a while
    endpoints = [e for e in active if payload["type"] in e.events]
    made = []
    now = timezone.now()
    for endpoint in endpoints:
        delivery, _created = WebhookDelivery.objects.get_or_create(
            tenant_id=tenant_id, endpoint=endpoint, message_id=payload["id"],
            defaults={"event": payload["type"], "payload": payload, "next_attempt_at": now})
        made.append(delivery)
    return made


@handler(EVENT_KIND)
def _deliver_event(message) -> None:
    """An event from the outbox: one delivery per subscribed endpoint, each tried at once."""
    for delivery in _fan_out(message.tenant_id, message.payload):
        if delivery.status == WebhookDelivery.Status.PENDING and delivery.attempts == 0:
            delivery_attempt(delivery_id=delivery.pk)


def _claim(delivery_id: int) -> WebhookDelivery | None:
    now = timezone.now()
    with scopes_disabled():
        claimed = (WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
                   .filter(Q(locked_until=None) | Q(locked_until__lt=now))
                   .update(locked_until=now + LEASE))
        return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id) if claimed else None


def sign(endpoint: WebhookEndpoint, message_id: str, body: str, at: dt.datetime) -> dict[str, str]:
    signature = Webhook(endpoint.secret).sign(msg_id=message_id, timestamp=at, data=body)
    return {"webhook-id": message_id, "webhook-timestamp": str(int(at.timestamp())), "webhook-signature": signature}


def _post(url: str, body: str, headers: dict) -> tuple[int | None, str]:
    """POST through the guarded client: the status and the start of the answer, or None and why it failed
    (never anything read from an address the server may not reach)."""
    try:
        with outbound.session() as session:
            response = session.post(url, data=body.encode(), headers={**headers, "Content-Type": "application/json",
                                                                       "User-Agent": "iFarm-Webhooks/1"})
    except outbound.Refused as error:
        return None, str(error)
    except requests.RequestException as error:
        return None, error.__class__.__name__
    if 300 <= response.status_code < 400:
        return response.status_code, "Redirects are not followed; give the final address."
    return response.status_code, response.content[:300].decode(errors="replace")


def delivery_attempt(*, delivery_id: int) -> bool:
    """Send one delivery if no other worker has it; record the answer and when to try again. True when delivered."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return False
    endpoint = delivery.endpoint
    now = timezone.now()
    body = json.dumps(delivery.payload, separators=(",", ":"))
    problem = url_problem(endpoint.url)  # again: the name may point elsewhere now
    started = time.monotonic()
    if problem or not endpoint.is_active:
        status, excerpt = None, problem or "The endpoint is turned off."
    else:
        status, excerpt = _post(endpoint.url, body, sign(endpoint, delivery.message_id, body, now))
    elapsed = int((time.monotonic() - started) * 1000)
    delivered = status is not None and 200 <= status < 300
    with working_for(delivery.tenant_id), transaction.atomic():
        delivery.attempts += 1
        delivery.response_status, delivery.response_ms, delivery.response_excerpt = status, elapsed, excerpt[:300]
        delivery.locked_until = None
        if delivered:
            delivery.status, delivery.delivered_at = WebhookDelivery.Status.DELIVERED, now
            WebhookEndpoint.objects.filter(pk=endpoint.pk).exclude(failing_since=None).update(failing_since=None)
        else:
            wait = BACKOFF[min(delivery.attempts - 1, len(BACKOFF) - 1)]
            delivery.next_attempt_at = now + dt.timedelta(seconds=wait)
            if now - delivery.created_at >= GIVE_UP_AFTER or delivery.attempts > len(BACKOFF):
                delivery.status = WebhookDelivery.Status.FAILED
            _note_failure(endpoint, now)
        delivery.save(update_fields=["attempts", "response_status", "response_ms", "response_excerpt", "locked_until", "status",
                                     "delivered_at", "next_attempt_at"])
    return delivered


def _note_failure(endpoint: WebhookEndpoint, now: dt.datetime) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since=None).update(failing_since=now)
    endpoint.refresh_from_db(fields=["failing_since", "is_active"])
    if endpoint.is_active and endpoint.failing_since and now - endpoint.failing_since >= DISABLE_AFTER:
        endpoint.is_active, endpoint.disabled_reason = False, gettext_noop("Every delivery failed for a day.")
        endpoint.save(update_fields=["is_active", "disabled_reason"])
        cache.delete(webhooks_flag(endpoint.tenant_id))
        owners = Membership.objects.filter(tenant_id=endpoint.tenant_id, is_active=True, is_service=False, role__key="owner")
        for owner in owners:
            notification_create(tenant_id=endpoint.tenant_id, user_id=owner.user_id, title=later(gettext_lazy("Webhook turned off: %(url)s"), url=endpoint.url[:100]),
                                body=gettext_lazy("Every delivery to it failed for a day. Fix the receiver, then turn it on again."),
                                url=reverse("api:integrations"), kind="webhook_disabled")


def due_delivery_ids(limit: int = 500) -> list[int]:
    """Deliveries whose next try is due (a retry, or one a killed worker left)."""
    now = timezone.now()
    with scopes_disabled():
        return list(WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
                    .filter(Q(locked_until=None) | Q(locked_until__lt=now)).order_by("next_attempt_at")
                    .values_list("pk", flat=True)[:limit])


@transaction.atomic
def delivery_resend(*, membership, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send the same event again (same webhook-id, so a careful receiver does not act twice)."""
    if not can(membership, "tenant.manage") or delivery.tenant_id != membership.tenant_id:
        raise PermissionDenied
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=WebhookDelivery.Status.PENDING, next_attempt_at=timezone.now(),
                                                           locked_until=None)
    outbox_enqueue(tenant_id=delivery.tenant_id, kind=SEND_KIND, payload={"delivery_id": delivery.pk})
    return delivery


@transaction.atomic
def send_test(*, membership, endpoint: WebhookEndpoint) -> WebhookDelivery:
    if not can(membership, "tenant.manage") or endpoint.tenant_id != membership.tenant_id:
        raise PermissionDenied
    message_id = f"msg_{secrets.token_hex(16)}"
    payload = {"id": message_id, "type": "webhook.test", "timestamp": timezone.now().isoformat(),
               "data": {"message": "A test from iFarm. If you can read this, the endpoint works."}}
    delivery = WebhookDelivery.objects.create(tenant_id=membership.tenant_id, endpoint=endpoint, message_id=message_id,
                                              event="webhook.test", payload=payload, next_attempt_at=timezone.now())
    outbox_enqueue(tenant_id=delivery.tenant_id, kind=SEND_KIND, payload={"delivery_id": delivery.pk})
    return delivery


@handler(SEND_KIND)
def _send_now(message) -> None:
    """A delivery asked for by hand (send again, test event): sent through the outbox's queue, so a queue
    outage or a dead worker only delays it. A failed send is recorded on the delivery and retried by its schedule."""
    delivery_attempt(delivery_id=message.payload["delivery_id"])
