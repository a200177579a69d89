import logging

from django_scopes import scopes_disabled
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from apps.core.dates import today_in
from apps.core.rls import each_tenant

log = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="5", minute="0"))
@lock_task("finance-overdue")
def overdue_invoices() -> int:
    """Every morning: the people who manage the money hear of sales invoices gone past their due date (once each)."""
    from apps.accounts.models import Tenant
    from apps.finance.services import overdue_invoices_announce

    with scopes_disabled():
        tenants = list(Tenant.objects.filter(is_active=True).only("id", "time_zone"))
    return sum(each_tenant(tenants, lambda tenant: overdue_invoices_announce(tenant_id=tenant.pk, today=today_in(tenant.time_zone)),
                           job="overdue invoices", tenant_of=lambda tenant: tenant.pk))
