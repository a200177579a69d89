"""What the other billing services share: constants, prices, the organisation's standing, telling owners."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Membership, Tenant
from apps.accounts.people import tenant_people_changed

from ..models import (
    Plan,
    PlanPrice,
    PlatformInvoice,
    Subscription,
)
from ..periods import money

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
            day = date_format(dt.date.fromisoformat(detail), "DATE_FORMAT")
        except ValueError:
            day = detail
        return _("The subscription ended on %(day)s. Choose a plan to add or change records; %(kept)s") % {
            "day": day, "kept": kept}
    return code


def _save(subscription: Subscription, fields: list[str]) -> None:
    subscription.save(update_fields=[*fields, "updated_at"])
    reason = hold_reason(subscription)
    if Tenant.objects.filter(pk=subscription.tenant_id).exclude(read_only_reason=reason).update(read_only_reason=reason):
        tenant_people_changed(subscription.tenant_id)


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
