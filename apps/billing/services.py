"""Subscriptions: the trial, plan changes, billing runs, charges and payments.

Money moves in two steps. In one transaction the run writes the period's invoice (unique per
subscription period), a charge row (unique key per attempt) and an outbox message; after commit a
worker calls the provider with the charge's key as its Idempotency-Key and records the answer. A
second run finds the invoice and stops; a worker killed mid-call is replaced by the sweeper, whose
call with the same key is the same charge at the provider.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from apps.accounts.models import Membership, Tenant
from apps.accounts.permissions import can
from apps.audit.services import Actor, audit_append
from apps.core.outbox import handler, outbox_enqueue

from . import gateways, limits
from .models import Charge, PaymentEvent, Plan, PlanPrice, PlatformInvoice, PlatformInvoiceSequence, Subscription, Usage
from .periods import money, period_end, prorate

log = logging.getLogger(__name__)

TRIAL_DAYS = 30
RETRY_DAYS = (1, 3, 7)  # after the first failure: try again on these days, then read-only
TRIAL_REMINDER_DAYS = (3, 1)
FALLBACK_CURRENCY = "USD"
Status = Subscription.Status


def today_utc() -> dt.date:
    return timezone.now().date()


# -- prices -------------------------------------------------------------------------------------

def currency_for(tenant_currency: str) -> str:
    """Plans are billed in the organisation's currency when the platform prices it, else in USD."""
    code = (tenant_currency or "").upper()
    return code if PlanPrice.objects.filter(currency=code).exists() else FALLBACK_CURRENCY


def price_of(plan: Plan, currency: str, period: str) -> Decimal | None:
    row = PlanPrice.objects.filter(plan=plan, currency=currency).first()
    return money(row.for_period(period), currency) if row else None


def offered_plans(currency: str) -> list[tuple[Plan, Decimal | None, Decimal | None]]:
    prices = {p.plan_id: p for p in PlanPrice.objects.filter(currency=currency)}
    rows = []
    for plan in Plan.objects.filter(is_public=True):
        price = prices.get(plan.pk)
        rows.append((plan, money(price.monthly, currency) if price else None, money(price.yearly, currency) if price else None))
    return rows


# -- the organisation's standing ----------------------------------------------------------------

def hold_reason(subscription: Subscription) -> str:
    """Why the organisation is read-only now, as a code kept on the organisation ("" when it is not).

    A code, not a sentence: each reader gets it in their own language (hold_text)."""
    if subscription.status == Status.TRIAL_ENDED:
        return "trial_ended"
    if subscription.status == Status.UNPAID:
        invoice = subscription.invoices.filter(status=PlatformInvoice.Status.OPEN).order_by("issued_on").first()
        return f"unpaid:{invoice.number if invoice else ''}"
    if subscription.status == Status.ENDED:
        return f"ended:{subscription.current_period_end.isoformat()}"
    return ""


def hold_text(code: str) -> str:
    """The sentence for a read-only code, in the active language."""
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    kind, _sep, detail = (code or "").partition(":")
    kept = _("everything recorded is kept and exports still work.")
    if kind == "trial_ended":
        return _("Your trial has ended. Choose a plan to add or change records; %(kept)s") % {"kept": kept}
    if kind == "unpaid":
        if detail:
            return _("Invoice %(number)s is unpaid. Pay it to add or change records; %(kept)s") % {"number": detail, "kept": kept}
        return _("A payment is missing. Pay it to add or change records; %(kept)s") % {"kept": kept}
    if kind == "ended":
        try:
            day = date_format(dt.date.fromisoformat(detail), "j M Y")
        except ValueError:
            day = detail
        return _("The subscription ended on %(day)s. Choose a plan to add or change records; %(kept)s") % {
            "day": day, "kept": kept}
    return code


def _save(subscription: Subscription, fields: list[str]) -> None:
    subscription.save(update_fields=[*fields, "updated_at"])
    reason = hold_reason(subscription)
    Tenant.objects.filter(pk=subscription.tenant_id).exclude(read_only_reason=reason).update(read_only_reason=reason)


def subscription_of(tenant_id: int) -> Subscription | None:
    return Subscription.objects.select_related("plan", "next_plan").filter(tenant_id=tenant_id).first()


def _locked(tenant_id: int) -> Subscription:
    return Subscription.objects.select_for_update().select_related("plan").get(tenant_id=tenant_id)


