import logging

from django_scopes import scopes_disabled
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from apps.core.dates import today_in
from apps.core.rls import working_for

log = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="5", minute="0"))
@lock_task("finance-overdue")
def overdue_invoices() -> int:
    """Every morning: the people who manage the money hear of sales invoices gone past their due date (once each)."""
    from apps.accounts.models import Tenant
    from apps.finance.services import overdue_invoices_announce

    with scopes_disabled():
        tenants = list(Tenant.objects.filter(is_active=True).only("id", "time_zone"))
    told = 0
    for tenant in tenants:
        today = today_in(tenant.time_zone)
        with working_for(tenant.pk):
            try:
                told += overdue_invoices_announce(tenant_id=tenant.pk, today=today)
            except Exception:  # one organisation's trouble must not stop the others'
                log.exception("overdue invoices failed for tenant %s", tenant.pk)
    return told
