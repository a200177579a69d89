import logging

from django.utils import timezone
from django_scopes import scopes_disabled
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from apps.core.rls import each_tenant

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/10"))
@lock_task("withdrawals-ended")
def announce_withdrawals_ended() -> int:
    """Every ten minutes: a withdrawal.ended event for each milk withdrawal that has run out."""
    from apps.health.models import Treatment
    from apps.health.services import withdrawals_ended_announce

    now = timezone.now()
    with scopes_disabled():
        tenant_ids = list(Treatment.objects.filter(withdrawal_end_announced=False, voided_at=None, milk_withdrawal_ends_at__lte=now)
                          .order_by().values_list("tenant_id", flat=True).distinct())
    return sum(each_tenant(tenant_ids, lambda tenant_id: withdrawals_ended_announce(tenant_id=tenant_id, now=now),
                           job="withdrawals ended"))