def _owners(tenant_id: int) -> list[Membership]:
    return list(Membership.objects.filter(tenant_id=tenant_id, is_active=True, is_service=False, role__key="owner")
                .select_related("user"))


def _tell_owners(subscription: Subscription, kind: str, context: dict, *, key: str = "") -> None:
    from apps.notify.services import notify

    for owner in _owners(subscription.tenant_id):
        notify(membership=owner, kind=kind, context={"tenant": subscription.tenant.name, **context},
               url=reverse("billing:home"), key=f"{key}:{owner.user_id}" if key else "")


@transaction.atomic
def subscription_start_trial(*, tenant: Tenant, today: dt.date | None = None) -> Subscription | None:
    """A new organisation tries the trial plan for 30 days (no plan marked: no subscription, no limits)."""
    plan = Plan.objects.filter(is_trial=True).first()
    if plan is None:
        return None
    today = today or today_utc()
    ends = today + dt.timedelta(days=TRIAL_DAYS)
    with scope(tenant=tenant.pk):
        subscription = Subscription.objects.create(
            tenant=tenant, plan=plan, currency=currency_for(tenant.currency), status=Status.TRIALING,
            trial_ends_on=ends, current_period_start=today, current_period_end=ends, anchor_day=ends.day)
    return subscription


# -- the owner's choices ------------------------------------------------------------------------

def _require(membership: Membership) -> None:
    if not can(membership, "tenant.manage"):
        raise PermissionDenied


def change_preview(*, subscription: Subscription, plan: Plan, period: str, today: dt.date | None = None,
                   have: dict | None = None) -> dict:
    """What choosing `plan` and `period` would do, said before the owner confirms."""
    today = today or today_utc()
    price = price_of(plan, subscription.currency, period)
    current = price_of(subscription.plan, subscription.currency, subscription.period) or Decimal(0)
    if price is None:
        return {"problem": f"{plan.name} has no price in {subscription.currency} yet."}
    preview = {"problem": "", "price": price, "charge": None, "when": today, "over": limits.over_limits(subscription.tenant_id, plan, have)}
    if plan == subscription.plan and period == subscription.period and subscription.status in (Status.TRIALING, Status.ACTIVE,
                                                                                                 Status.PAST_DUE):
        preview["problem"] = "This is your plan already."
    elif subscription.status == Status.TRIALING:
        preview["mode"] = "trial"
        preview["when"] = subscription.trial_ends_on
    elif subscription.is_read_only:
        preview["mode"] = "restart"
        preview["charge"] = price
    elif period == subscription.period and price > current:
        preview["mode"] = "upgrade"
        preview["charge"] = prorate(old_price=current, new_price=price, start=subscription.current_period_start,
                                    end=subscription.current_period_end, today=today, currency=subscription.currency)
    else:
        preview["mode"] = "scheduled"
        preview["when"] = subscription.current_period_end
    return preview


