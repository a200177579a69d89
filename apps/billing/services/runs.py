"""The daily run (trials, renewals, retries), trial reminders and the half-hourly usage measure."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_scopes import scopes_disabled

from apps.accounts.models import Tenant
from apps.core.outbox import outbox_enqueue
from apps.core.rls import each_tenant, working_for

from .. import limits
from ..models import (
    Charge,
    PlatformInvoice,
    Subscription,
    Usage,
)
from ..periods import period_end
from .charges import _bill_period, _charge_create, _payment_missed, _period_start
from .common import TRIAL_REMINDER_DAYS, Status, _save, _tell_owners, today_utc

log = logging.getLogger(__name__)


@transaction.atomic
def subscription_bill(*, subscription_id: int, today: dt.date) -> str:
    """Move one subscription on to `today`: end its trial, renew or end its period, or try a late payment again."""
    subscription = Subscription.objects.select_for_update().select_related("plan", "tenant").get(pk=subscription_id)
    did = "nothing"
    if subscription.status == Status.TRIALING and subscription.trial_ends_on <= today:
        if not subscription.provider:
            subscription.status = Status.TRIAL_ENDED
            _save(subscription, ["status"])
            _tell_owners(subscription, "trial_ended", {"plan": subscription.plan.name}, key="trial-ended")
            return "trial ended"
        subscription.status = Status.ACTIVE
        _period_start(subscription, subscription.trial_ends_on)
        _save(subscription, ["status", "anchor_day", "current_period_start", "current_period_end"])
        _bill_period(subscription, today)
        did = "first period billed"
    while subscription.status in (Status.ACTIVE, Status.PAST_DUE) and subscription.current_period_end <= today:
        if subscription.cancel_at_period_end:
            subscription.status, subscription.next_retry_on = Status.ENDED, None
            _save(subscription, ["status", "next_retry_on"])
            _tell_owners(subscription, "subscription_ended", {"on": subscription.current_period_end},
                         key=f"ended:{subscription.current_period_end}")
            return "ended"
        if subscription.next_plan_id:
            subscription.plan, subscription.period = subscription.next_plan, subscription.next_period or subscription.period
            subscription.next_plan, subscription.next_period = None, ""
        start = subscription.current_period_end
        subscription.current_period_start = start
        subscription.current_period_end = period_end(start, subscription.period, subscription.anchor_day)
        _save(subscription, ["plan", "period", "next_plan", "next_period", "current_period_start", "current_period_end"])
        _bill_period(subscription, today)
        did = "renewed"
    if subscription.status == Status.PAST_DUE and subscription.next_retry_on and subscription.next_retry_on <= today:
        invoice = subscription.invoices.filter(status=PlatformInvoice.Status.OPEN).order_by("issued_on").first()
        if invoice is None:
            subscription.status, subscription.due_since, subscription.failures, subscription.next_retry_on = Status.ACTIVE, None, 0, None
            _save(subscription, ["status", "due_since", "failures", "next_retry_on"])
        elif subscription.provider == Subscription.Provider.STRIPE:
            if not invoice.charges.filter(status=Charge.Status.PENDING).exists():
                # The retry's outcome moves the schedule on (charge_decided); until then nothing is due.
                subscription.next_retry_on = None
                _save(subscription, ["next_retry_on"])
                _charge_create(subscription, invoice)
            did = "retried"
        else:
            _payment_missed(subscription, invoice, today, "Not paid yet.")
            did = "reminded"
    return did


def billing_run(*, today: dt.date | None = None) -> dict:
    """The daily run: every subscription with something due today, each in its own transaction."""
    today = today or today_utc()
    _charges_stuck_requeue()
    with scopes_disabled():
        due = list(Subscription.objects.filter(
            Q(status=Status.TRIALING, trial_ends_on__lte=today)
            | Q(status__in=[Status.ACTIVE, Status.PAST_DUE], current_period_end__lte=today)
            | Q(status=Status.PAST_DUE, next_retry_on__lte=today)).values_list("pk", "tenant_id"))
    done: dict[str, int] = {}
    billed = each_tenant(due, lambda row: subscription_bill(subscription_id=row[0], today=today), job="billing",
                         tenant_of=lambda row: row[1])
    for what in billed + ["failed"] * (len(due) - len(billed)):
        done[what] = done.get(what, 0) + 1
    return done


def _charges_stuck_requeue() -> int:
    """Charges still waiting for the provider after an hour (their worker gave up while the provider was down):
    asked again with the same Idempotency-Key, so a charge that did go through is not made twice."""
    with scopes_disabled():
        stuck = list(Charge.objects.filter(status=Charge.Status.PENDING, created_at__lt=timezone.now() - dt.timedelta(hours=1))
                     .values_list("pk", "tenant_id"))
    for charge_id, tenant_id in stuck:
        with working_for(tenant_id), transaction.atomic():
            outbox_enqueue(tenant_id=tenant_id, kind="billing.charge", payload={"charge_id": charge_id})
    return len(stuck)


def trial_reminders(*, today: dt.date | None = None) -> int:
    """Tell owners 3 days and 1 day before their trial ends (once each, however often this runs)."""
    today = today or today_utc()
    sent = 0
    with scopes_disabled():
        ending = list(Subscription.objects.filter(
            status=Status.TRIALING, trial_ends_on__in=[today + dt.timedelta(days=d) for d in TRIAL_REMINDER_DAYS])
            .select_related("plan", "tenant"))
    for subscription in ending:
        days = (subscription.trial_ends_on - today).days
        with working_for(subscription.tenant_id), transaction.atomic():
            _tell_owners(subscription, "trial_ending", {"days": days, "ends_on": subscription.trial_ends_on,
                                                        "plan": subscription.plan.name, "chosen": bool(subscription.provider)},
                         key=f"trial-ending:{days}")
            sent += 1
    return sent


# -- usage --------------------------------------------------------------------------------------

def usage_measure(*, tenant_id: int, now: dt.datetime | None = None) -> Usage:
    """Write this month's usage row for one organisation (every 30 minutes)."""
    now = now or timezone.now()
    month = now.date().replace(day=1)
    values = {kind: limits.count(tenant_id, kind) for kind in ("animals", "farms", "members", "api_calls")}
    values["storage_mb"] = Decimal(str(limits.storage_used_mb(tenant_id)))
    usage, _created = Usage.objects.update_or_create(tenant_id=tenant_id, month=month, defaults={**values, "measured_at": now})
    return usage


def usage_measure_all() -> int:
    with scopes_disabled():
        tenant_ids = list(Tenant.objects.filter(is_active=True).values_list("pk", flat=True))
    each_tenant(tenant_ids, lambda tenant_id: usage_measure(tenant_id=tenant_id), job="usage measure")
    return len(tenant_ids)
