"""Platform invoices and the charges made against them: one invoice per period, one charge per attempt."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from apps.audit.services import Actor, audit_append
from apps.core.outbox import handler, outbox_enqueue
from apps.core.words import later

from .. import gateways
from ..models import (
    Charge,
    PlatformInvoice,
    PlatformInvoiceSequence,
    Subscription,
)
from ..periods import period_end
from .common import RETRY_DAYS, Status, _locked, _save, _tell_owners, price_of, today_utc

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


def invoice_words(subscription: Subscription, message, **values) -> str:
    """An invoice line in the organisation's language (a billing run has no reader to take it from)."""
    with translation.override(subscription.tenant.language or settings.LANGUAGE_CODE):
        values = {k: str(v()).lower() if callable(v) else v for k, v in values.items()}
        return str(later(message, **values))


def _bill_period(subscription: Subscription, today: dt.date) -> PlatformInvoice | None:
    price = price_of(subscription.plan, subscription.currency, subscription.period) or Decimal(0)
    start, end = subscription.current_period_start, subscription.current_period_end
    invoice = _invoice_issue(
        subscription, kind=PlatformInvoice.Kind.RENEWAL, key=f"period:{start}", start=start, end=end, amount=price,
        description=invoice_words(subscription, gettext_lazy("%(plan)s, %(period)s, %(start)s to %(end)s"),
                                  plan=subscription.plan.name, period=subscription.get_period_display, start=start,
                                  end=end - dt.timedelta(days=1)), today=today)
    if invoice is None:
        return None
    if price == 0:
        _invoice_paid(subscription, invoice, today)
    else:
        _charge_create(subscription, invoice)
    return invoice
