"""Domain events: written to the outbox in the transaction of the change they describe.

The API app turns each into signed webhook deliveries (apps/api/webhooks.py); the outbox is the seam
where a log-based broker could be attached later. An organisation without webhooks skips the write:
the API app keeps a flag in the cache, and an unknown flag (say, after a cache flush) writes the event.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from .outbox import outbox_enqueue

EVENT_KIND = "event"


def webhooks_flag(tenant_id: int) -> str:
    return f"webhooks-on:{tenant_id}"


def event_emit(*, tenant_id: int, event: str, data: dict) -> None:
    """Record that `event` happened, with its data (ids and plain values), for delivery after commit."""
    if cache.get(webhooks_flag(tenant_id)) is False:
        return
    import json

    payload = {"id": f"msg_{uuid.uuid4().hex}", "type": event, "timestamp": timezone.now().isoformat(),
               "data": json.loads(json.dumps(data, cls=DjangoJSONEncoder))}
    outbox_enqueue(tenant_id=tenant_id, kind=EVENT_KIND, payload=payload)
