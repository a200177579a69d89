"""Sire hire agreements: a sire hired from another farm or lent to it, and the invoice for its fee."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts.models import Membership
from apps.accounts.permissions import can
from apps.audit.services import Actor, audit_append
from apps.core.dates import date_problem
from apps.core.money import amount_problem
from apps.core.words import day
from apps.finance.models import Contact, Invoice
from apps.finance.services import contact_save, invoice_issue, invoice_save_draft
from apps.finance.services.base import currency_of
from apps.herd.models import Sex

from ..models import Service, SireHire

HIRE_FIELDS = ["direction", "farm", "other_farm", "outside_sire", "own_sire", "starts_on", "ends_on", "basis", "fee", "terms"]


def _validate(membership, hire: SireHire) -> dict[str, str]:
    errors: dict[str, str] = {}
    tenant_id = membership.tenant_id
    if hire.farm_id is None or hire.farm.tenant_id != tenant_id or not can(membership, "herd.manage", hire.farm):
        errors["farm"] = _("Pick a farm you work on.")
    if hire.other_farm_id is None or hire.other_farm.tenant_id != tenant_id:
        errors["other_farm"] = _("Pick the other farm from the outside register.")
    if hire.direction == SireHire.Direction.HIRE_IN:
        if hire.outside_sire_id is None or hire.outside_sire.tenant_id != tenant_id:
            errors["outside_sire"] = _("Pick the hired sire from the outside register.")
        hire.own_sire = None
    else:
        sire = hire.own_sire
        if sire is None or sire.tenant_id != tenant_id or not can(membership, "herd.view", sire):
            errors["own_sire"] = _("Pick the male of your herd that is lent.")
        elif sire.sex != Sex.MALE or sire.castrated:
            errors["own_sire"] = _("%(tag)s is not an entire male.") % {"tag": sire.tag}
        hire.outside_sire = None
    for field in ("starts_on", "ends_on"):
        if getattr(hire, field) is None:
            errors[field] = _("Give the date.")
        elif problem := date_problem(getattr(hire, field)):
            errors[field] = problem
    if not errors.get("ends_on") and not errors.get("starts_on") and hire.ends_on < hire.starts_on:
        errors["ends_on"] = _("The agreement cannot end before it starts.")
    if hire.basis not in SireHire.Basis.values:
        errors["basis"] = _("Pick how the fee is counted.")
    if (problem := amount_problem(hire.fee, currency_of(membership), allow_zero=True)) is not None:
        errors["fee"] = problem
    return errors


@transaction.atomic
def hire_save(*, membership, hire: SireHire | None = None, **values) -> SireHire:
    """Record or change a hire agreement (one that has been invoiced is closed)."""
    if not can(membership, "herd.manage"):
        raise PermissionDenied
    if hire is not None:
        hire = SireHire.objects.select_for_update().get(pk=hire.pk, tenant_id=membership.tenant_id)
        if hire.invoice_id:
            raise ValidationError(_("This agreement has ended and been invoiced; it cannot change."))
    hire = hire or SireHire(tenant_id=membership.tenant_id, recorded_by=membership)
    for key in HIRE_FIELDS:
        if key in values:
            value = values[key]
            setattr(hire, key, value.strip() if isinstance(value, str) else value)
    if errors := _validate(membership, hire):
        raise ValidationError(errors)
    hire.save()
    audit_append(actor=Actor.of(membership), action="breeding.hire_save", obj=hire, farm_id=hire.farm_id, permission="herd.manage",
                 after={"direction": hire.direction, "starts_on": hire.starts_on, "ends_on": hire.ends_on, "basis": hire.basis,
                        "fee": hire.fee})
    return hire


def hire_amount(hire: SireHire) -> tuple[Decimal, Decimal, str]:
    """(quantity, unit price, unit) of the agreement's fee: a flat fee, the days of the period, or the services."""
    if hire.basis == SireHire.Basis.PER_DAY:
        return Decimal((hire.ends_on - hire.starts_on).days + 1), hire.fee, "days"
    if hire.basis == SireHire.Basis.PER_SERVICE:
        count = Service.objects.filter(tenant_id=hire.tenant_id, hire=hire).count()
        return Decimal(count), hire.fee, "services"
    return Decimal("1"), hire.fee, ""


