"""Payments told from outside: staff or a transfer webhook against an invoice number, and Stripe's events."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from .. import gateways
from ..models import (
    Charge,
    PaymentEvent,
    PlatformInvoice,
    Subscription,
)
from .charges import _invoice_paid, charge_decided
from .common import _locked, today_utc

log = logging.getLogger(__name__)

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