@transaction.atomic
def subscription_change(*, membership: Membership, plan: Plan, period: str, confirm_over_limits: bool = False,
                        today: dt.date | None = None) -> Subscription:
    """Pick a plan and period. During the trial, at once; an upgrade, at once with a prorated charge; a downgrade
    or a change of period, at the end of the period; after a trial, a cancellation or an unpaid stop, a new period
    starts today. Going over the new plan's limits is allowed once confirmed: nothing is deleted, adding more of
    that kind waits until the organisation is under the limit."""
    _require(membership)
    today = today or today_utc()
    if period not in Subscription.Period.values:
        raise ValidationError({"period": _("Choose monthly or yearly.")})
    if not plan.is_public:
        raise ValidationError({"plan": _("This plan is not offered.")})
    subscription = _locked(membership.tenant_id)
    preview = change_preview(subscription=subscription, plan=plan, period=period, today=today)
    if preview["problem"]:
        raise ValidationError({"plan": preview["problem"]})
    if preview["over"] and not confirm_over_limits:
        raise ValidationError({"confirm_over_limits": _("On this plan %(over)s. Nothing is deleted, but you cannot add more of "
                                                        "these until you are under the limit. Tick to confirm.") % {
                                                            "over": "; ".join(preview["over"])}})
    mode = preview["mode"]
    if mode in ("restart",) and not subscription.provider:
        raise ValidationError({"plan": _("Choose how you will pay first.")})
    before = {"plan": subscription.plan.key, "period": subscription.period, "status": subscription.status}
    if mode == "trial":
        subscription.plan, subscription.period = plan, period
        subscription.next_plan, subscription.next_period = None, ""
        _save(subscription, ["plan", "period", "next_plan", "next_period"])
    elif mode == "upgrade":
        subscription.plan, subscription.next_plan, subscription.next_period = plan, None, ""
        subscription.cancel_at_period_end = False
        _save(subscription, ["plan", "next_plan", "next_period", "cancel_at_period_end"])
        if preview["charge"] > 0:
            invoice = _invoice_issue(subscription, kind=PlatformInvoice.Kind.PRORATION,
                                     key=f"upgrade:{subscription.current_period_start}:{today}:{plan.key}",
                                     start=today, end=subscription.current_period_end, amount=preview["charge"],
                                     description=f"Upgrade to {plan.name}, {today:%d %b} to "
                                                 f"{subscription.current_period_end - dt.timedelta(days=1):%d %b %Y}",
                                     today=today)
            if invoice is not None:
                _charge_create(subscription, invoice)
    elif mode == "scheduled":
        subscription.next_plan, subscription.next_period = plan, period
        subscription.cancel_at_period_end = False
        _save(subscription, ["next_plan", "next_period", "cancel_at_period_end"])
    else:  # restart after a trial, a cancellation or an unpaid stop
        for open_invoice in subscription.invoices.filter(status=PlatformInvoice.Status.OPEN):
            open_invoice.status = PlatformInvoice.Status.VOID
            open_invoice.save(update_fields=["status"])
        subscription.plan, subscription.period = plan, period
        subscription.next_plan, subscription.next_period, subscription.cancel_at_period_end = None, "", False
        subscription.status = Status.ACTIVE
        subscription.due_since, subscription.failures, subscription.next_retry_on = None, 0, None
        _period_start(subscription, today)
        _save(subscription, ["plan", "period", "next_plan", "next_period", "cancel_at_period_end", "status", "due_since",
                             "failures", "next_retry_on", "current_period_start", "current_period_end", "anchor_day"])
        _bill_period(subscription, today)
    audit_append(actor=Actor.of(membership), action="subscription.change", obj=subscription, before=before,
                 after={"plan": plan.key, "period": period, "mode": mode, "charge": preview.get("charge")},
                 permission="tenant.manage")
    return subscription


@transaction.atomic
def subscription_cancel(*, membership: Membership) -> Subscription:
    """Stop renewing: access stays to the end of the period, then the organisation is read-only."""
    _require(membership)
    subscription = _locked(membership.tenant_id)
    if subscription.is_read_only:
        raise ValidationError(_("There is nothing to cancel: the subscription has already stopped."))
    subscription.cancel_at_period_end = True
    subscription.next_plan, subscription.next_period = None, ""
    _save(subscription, ["cancel_at_period_end", "next_plan", "next_period"])
    audit_append(actor=Actor.of(membership), action="subscription.cancel", obj=subscription,
                 after={"ends_on": subscription.current_period_end}, permission="tenant.manage")
    return subscription


@transaction.atomic
def subscription_resume(*, membership: Membership) -> Subscription:
    _require(membership)
    subscription = _locked(membership.tenant_id)
    if not subscription.cancel_at_period_end:
        raise ValidationError(_("The subscription is not cancelled."))
    subscription.cancel_at_period_end = False
    _save(subscription, ["cancel_at_period_end"])
    audit_append(actor=Actor.of(membership), action="subscription.resume", obj=subscription, permission="tenant.manage")
    return subscription


@transaction.atomic
def payment_method_set(*, membership: Membership, provider: str, mobile_number: str = "") -> Subscription:
    """Bank transfer or mobile money (a card is saved through Stripe: card_saved)."""
    from apps.notify.channels import e164_problem

    _require(membership)
    if provider not in (Subscription.Provider.BANK, Subscription.Provider.MOBILE):
        raise ValidationError({"provider": _("Choose bank transfer or mobile money (a card is added with its own button).")})
    mobile_number = mobile_number.strip().replace(" ", "")
    if provider == Subscription.Provider.MOBILE and (problem := e164_problem(mobile_number)):
        raise ValidationError({"mobile_number": problem})
    subscription = _locked(membership.tenant_id)
    subscription.provider = provider
    subscription.mobile_number = mobile_number if provider == Subscription.Provider.MOBILE else ""
    _save(subscription, ["provider", "mobile_number"])
    audit_append(actor=Actor.of(membership), action="subscription.payment_method", obj=subscription,
                 after={"provider": provider}, permission="tenant.manage")
    return subscription


