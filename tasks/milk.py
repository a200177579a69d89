import datetime as dt
import logging

from django.utils import timezone
from django_scopes import scopes_disabled
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from apps.core.rls import each_tenant

log = logging.getLogger(__name__)
RECONCILE_DAYS = 7


@db_periodic_task(crontab(hour="2", minute="15"))
@lock_task("milk-reconcile")
def reconcile_milk_summaries() -> int:
    """Nightly: recompute the last 7 days of milk summaries of every tenant and fix any drift."""
    from apps.milk.models import MilkRecord
    from apps.milk.services import summaries_reconcile

    # Farms east of UTC are already in tomorrow: reach one day past UTC's date so they are covered.
    until = timezone.localdate() + dt.timedelta(days=1)
    since = until - dt.timedelta(days=RECONCILE_DAYS - 1)
    with scopes_disabled():
        tenant_ids = list(MilkRecord.objects.filter(date__gte=since).order_by().values_list("tenant_id", flat=True).distinct())
    fixed = sum(each_tenant(tenant_ids, lambda tenant_id: len(summaries_reconcile(tenant_id=tenant_id, since=since, until=until)),
                            job="milk reconcile"))
    log.info("milk summaries reconciled for %s tenants, %s fixed", len(tenant_ids), fixed)
    return fixed


@db_periodic_task(crontab(minute="*/10"))
@lock_task("milk-sessions-announce")
def announce_finished_sessions() -> int:
    """Every ten minutes: milk.session_completed for the sessions whose time is over and that no save
    announced (a robot's slot, a parlour with a cow left unmilked), for organisations with webhooks."""
    from apps.api.models import WebhookEndpoint
    from apps.milk.services import sessions_due_announce

    with scopes_disabled():
        tenant_ids = sorted({tenant_id for tenant_id, events in WebhookEndpoint.objects.filter(is_active=True)
                             .values_list("tenant_id", "events") if "milk.session_completed" in events})
    return sum(each_tenant(tenant_ids, lambda tenant_id: sessions_due_announce(tenant_id=tenant_id), job="sessions announce"))
