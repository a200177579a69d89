"""Nightly upkeep: verify the audit chains, and clear what has outlived its use."""

import datetime as dt
import logging

from django.core.management import call_command
from django.utils import timezone
from django_scopes import scopes_disabled
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from apps.core.rls import each_tenant

log = logging.getLogger(__name__)
KEEP_DAYS = 30


def _tenant_ids() -> list[int]:
    from apps.accounts.models import Tenant

    return list(Tenant.objects.order_by("pk").values_list("pk", flat=True))


@db_periodic_task(crontab(hour="3", minute="0"))
@lock_task("audit-verify")
def verify_audit_chains() -> int:
    """Walk every tenant's audit chain; log each broken one by name (an operator must look)."""
    from apps.audit.retention import audit_verify_tenant

    def verify(tenant_id: int) -> bool:
        failure = audit_verify_tenant(tenant_id=tenant_id)
        if failure:
            log.error("audit chain of tenant %s broken at entry #%s (id %s): %s", tenant_id, failure.seq, failure.entry_id, failure.reason)
        return failure is not None

    return sum(each_tenant(_tenant_ids(), verify, job="audit verify"))


@db_periodic_task(crontab(day_of_week="0", hour="2", minute="30"))
@lock_task("audit-archive")
def archive_audit_chains() -> dict:
    """Weekly: move each tenant's old audit months to archive files, and purge the files past seven years."""
    from apps.audit.retention import audit_archive_tenant, audit_purge_tenant

    # A tenant whose storage fails keeps its chain whole: nothing leaves it before its file is stored.
    each = each_tenant(_tenant_ids(), lambda tenant_id: (len(audit_archive_tenant(tenant_id=tenant_id)),
                                                         len(audit_purge_tenant(tenant_id=tenant_id))), job="audit archive")
    done = {"archived": sum(a for a, _ in each), "purged": sum(p for _, p in each)}
    log.info("audit archive: %s", done)
    return done


@db_periodic_task(crontab(hour="3", minute="30"))
@lock_task("housekeeping")
def clear_expired() -> dict:
    """Expired sessions, old login failures, old form keys, API answers past their replay time, delivered outbox rows,
    old webhook deliveries, and abuse events past 90 days."""
    from apps.accounts.models import LoginFailure
    from apps.accounts.security import abuse_forget_old
    from apps.api.guard import REPLAY_FOR
    from apps.api.models import IdempotentRequest, WebhookDelivery
    from apps.core.models import OutboxMessage
    from apps.finance.models import IdempotencyKey

    call_command("clearsessions")
    cutoff = timezone.now() - dt.timedelta(days=KEEP_DAYS)
    with scopes_disabled():
        removed = {
            "login_failures": LoginFailure.objects.filter(created_at__lt=timezone.now() - dt.timedelta(days=1)).delete()[0],
            "form_keys": IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()[0],
            "outbox": OutboxMessage.objects.filter(status=OutboxMessage.Status.DONE, done_at__lt=cutoff).delete()[0],
            "api_answers": IdempotentRequest.objects.filter(created_at__lt=timezone.now() - REPLAY_FOR).delete()[0],
            "webhook_deliveries": WebhookDelivery.objects.filter(created_at__lt=cutoff).exclude(status="pending").delete()[0],
            "abuse_events": abuse_forget_old(),
        }
    log.info("housekeeping removed %s", removed)
    return removed
