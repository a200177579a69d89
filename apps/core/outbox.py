"""The transactional outbox: enqueue in the change's transaction, deliver at least once."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_scopes import scopes_disabled

from .models import OutboxMessage
from .rls import working_for

log = logging.getLogger(__name__)

HANDLERS: dict[str, Callable[[OutboxMessage], None]] = {}
# The function that puts a message id on the work queue; the tasks package names it (queue_with).
_queue: Callable[[int], object] | None = None
LEASE = dt.timedelta(minutes=5)
STALE_AFTER = dt.timedelta(seconds=60)
MAX_ATTEMPTS = 8


def handler(kind: str):
    """Register the function that does the work of one kind of message."""

    def register(function):
        HANDLERS[kind] = function
        return function

    return register


def queue_with(function):
    """Name the function that queues a message's delivery (a Huey task); returns it unchanged."""
    global _queue
    _queue = function
    return function


def outbox_enqueue(*, tenant_id: int, kind: str, payload: dict) -> OutboxMessage:
    """Write the message in the caller's transaction; queue its delivery once that commits."""
    message = OutboxMessage.objects.create(tenant_id=tenant_id, kind=kind, payload=payload)
    transaction.on_commit(lambda: schedule(message.pk))
    return message


def schedule(message_id: int) -> None:
    """Hand the message to the queue; if the queue is unreachable, leave it to the sweeper.

    The change is already committed and the row is the promise: a queue outage (Redis down) must
    not turn a saved change into an error page, or the user retries and does it twice.
    """
    if _queue is None:
        log.warning("outbox message %s not queued: no queue is registered; the sweeper will deliver it", message_id)
        return
    try:
        _queue(message_id)
    except Exception:  # noqa: BLE001  (any queue failure: the sweeper delivers the row later)
        log.warning("outbox message %s not queued; the sweeper will deliver it", message_id, exc_info=True)


def _claim(message_id: int) -> bool:
    """Take the message for one worker with one conditional UPDATE; False if someone else has it."""
    now = timezone.now()
    with scopes_disabled():
        claimed = (
            OutboxMessage.objects.filter(pk=message_id, status=OutboxMessage.Status.PENDING)
            .filter(Q(locked_until=None) | Q(locked_until__lt=now))
            .update(locked_until=now + LEASE, attempts=F("attempts") + 1)
        )
    return claimed == 1


def outbox_deliver(*, message_id: int) -> bool:
    """Run a message's handler if this worker can claim it; return whether it is done."""
    if not _claim(message_id):
        return False
    with scopes_disabled():
        message = OutboxMessage.objects.get(pk=message_id)
    try:
        with working_for(message.tenant_id):
            HANDLERS[message.kind](message)
    except Exception as error:  # noqa: BLE001  (any failure is recorded and retried by the sweeper)
        log.exception("outbox message %s (%s) failed", message.pk, message.kind)
        status = OutboxMessage.Status.FAILED if message.attempts >= MAX_ATTEMPTS else OutboxMessage.Status.PENDING
        with scopes_disabled():
            OutboxMessage.objects.filter(pk=message.pk).update(
                status=status, locked_until=None, last_error=f"{error.__class__.__name__}: {error}"[:2000]
            )
        return False
    with scopes_disabled():
        OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxMessage.Status.DONE, done_at=timezone.now(), locked_until=None)
    return True


def outbox_stale_ids(limit: int = 200) -> list[int]:
    """Pending messages nobody is working on that should have been done by now."""
    now = timezone.now()
    with scopes_disabled():
        return list(
            OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, created_at__lt=now - STALE_AFTER)
            .filter(Q(locked_until=None) | Q(locked_until__lt=now))
            .order_by("created_at")
            .values_list("pk", flat=True)[:limit]
        )
