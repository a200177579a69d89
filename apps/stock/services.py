"""Writes to stock: items, receiving, using, adjusting and moving batches. Each movement is a row."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.permissions import can
from apps.audit.services import Actor, audit_append, snapshot
from apps.core.dates import date_problem
from apps.core.words import amount, day
from apps.herd.models import Species

from .models import Batch, ItemKind, MovementKind, StockItem, StockMovement, WithdrawalPeriod

MAX_QUANTITY = Decimal("1000000")


@transaction.atomic
def item_save(*, membership, item: StockItem | None = None, kind: str, name: str, unit: str,
              reorder_level: Decimal = Decimal("0"), active_substance: str = "", lactating_allowed: bool = True,
              booster_days: int | None = None, withdrawals: dict[str, tuple[int | None, int]] | None = None) -> StockItem:
    """Add or change a stock item; for a medicine or vaccine, its label's withdrawal per species
    (`withdrawals`: species -> (milk hours or None when not for milk-producing animals, meat days))."""
    if not can(membership, "stock.manage"):
        raise PermissionDenied
    errors = {}
    name, unit = name.strip(), unit.strip()
    if kind not in ItemKind.values:
        errors["kind"] = _("Pick a kind of item.")
    if not name:
        errors["name"] = _("Give the item a name.")
    if not unit:
        errors["unit"] = _("Say what it is counted in (mL, tube, dose, kg, bag).")
    if reorder_level < 0:
        errors["reorder_level"] = _("A reorder level cannot be below zero.")
    withdrawals = withdrawals or {}
    for species, (milk_hours, meat_days) in withdrawals.items():
        if species not in Species.values:
            errors["withdrawals"] = _("Unknown species %(species)s.") % {"species": species}
        elif (milk_hours is not None and not 0 <= milk_hours <= 24 * 365) or not 0 <= meat_days <= 3650:
            errors["withdrawals"] = _("Withdrawal periods run from 0 to 8,760 hours (milk) and 0 to 3,650 days (meat).")
    if errors:
        raise ValidationError(errors)
    before = snapshot(item) if item else None
    item = item or StockItem(tenant_id=membership.tenant_id)
    item.kind, item.name, item.unit, item.reorder_level = kind, name, unit, reorder_level
    item.active_substance, item.lactating_allowed, item.booster_days = active_substance.strip(), lactating_allowed, booster_days
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise ValidationError({"name": _("There is already an item called %(name)s.") % {"name": name}}) from None
    if item.is_medicinal:
        WithdrawalPeriod.objects.filter(tenant_id=membership.tenant_id, item=item).exclude(species__in=list(withdrawals)).delete()
        for species, (milk_hours, meat_days) in withdrawals.items():
            WithdrawalPeriod.objects.update_or_create(
                tenant_id=membership.tenant_id, item=item, species=species,
                defaults={"milk_hours": milk_hours, "meat_days": meat_days},
            )
    audit_append(actor=Actor.of(membership), action="stock.item_save", obj=item, before=before,
                 after={**snapshot(item), "withdrawals": {k: list(v) for k, v in withdrawals.items()}}, permission="stock.manage")
    return item


def _check_quantity(quantity: Decimal, errors: dict, field: str = "quantity") -> None:
    if quantity is None or not Decimal("0") < quantity <= MAX_QUANTITY:
        errors[field] = _("Enter a quantity above zero.")


@transaction.atomic
def batch_receive(*, membership, item: StockItem, farm, quantity: Decimal, lot: str = "", expires_on: dt.date | None = None,
                  unit_cost: Decimal | None = Decimal("0"), supplier=None, expense=None, invoice=None,
                  received_on: dt.date | None = None) -> Batch:
    """Stock arriving on a farm: a new batch and its "received" movement."""
    if not can(membership, "stock.manage", farm) or farm.tenant_id != membership.tenant_id:
        raise PermissionDenied
    errors: dict[str, str] = {}
    received_on = received_on or farm.local_today()
    _check_quantity(quantity, errors)
    if item.tenant_id != membership.tenant_id:
        errors["item"] = _("Pick an item of this organisation.")
    if unit_cost is not None and unit_cost < 0:
        errors["unit_cost"] = _("A cost cannot be below zero.")
    if problem := date_problem(received_on, today=farm.local_today()):
        errors["received_on"] = problem
    if expires_on and (problem := date_problem(expires_on)):
        errors["expires_on"] = problem
    for name, linked in (("supplier", supplier), ("expense", expense), ("invoice", invoice)):
        if linked is not None and linked.tenant_id != membership.tenant_id:
            errors[name] = _("Pick one of this organisation's.")
    if expense is not None and expense.status != "approved":
        errors["expense"] = _("Link an approved expense.")
    if errors:
        raise ValidationError(errors)
    batch = Batch.objects.create(tenant_id=membership.tenant_id, item=item, farm=farm, lot=lot.strip(), expires_on=expires_on,
                                 quantity=quantity, unit_cost=unit_cost or Decimal("0"), supplier=supplier)
    _movement(membership, batch, MovementKind.RECEIVED, quantity, expense=expense, invoice=invoice,
              at=dt.datetime.combine(received_on, dt.time(12), tzinfo=farm.zone))
    audit_append(actor=Actor.of(membership), action="stock.receive", obj=batch, farm_id=farm.pk,
                 after={"item": item.name, "lot": batch.lot, "quantity": quantity}, permission="stock.manage")
    return batch


def stock_draw(*, membership, batch: Batch, quantity: Decimal, at: dt.datetime, reason: str = "",
               administration=None) -> Batch:
    """Take `quantity` out of a batch for use, in the caller's transaction.

    The batch row is locked first, so two people drawing the last dose at once get one success and
    one refusal, never negative stock.
    """
    errors: dict[str, str] = {}
    _check_quantity(quantity, errors, "dose")
    if errors:
        raise ValidationError(errors)
    locked = Batch.objects.select_for_update().select_related("item", "farm").get(pk=batch.pk, tenant_id=membership.tenant_id)
    used_on = at.astimezone(locked.farm.zone).date()
    if locked.expires_on and locked.expires_on < used_on:
        raise ValidationError({"batch": _("Batch %(lot)s of %(item)s expired on %(day)s.") % {
            "lot": locked.lot or locked.pk, "item": locked.item.name, "day": day(locked.expires_on)}})
    if locked.quantity < quantity:
        raise ValidationError({"batch": _("Only %(left)s %(unit)s of %(item)s %(lot)s left; %(needed)s needed.") % {
            "left": amount(locked.quantity), "unit": locked.item.unit, "item": locked.item.name, "lot": locked.lot,
            "needed": amount(quantity)}})
    locked.quantity -= quantity
    locked.save(update_fields=["quantity", "updated_at"])
    _movement(membership, locked, MovementKind.USED, -quantity, at=at, reason=reason, administration=administration)
    return locked


@transaction.atomic
def stock_use(*, membership, batch: Batch, quantity: Decimal, reason: str, used_at=None) -> Batch:
    """Feed fed, supplements given, supplies used: stock out of a batch that no treatment records."""
    if not can(membership, "stock.manage", batch.farm) or batch.tenant_id != membership.tenant_id:
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Say what it was used for (fed to the milking herd…).")})
    used_at = used_at or timezone.now()
    if used_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"used_at": _("This time is in the future.")})
    used = stock_draw(membership=membership, batch=batch, quantity=quantity, at=used_at, reason=reason.strip())
    audit_append(actor=Actor.of(membership), action="stock.use", obj=used, farm_id=used.farm_id,
                 after={"quantity": quantity, "reason": reason.strip()}, permission="stock.manage")
    return used


def stock_return(*, membership, batch: Batch, quantity: Decimal, reason: str, administration=None) -> None:
    """Put back what a voided record had drawn (the dose was never given)."""
    locked = Batch.objects.select_for_update().get(pk=batch.pk, tenant_id=membership.tenant_id)
    locked.quantity += quantity
    locked.save(update_fields=["quantity", "updated_at"])
    _movement(membership, locked, MovementKind.ADJUSTED, quantity, at=timezone.now(), reason=reason, administration=administration)


@transaction.atomic
def stock_adjust(*, membership, batch: Batch, counted: Decimal, reason: str) -> Batch:
    """Set a batch to what was counted on the shelf; the difference is an "adjusted" movement."""
    if not can(membership, "stock.manage", batch.farm) or batch.tenant_id != membership.tenant_id:
        raise PermissionDenied
    errors = {}
    if counted is None or not Decimal("0") <= counted <= MAX_QUANTITY:
        errors["counted"] = _("Enter what is on the shelf, zero or more.")
    if not reason.strip():
        errors["reason"] = _("Say why the stock is adjusted (count, breakage, expired…).")
    if errors:
        raise ValidationError(errors)
    locked = Batch.objects.select_for_update().get(pk=batch.pk)
    difference = counted - locked.quantity
    locked.quantity = counted
    locked.save(update_fields=["quantity", "updated_at"])
    _movement(membership, locked, MovementKind.ADJUSTED, difference, at=timezone.now(), reason=reason.strip())
    audit_append(actor=Actor.of(membership), action="stock.adjust", obj=locked, farm_id=locked.farm_id,
                 after={"counted": counted, "difference": difference, "reason": reason.strip()}, permission="stock.manage")
    return locked


@transaction.atomic
def stock_move(*, membership, batch: Batch, to_farm, quantity: Decimal) -> Batch:
    """Move part of a batch to another farm of the organisation (the lot and expiry travel with it)."""
    if not (can(membership, "stock.manage", batch.farm) and can(membership, "stock.manage", to_farm)):
        raise PermissionDenied
    if to_farm.tenant_id != membership.tenant_id or to_farm.pk == batch.farm_id:
        raise ValidationError({"to_farm": _("Pick another farm of this organisation.")})
    errors: dict[str, str] = {}
    _check_quantity(quantity, errors)
    if errors:
        raise ValidationError(errors)
    locked = Batch.objects.select_for_update().select_related("item").get(pk=batch.pk, tenant_id=membership.tenant_id)
    if locked.quantity < quantity:
        raise ValidationError({"quantity": _("Only %(left)s %(unit)s on hand.") % {"left": amount(locked.quantity),
                                                                                     "unit": locked.item.unit}})
    now = timezone.now()
    locked.quantity -= quantity
    locked.save(update_fields=["quantity", "updated_at"])
    moved = Batch.objects.create(tenant_id=membership.tenant_id, item=locked.item, farm=to_farm, lot=locked.lot,
                                 expires_on=locked.expires_on, quantity=quantity, unit_cost=locked.unit_cost, supplier=locked.supplier)
    _movement(membership, locked, MovementKind.MOVED_OUT, -quantity, at=now, reason=f"to {to_farm.name}")
    _movement(membership, moved, MovementKind.MOVED_IN, quantity, at=now, reason=f"from {locked.farm.name}")
    audit_append(actor=Actor.of(membership), action="stock.move", obj=moved, farm_id=to_farm.pk,
                 after={"from_batch": locked.pk, "quantity": quantity}, permission="stock.manage")
    return moved


def _movement(membership, batch: Batch, kind: str, quantity: Decimal, *, at, reason: str = "", expense=None, invoice=None,
              administration=None) -> StockMovement:
    return StockMovement.objects.create(tenant_id=membership.tenant_id, batch=batch, kind=kind, quantity=quantity, at=at,
                                        by=membership, reason=reason, expense=expense, invoice=invoice, administration=administration)
