import logging

from django_scopes import scopes_disabled
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from apps.core.dates import today_in
from apps.core.rls import each_tenant

log = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="4", minute="30"))
@lock_task("breeding-morning")
def morning_round() -> dict:
    """Every morning: invoice the sire hire agreements that have ended, and tell people what is due
    today (their tasks, and the Today lists of their farms). Safe to run twice."""
    from apps.accounts.models import Tenant
    from apps.breeding.services import hires_end_due, reminders_send

    with scopes_disabled():
        tenants = list(Tenant.objects.filter(is_active=True).only("id", "time_zone"))

    def round_of(tenant) -> tuple[int, int]:
        today = today_in(tenant.time_zone)
        return len(hires_end_due(tenant_id=tenant.pk, today=today)), reminders_send(tenant_id=tenant.pk, today=today)

    done = each_tenant(tenants, round_of, job="morning round", tenant_of=lambda tenant: tenant.pk)
    invoiced, sent = sum(i for i, _ in done), sum(s for _, s in done)
    log.info("morning round: %s hire invoices, %s reminders", invoiced, sent)
    return {"invoiced": invoiced, "sent": sent}
