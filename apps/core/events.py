"""Domain events: written to the outbox in the transaction of the change they describe.

The API app turns each into signed webhook deliveries (apps/api/webhooks.py); the outbox is the seam
where a log-based broker could be attached later. An organisation without webhooks skips the write:
the API app keeps a flag in the cache, and an unknown flag (say, after a cache flush) writes the event.
"""

from __future__ import annotations

import json
import uuid

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import timezone

from .models import EventSequence
from .outbox import outbox_enqueue

EVENT_KIND = "event"


def webhooks_flag(tenant_id: int) -> str:
    return f"webhooks-on:{tenant_id}"


def event_emit(*, tenant_id: int, event: str, data: dict, resource: str | None = None) -> None:
    """Record that `event` happened, with its data (ids and plain values), for delivery after commit.

    An event about a `resource` ("animal:12", "milk-session:3:2026-12-01:morning") carries the resource
    and its next sequence number in its data, taken in the change's transaction: a resource's events are
    numbered in the order their changes committed."""
    if cache.get(webhooks_flag(tenant_id)) is False:
        return
    data = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    if resource is not None:
        data["resource"], data["sequence"] = resource, next_sequence(tenant_id, resource)
    payload = {"id": f"msg_{uuid.uuid4().hex}", "type": event, "timestamp": timezone.now().isoformat(), "data": data}
    outbox_enqueue(tenant_id=tenant_id, kind=EVENT_KIND, payload=payload)


def next_sequence(tenant_id: int, resource: str) -> int:
    """One more than the resource's last number (1 for its first event), in one statement that waits for
    any other transaction numbering the same resource."""
    table = EventSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (tenant_id, resource, last) VALUES (%s, %s, 1) "
                       f"ON CONFLICT (tenant_id, resource) DO UPDATE SET last = {table}.last + 1 RETURNING last",
                       [tenant_id, resource])
        return cursor.fetchone()[0]
