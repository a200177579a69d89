from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from apps.api.webhooks import delivery_attempt, due_delivery_ids


@db_periodic_task(crontab(minute="*"))
@lock_task("webhook-sweep")
def send_due_webhooks() -> int:
    """Retries whose time has come, and deliveries a killed worker left behind."""
    due = due_delivery_ids()
    for delivery_id in due:
        delivery_attempt(delivery_id=delivery_id)
    return len(due)
