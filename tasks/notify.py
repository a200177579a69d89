import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

log = logging.getLogger(__name__)


@db_task(retries=1, retry_delay=30)
def send_delivery(tenant_id: int, delivery_id: int) -> None:
    from apps.core.rls import working_for
    from apps.notify.services import delivery_send

    with working_for(tenant_id):
        delivery_send(delivery_id=delivery_id)


@db_periodic_task(crontab(minute="*"))
@lock_task("notify-sweep")
def sweep_deliveries() -> int:
    """Retries whose back-off is over, and deliveries held for quiet hours that may go now."""
    from apps.notify.services import due_deliveries

    due = due_deliveries()
    for tenant_id, delivery_id in due:
        send_delivery(tenant_id, delivery_id)
    return len(due)


@db_periodic_task(crontab(minute="0"))
@lock_task("notify-digest")
def send_digests() -> int:
    """Every hour: the members for whom it is 07:00 get their daily digest."""
    from apps.notify.services import digests_send

    return digests_send()
