"""Sales of animals, milk and other produce."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.permissions import can
from apps.audit.services import Actor, audit_append, snapshot
from apps.core.dates import date_problem
from apps.core.money import amount_problem
from apps.core.words import day
from apps.herd import hooks
from apps.herd.lifecycle import animal_sale_undone, animal_sold
from apps.herd.models import Animal, Status

from ..models import (
    Contact,
    Invoice,
    Sale,
)
from .base import claim_submission, currency_of, today_for

# Sales --------------------------------------------------------------------------------------------


@transaction.atomic
def sale_record(
    *,
    membership,
    key: str,
    kind: str,
    farm,
    date: dt.date,
    buyer: Contact,
    unit_price: Decimal,
    quantity: Decimal | None = None,
    unit: str = "",
    animal: Animal | None = None,
    live_weight: Decimal | None = None,
    product: str = "",
    purpose: str = "",
    withdrawal_acknowledged: bool = False,
) -> Sale:
    """Record a sale; an animal sold leaves the active herd."""
    if not can(membership, "finance.manage", farm):
        raise PermissionDenied
    claim = claim_submission(tenant_id=membership.tenant_id, key=key, action="sale.record")
    errors = {}
    acknowledged_until = None
    tenant_id = membership.tenant_id
    if farm.tenant_id != tenant_id:
        errors["farm"] = _("Pick a farm of this organisation.")
    if buyer.tenant_id != tenant_id:
        errors["buyer"] = _("Pick a buyer of this organisation.")
    if problem := date_problem(date, today=today_for(farm)):
        errors["date"] = problem
    if problem := amount_problem(unit_price, currency_of(membership)):
        errors["unit_price"] = problem
    if kind != Sale.Kind.ANIMAL and (quantity is None or quantity <= 0):
        errors["quantity"] = _("Enter a quantity above zero.")
    if live_weight is not None and not (Decimal("0") < live_weight <= Decimal("2000")):
        errors["live_weight"] = _("Enter a live weight between 0 and 2,000 kg.")
    if kind == Sale.Kind.ANIMAL:
        if animal is None:
            errors["animal"] = _("Pick the animal sold.")
        else:
            animal = Animal.objects.select_for_update().get(pk=animal.pk)
            if animal.tenant_id != tenant_id or animal.farm_id != farm.pk:
                errors["animal"] = _("Pick an animal of this farm.")
            elif animal.status != Status.ACTIVE:
                errors["animal"] = _("%(tag)s is already %(status)s.") % {"tag": animal.tag,
                                                                          "status": animal.get_status_display().lower()}
            elif (until := hooks.meat_withdrawal_until(animal)) and until >= date:
                # Meat from a treated animal must not reach the food chain before its withdrawal ends.
                if purpose != "alive":
                    errors["animal"] = _("%(tag)s is under meat withdrawal until %(day)s; she cannot be sold for "
                                         "slaughter before then.") % {"tag": animal.tag, "day": day(until)}
                elif not withdrawal_acknowledged:
                    errors["withdrawal_acknowledged"] = _("%(tag)s is under meat withdrawal until %(day)s: confirm the "
                                                          "buyer has been told.") % {"tag": animal.tag, "day": day(until)}
                else:
                    acknowledged_until = until
        if purpose not in ("slaughter", "alive"):
            errors["purpose"] = _("Say whether the animal is sold for slaughter or alive.")
        quantity, unit = Decimal("1"), "head"
    elif not (product or "").strip() and kind == Sale.Kind.OTHER:
        errors["product"] = _("Say what was sold.")
    if errors:
        raise ValidationError(errors)
    total = (quantity * unit_price).quantize(Decimal("0.01"))
    sale = Sale.objects.create(
        tenant_id=tenant_id,
        kind=kind,
        farm=farm,
        date=date,
        buyer=buyer,
        animal=animal if kind == Sale.Kind.ANIMAL else None,
        live_weight=live_weight,
        product=product.strip() or ("Milk" if kind == Sale.Kind.MILK else ""),
        quantity=quantity,
        unit=unit,
        unit_price=unit_price,
        total=total,
        recorded_by=membership,
        purpose=purpose if kind == Sale.Kind.ANIMAL else "",
        withdrawal_acknowledged_until=acknowledged_until,
    )
    if kind == Sale.Kind.ANIMAL:
        animal_sold(membership=membership, animal=animal, on=date, buyer=buyer.name)
        audit_append(actor=Actor.of(membership), action="animal.sold", obj=animal, before={"status": Status.ACTIVE},
                     after={"status": "sold", "sale": sale.pk})
    audit_append(
        actor=Actor.of(membership), action="sale.record", obj=sale, after=snapshot(sale), permission="finance.manage"
    )
    claim.result = f"/money/sales/{sale.pk}/"
    claim.save(update_fields=["result"])
    return sale


@transaction.atomic
def sale_void(*, membership, sale: Sale) -> Sale:
    """Cancel a sale; a sold animal comes back to the herd."""
    sale = Sale.objects.select_for_update().get(pk=sale.pk, tenant_id=membership.tenant_id)
    if not can(membership, "finance.manage", sale):
        raise PermissionDenied
    if sale.voided_at:
        raise ValidationError(_("This sale was already voided."))
    if sale.invoice_id and sale.invoice.status not in (Invoice.Status.DRAFT, Invoice.Status.VOID):
        raise ValidationError(_("Void its invoice first (or issue a credit note)."))
    sale.voided_at = timezone.now()
    sale.save(update_fields=["voided_at", "updated_at"])
    if sale.animal_id:
        animal = Animal.objects.select_for_update().get(pk=sale.animal_id)
        if (
            Animal.objects.filter(tenant_id=animal.tenant_id, tag__iexact=animal.tag, status=Status.ACTIVE)
            .exclude(pk=animal.pk)
            .exists()
        ):
            raise ValidationError(_("Tag %(tag)s is now worn by another animal; retag it before voiding this sale.") % {"tag": animal.tag})
        animal_sale_undone(membership=membership, animal=animal, on=sale.date)
        audit_append(actor=Actor.of(membership), action="animal.sale_voided", obj=animal, after={"status": "active"})
    audit_append(actor=Actor.of(membership), action="sale.void", obj=sale, permission="finance.manage")
    return sale
