import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

log = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="2", minute="15"))
@lock_task("billing-run")
def billing_run() -> dict:
    """Every day: end trials, renew periods, retry late payments (each subscription period is billed once)."""
    from apps.billing.services import billing_run as run

    done = run()
    log.info("billing run: %s", done)
    return done


@db_periodic_task(crontab(hour="8", minute="0"))
@lock_task("billing-trial-reminders")
def trial_reminders() -> int:
    from apps.billing.services import trial_reminders as remind

    return remind()


@db_periodic_task(crontab(minute="*/30"))
@lock_task("billing-usage")
def measure_usage() -> int:
    """Every 30 minutes: what each organisation uses against its plan."""
    from apps.billing.services import usage_measure_all

    return usage_measure_all()
