import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from apps.core.outbox import outbox_deliver, outbox_stale_ids, queue_with

log = logging.getLogger(__name__)


@queue_with
@db_task(retries=2, retry_delay=10)
def deliver_outbox_message(message_id: int) -> bool:
    return outbox_deliver(message_id=message_id)


@db_periodic_task(crontab(minute="*"))
@lock_task("outbox-sweep")
def sweep_outbox() -> int:
    """Send messages a dead worker left behind back to the queue."""
    stale = outbox_stale_ids()
    for message_id in stale:
        deliver_outbox_message(message_id)
    if stale:
        log.warning("outbox sweeper re-enqueued %s messages", len(stale))
    return len(stale)