def _finance_actor(hire: SireHire) -> Membership | None:
    """Who the invoice is written by: the person who recorded the agreement, or else an owner."""
    if hire.recorded_by.is_active and can(hire.recorded_by, "finance.manage", hire.farm):
        return hire.recorded_by
    owners = Membership.objects.filter(tenant_id=hire.tenant_id, is_active=True, is_service=False, role__key="owner").select_related(
        "role", "tenant")
    return next((m for m in owners if can(m, "finance.manage", hire.farm)), None)


def _contact_for(membership, hire: SireHire) -> Contact:
    kind = Contact.Kind.SUPPLIER if hire.direction == SireHire.Direction.HIRE_IN else Contact.Kind.CUSTOMER
    contact = Contact.objects.filter(tenant_id=hire.tenant_id, name__iexact=hire.other_farm.name).first()
    if contact is None:
        contact = contact_save(membership=membership, kind=kind, name=hire.other_farm.name,
                               contact_person=hire.other_farm.contact[:120], address=hire.other_farm.location[:250])
    return contact


@transaction.atomic
def hire_end(*, hire: SireHire, membership=None) -> Invoice | None:
    """Close the agreement with its invoice: a purchase invoice for a sire hired in, a sales invoice
    for one lent out. Run twice (a job retried, two clicks), it still makes one invoice."""
    hire = SireHire.objects.select_for_update(of=("self",)).select_related(
        "farm", "other_farm", "outside_sire", "own_sire", "recorded_by__role").get(pk=hire.pk)
    if hire.invoice_id:
        return hire.invoice
    if membership is not None and not (can(membership, "herd.manage", hire.farm) and membership.tenant_id == hire.tenant_id):
        raise PermissionDenied
    actor = membership if membership is not None and can(membership, "finance.manage", hire.farm) else _finance_actor(hire)
    if actor is None:
        raise ValidationError(_("Nobody who manages money on this farm can write the invoice."))
    quantity, price, unit = hire_amount(hire)
    sire = hire.sire
    kind = Invoice.Kind.PURCHASE if hire.direction == SireHire.Direction.HIRE_IN else Invoice.Kind.SALES
    description = _("Hire of %(sire)s, %(start)s to %(end)s (%(basis)s)") % {
        "sire": sire.name if hire.direction == SireHire.Direction.HIRE_IN else sire.tag, "start": day(hire.starts_on),
        "end": day(hire.ends_on), "basis": hire.get_basis_display().lower()}
    if quantity == 0:
        quantity, price, description = Decimal("1"), Decimal("0"), description + ": no service"
    invoice = invoice_save_draft(
        membership=actor, kind=kind, contact=_contact_for(actor, hire), due_date=None, farm=hire.farm,
        notes=(hire.terms or "")[:500], lines=[{"description": description[:200], "quantity": quantity, "unit": unit,
                                                "unit_price": price}],
    )
    invoice = invoice_issue(membership=actor, invoice=invoice)
    hire.invoice = invoice
    hire.save(update_fields=["invoice", "updated_at"])
    audit_append(actor=Actor.of(actor), action="breeding.hire_end", obj=hire, farm_id=hire.farm_id, permission="finance.manage",
                 after={"invoice": invoice.number, "total": invoice.total})
    return invoice


def hires_end_due(*, tenant_id: int, today: dt.date) -> list[int]:
    """The nightly round: invoice every agreement of the organisation that ended before today."""
    done = []
    for pk in SireHire.objects.filter(tenant_id=tenant_id, ends_on__lt=today, invoice=None).values_list("pk", flat=True):
        try:
            hire_end(hire=SireHire.objects.get(pk=pk))
        except ValidationError:
            continue  # no one may write it: it stays on the agreements page for an owner to end
        done.append(pk)
    return done