@transaction.atomic
def card_saved(*, membership: Membership, session_id: str) -> Subscription:
    _require(membership)
    try:
        customer, method, label = gateways.card_setup_finish(session_id)
    except gateways.GatewayUnavailable as error:
        raise ValidationError(_("The card was not saved: %(error)s") % {"error": error}) from error
    subscription = _locked(membership.tenant_id)
    if not subscription.stripe_customer or customer != subscription.stripe_customer:
        raise ValidationError(_("This card setup belongs to another customer."))
    subscription.provider = Subscription.Provider.STRIPE
    subscription.stripe_customer, subscription.stripe_payment_method, subscription.card_label = customer, method, label
    _save(subscription, ["provider", "stripe_customer", "stripe_payment_method", "card_label"])
    audit_append(actor=Actor.of(membership), action="subscription.card", obj=subscription, after={"card": label},
                 permission="tenant.manage")
    # A card saved while a payment is due pays it now.
    if subscription.status in (Status.PAST_DUE, Status.UNPAID):
        invoice = subscription.invoices.filter(status=PlatformInvoice.Status.OPEN).order_by("issued_on").first()
        if invoice is not None:
            _charge_create(subscription, invoice)
    return subscription


# -- invoices and charges -----------------------------------------------------------------------

def _next_number(year: int) -> str:
    """The platform's next invoice number: the row lock makes numbers gapless and in order."""
    PlatformInvoiceSequence.objects.get_or_create(year=year)
    sequence = PlatformInvoiceSequence.objects.select_for_update().get(year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"IF-{year}-{sequence.last_number:06d}"


def _invoice_issue(subscription: Subscription, *, kind: str, key: str, start: dt.date, end: dt.date, amount: Decimal,
                   description: str, today: dt.date) -> PlatformInvoice | None:
    """The invoice for one period (or upgrade), or None when it was issued already (a second run)."""
    if PlatformInvoice.objects.filter(tenant_id=subscription.tenant_id, period_key=key).exists():
        return None
    try:
        with transaction.atomic():
            return PlatformInvoice.objects.create(
                tenant_id=subscription.tenant_id, subscription=subscription, number=_next_number(today.year), period_key=key,
                kind=kind, description=description, period_start=start, period_end=end, currency=subscription.currency,
                amount=amount, issued_on=today, due_on=today + dt.timedelta(days=RETRY_DAYS[-1]))
    except IntegrityError:  # a concurrent run issued it a moment ago (its number rolls back with this savepoint)
        return None


def _charge_create(subscription: Subscription, invoice: PlatformInvoice) -> Charge:
    attempt = invoice.charges.count() + 1
    charge = Charge.objects.create(
        tenant_id=invoice.tenant_id, invoice=invoice, attempt=attempt, idempotency_key=f"{invoice.number}-{attempt}",
        provider=subscription.provider, amount=invoice.amount, currency=invoice.currency)
    outbox_enqueue(tenant_id=invoice.tenant_id, kind="billing.charge", payload={"charge_id": charge.pk})
    return charge


@handler("billing.charge")
def _charge_message(message) -> None:
    charge_run(charge_id=message.payload["charge_id"])


def charge_run(*, charge_id: int, today: dt.date | None = None) -> Charge:
    """Ask the provider for the money (outside any transaction: the call may take seconds), then record its answer.

    Run twice, the second run finds the charge decided; killed after the provider's answer, the sweeper's
    run sends the same Idempotency-Key and gets the same answer."""
    charge = Charge.objects.select_related("invoice__subscription").get(pk=charge_id)
    if charge.status != Charge.Status.PENDING:
        return charge
    subscription = charge.invoice.subscription
    outcome = gateways.charge(provider=charge.provider, amount=charge.amount, currency=charge.currency,
                              reference=charge.invoice.number, idempotency_key=charge.idempotency_key,
                              customer=subscription.stripe_customer, payment_method=subscription.stripe_payment_method,
                              metadata={"charge": charge.idempotency_key, "tenant": str(charge.tenant_id)})
    return charge_decided(charge_id=charge.pk, outcome=outcome, today=today)


@transaction.atomic
def charge_decided(*, charge_id: int, outcome: gateways.Outcome, today: dt.date | None = None) -> Charge:
    today = today or today_utc()
    charge = Charge.objects.select_for_update().select_related("invoice").get(pk=charge_id)
    if charge.status not in (Charge.Status.PENDING, Charge.Status.AWAITING) or (
            charge.status == Charge.Status.AWAITING and outcome.status == "awaiting"):
        return charge  # decided already (a webhook and the worker both told us)
    charge.status = {"succeeded": Charge.Status.SUCCEEDED, "failed": Charge.Status.FAILED,
                     "awaiting": Charge.Status.AWAITING}[outcome.status]
    charge.provider_ref = outcome.ref or charge.provider_ref
    charge.answer = outcome.answer[:500]
    charge.decided_at = timezone.now() if outcome.status != "awaiting" else None
    charge.save(update_fields=["status", "provider_ref", "answer", "decided_at"])
    subscription = _locked(charge.tenant_id)
    if outcome.status == "succeeded":
        _invoice_paid(subscription, charge.invoice, today)
    elif outcome.status == "failed":
        _payment_missed(subscription, charge.invoice, today, outcome.answer)
    else:
        _payment_awaited(subscription, charge.invoice, today)
    return charge


def _invoice_paid(subscription: Subscription, invoice: PlatformInvoice, today: dt.date) -> None:
    PlatformInvoice.objects.filter(pk=invoice.pk).update(status=PlatformInvoice.Status.PAID, paid_on=today)
    invoice.refresh_from_db()
    if not subscription.invoices.filter(status=PlatformInvoice.Status.OPEN).exists():
        if subscription.status in (Status.PAST_DUE, Status.UNPAID):
            subscription.status = Status.ACTIVE
        subscription.due_since, subscription.failures, subscription.next_retry_on = None, 0, None
        _save(subscription, ["status", "due_since", "failures", "next_retry_on"])
    audit_append(actor=Actor.system(subscription.tenant_id), action="platform_invoice.paid", obj=invoice,
                 after={"number": invoice.number, "amount": invoice.amount, "currency": invoice.currency})
    _tell_owners(subscription, "payment_received", {"number": invoice.number, "amount": invoice.amount,
                                                    "currency": invoice.currency}, key=f"paid:{invoice.number}")


def _payment_awaited(subscription: Subscription, invoice: PlatformInvoice, today: dt.date) -> None:
    """A transfer is awaited: the retry schedule becomes reminders, and day 7 unpaid is read-only."""
    if subscription.due_since is None:
        subscription.status = Status.PAST_DUE
        subscription.due_since, subscription.failures = today, 1
        subscription.next_retry_on = today + dt.timedelta(days=RETRY_DAYS[0])
        _save(subscription, ["status", "due_since", "failures", "next_retry_on"])
    how = "mobile money" if subscription.provider == Subscription.Provider.MOBILE else "bank transfer"
    _tell_owners(subscription, "invoice_issued", {"number": invoice.number, "amount": invoice.amount,
                                                  "currency": invoice.currency, "how": how, "due_on": invoice.due_on},
                 key=f"issued:{invoice.number}")


def _payment_missed(subscription: Subscription, invoice: PlatformInvoice, today: dt.date, answer: str) -> None:
    """A charge failed or a reminder day passed unpaid: next try on day 1, 3, 7 of the first miss, then read-only."""
    if subscription.due_since is None:
        subscription.due_since, subscription.failures = today, 0
    subscription.failures += 1
    if subscription.failures > len(RETRY_DAYS):
        subscription.status, subscription.next_retry_on = Status.UNPAID, None
    else:
        subscription.status = Status.PAST_DUE
        subscription.next_retry_on = subscription.due_since + dt.timedelta(days=RETRY_DAYS[subscription.failures - 1])
    _save(subscription, ["status", "due_since", "failures", "next_retry_on"])
    audit_append(actor=Actor.system(subscription.tenant_id), action="platform_invoice.payment_failed", obj=invoice,
                 after={"number": invoice.number, "attempt": subscription.failures, "answer": answer[:200]})
    _tell_owners(subscription, "payment_failed", {
        "number": invoice.number, "amount": invoice.amount, "currency": invoice.currency, "answer": answer,
        "next_try": subscription.next_retry_on, "read_only": subscription.status == Status.UNPAID,
    }, key=f"failed:{invoice.number}:{subscription.failures}")


# -- the daily run ------------------------------------------------------------------------------

def _period_start(subscription: Subscription, start: dt.date) -> None:
    subscription.anchor_day = start.day
    subscription.current_period_start = start
    subscription.current_period_end = period_end(start, subscription.period, start.day)


def _bill_period(subscription: Subscription, today: dt.date) -> PlatformInvoice | None:
    price = price_of(subscription.plan, subscription.currency, subscription.period) or Decimal(0)
    start, end = subscription.current_period_start, subscription.current_period_end
    invoice = _invoice_issue(
        subscription, kind=PlatformInvoice.Kind.RENEWAL, key=f"period:{start}", start=start, end=end, amount=price,
        description=f"{subscription.plan.name}, {subscription.get_period_display().lower()}, {start:%d %b %Y} to "
                    f"{end - dt.timedelta(days=1):%d %b %Y}", today=today)
    if invoice is None:
        return None
    if price == 0:
        _invoice_paid(subscription, invoice, today)
    else:
        _charge_create(subscription, invoice)
    return invoice


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
    for subscription_id, tenant_id in due:
        try:
            with scope(tenant=tenant_id):
                what = subscription_bill(subscription_id=subscription_id, today=today)
        except Exception:  # one organisation's trouble must not stop the others' billing
            log.exception("billing failed for subscription %s", subscription_id)
            what = "failed"
        done[what] = done.get(what, 0) + 1
    return done


def _charges_stuck_requeue() -> int:
    """Charges still waiting for the provider after an hour (their worker gave up while the provider was down):
    asked again with the same Idempotency-Key, so a charge that did go through is not made twice."""
    with scopes_disabled():
        stuck = list(Charge.objects.filter(status=Charge.Status.PENDING, created_at__lt=timezone.now() - dt.timedelta(hours=1))
                     .values_list("pk", "tenant_id"))
    for charge_id, tenant_id in stuck:
        with scope(tenant=tenant_id), transaction.atomic():
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
        with scope(tenant=subscription.tenant_id), transaction.atomic():
            _tell_owners(subscription, "trial_ending", {"days": days, "ends_on": subscription.trial_ends_on,
                                                        "plan": subscription.plan.name, "chosen": bool(subscription.provider)},
                         key=f"trial-ending:{days}")
            sent += 1
    return sent


# -- payments recorded from outside ---------------------------------------------------------------

def _event_claim(provider: str, event_id: str, kind: str) -> PaymentEvent | None:
    """Record the event; None when it was seen before (a replay)."""
    try:
        with transaction.atomic():
            return PaymentEvent.objects.create(provider=provider, event_id=event_id[:120], kind=kind[:60], outcome="received")
    except IntegrityError:
        return None


def _event_outcome(event: PaymentEvent, outcome: str, tenant_id: int | None = None) -> str:
    PaymentEvent.objects.filter(pk=event.pk).update(outcome=outcome[:200], tenant_id=tenant_id)
    log.info("payment event %s %s: %s", event.provider, event.event_id, outcome)
    return outcome


def payment_record(*, provider: str, event_id: str, reference: str, amount: Decimal, currency: str,
                   today: dt.date | None = None, recorded_by: str = "") -> str:
    """A transfer or mobile money payment against an invoice's number (from staff or a provider's webhook).

    Returns what came of it; raises ValidationError (and logs the attempt) when it cannot be booked."""
    today = today or today_utc()
    event = _event_claim(provider, event_id, "payment")
    if event is None:
        log.warning("payment %s %s received again: ignored", provider, event_id)
        return "already recorded"
    with scopes_disabled():
        invoice = PlatformInvoice.objects.select_related("subscription").filter(number=reference.strip().upper()).first()
    if invoice is None:
        _event_outcome(event, f"refused: no invoice {reference}")
        raise ValidationError({"reference": _("No invoice has the number %(reference)s.") % {"reference": reference}})
    if currency.upper() != invoice.currency:
        _event_outcome(event, f"refused: {currency} for an invoice in {invoice.currency}", invoice.tenant_id)
        raise ValidationError({"currency": _("Invoice %(number)s is in %(currency)s.") % {
            "number": invoice.number, "currency": invoice.currency}})
    if amount < invoice.amount:
        _event_outcome(event, f"refused: {amount} is less than {invoice.amount}", invoice.tenant_id)
        raise ValidationError({"amount": _("Invoice %(number)s is for %(total)s %(currency)s; %(amount)s does not settle it.") % {
            "number": invoice.number, "total": invoice.amount, "currency": invoice.currency, "amount": amount}})
    if invoice.status != PlatformInvoice.Status.OPEN:
        return _event_outcome(event, f"ignored: invoice {invoice.number} is {invoice.get_status_display().lower()}",
                              invoice.tenant_id)
    with scope(tenant=invoice.tenant_id), transaction.atomic():
        charge = invoice.charges.filter(status__in=[Charge.Status.AWAITING, Charge.Status.PENDING]).order_by("-attempt").first()
        if charge is None or charge.provider == Subscription.Provider.STRIPE:
            charge = Charge.objects.create(
                tenant_id=invoice.tenant_id, invoice=invoice, attempt=invoice.charges.count() + 1,
                idempotency_key=f"{invoice.number}-{provider}-{event_id}"[:80], provider=provider if provider in
                ("bank", "mobile") else "bank", amount=amount, currency=invoice.currency, status=Charge.Status.AWAITING)
        Charge.objects.filter(pk=charge.pk).update(status=Charge.Status.SUCCEEDED, provider_ref=event_id[:80],
                                                   answer=f"Paid {amount} {currency.upper()}{' (' + recorded_by + ')' if recorded_by else ''}."[:500],
                                                   decided_at=timezone.now())
        _invoice_paid(_locked(invoice.tenant_id), invoice, today)
    return _event_outcome(event, f"paid invoice {invoice.number}", invoice.tenant_id)


def stripe_event_handle(event) -> str:
    """A verified Stripe event: a PaymentIntent's success or failure settles its charge (once)."""
    claimed = _event_claim("stripe", event.id, event.type)
    if claimed is None:
        log.warning("stripe event %s received again: ignored", event.id)
        return "replay: ignored"
    if event.type not in ("payment_intent.succeeded", "payment_intent.payment_failed"):
        return _event_outcome(claimed, f"ignored: {event.type}")
    intent = event.data.object.to_dict()
    intent_id = intent.get("id", "")
    key = (intent.get("metadata") or {}).get("charge", "")
    with scopes_disabled():
        found = Q(provider_ref=intent_id) | Q(idempotency_key=key) if key else Q(provider_ref=intent_id)
        charge = Charge.objects.filter(found, provider=Subscription.Provider.STRIPE).first() if intent_id else None
    if charge is None:
        return _event_outcome(claimed, f"unknown payment {intent_id}: ignored")
    if charge.status not in (Charge.Status.PENDING, Charge.Status.AWAITING):
        return _event_outcome(claimed, f"charge {charge.idempotency_key} was already {charge.status}", charge.tenant_id)
    if event.type == "payment_intent.succeeded":
        outcome = gateways.Outcome("succeeded", intent_id, "Paid by card.")
    else:
        error = intent.get("last_payment_error") or {}
        outcome = gateways.Outcome("failed", intent_id, error.get("message") or "The card payment failed.")
    with scope(tenant=charge.tenant_id):
        charge_decided(charge_id=charge.pk, outcome=outcome)
    return _event_outcome(claimed, f"charge {charge.idempotency_key}: {outcome.status}", charge.tenant_id)


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
    for tenant_id in tenant_ids:
        try:
            with scope(tenant=tenant_id):
                usage_measure(tenant_id=tenant_id)
        except Exception:  # noqa: BLE001
            log.exception("usage measure failed for tenant %s", tenant_id)
    return len(tenant_ids)


def card_setup_url(*, membership: Membership, success_url: str, cancel_url: str) -> str:
    _require(membership)
    if not gateways.stripe_enabled():
        raise ValidationError(_("Card payments are not set up on this installation."))
    subscription = subscription_of(membership.tenant_id)
    try:
        customer, url = gateways.card_setup_start(
            customer=subscription.stripe_customer, email=membership.user.email, name=membership.tenant.name,
            success_url=success_url, cancel_url=cancel_url, metadata={"tenant": str(membership.tenant_id)})
    except gateways.GatewayUnavailable as error:
        raise ValidationError(_("Stripe could not be reached: %(error)s. Try again in a minute.") % {"error": error}) from error
    if customer != subscription.stripe_customer:
        Subscription.objects.filter(pk=subscription.pk).update(stripe_customer=customer)
    return url


def plan_settings() -> dict:
    return {"stripe": gateways.stripe_enabled(), "bank_details": settings.BILLING_BANK_DETAILS,
            "mobile_details": settings.BILLING_MOBILE_DETAILS}
