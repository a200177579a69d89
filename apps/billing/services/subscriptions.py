"""The owner's choices: the trial, a plan and period, cancelling, how to pay (bank, mobile money, a card)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scope

from apps.accounts.models import Membership, Tenant
from apps.accounts.permissions import can
from apps.audit.services import Actor, audit_append

from .. import gateways, limits
from ..models import (
    Plan,
    PlatformInvoice,
    Subscription,
)
from ..periods import prorate
from .charges import _bill_period, _charge_create, _invoice_issue, _period_start, invoice_words
from .common import (
    TRIAL_DAYS,
    Status,
    _locked,
    _save,
    currency_for,
    price_of,
    subscription_of,
    today_utc,
)

# -- the owner's choices ------------------------------------------------------------------------

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
                                     description=invoice_words(subscription, gettext_lazy("Upgrade to %(plan)s, %(start)s to %(end)s"),
                                                               plan=plan.name, start=today,
                                                               end=subscription.current_period_end - dt.timedelta(days=1)),
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
