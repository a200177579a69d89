"""Writes for feeding: rations, and each feeding drawing its feed from the farm's stock at the batches' cost."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from apps.accounts.permissions import can
from apps.audit.services import Actor, audit_append, snapshot
from apps.core.dates import date_problem
from apps.core.words import amount
from apps.herd.models import Animal, Status
from apps.stock.models import Batch, ItemKind
from apps.stock.services import stock_draw

from .models import Feeding, FeedingLine, Ration, RationLine

FEEDS = (ItemKind.FEED, ItemKind.SUPPLEMENT)
MAX_FED = Decimal("100000")
CENT = Decimal("0.01")


def _check_group(farm, group, errors: dict) -> None:
    if group is not None and (group.tenant_id != farm.tenant_id or group.farm_id != farm.pk):
        errors["group"] = _("Pick a group of this farm.")


def _check_items(tenant_id: int, items, errors: dict) -> None:
    for item in items:
        if item.tenant_id != tenant_id or item.kind not in FEEDS:
            errors["lines"] = _("Pick feeds or supplements from the organisation's stock items.")


@transaction.atomic
def ration_save(*, membership, farm, group=None, name: str, standing: bool, starts_on: dt.date, ends_on: dt.date | None = None,
                lines: list[tuple], ration: Ration | None = None) -> Ration:
    """Add or change a ration. `lines`: (feed item, per head per day or None, for the group per day or None)."""
    if not can(membership, "herd.manage", farm):
        raise PermissionDenied
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Give the ration a name.")
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The end comes before the start.")
    _check_group(farm, group, errors)
    _check_items(membership.tenant_id, [line[0] for line in lines], errors)
    for item, per_head, per_day in lines:
        if (per_head is None) == (per_day is None) or (per_head or per_day or 0) <= 0 or (per_head or per_day) > MAX_FED:
            errors["lines"] = _("Give each feed either a quantity per head or one for the group, above zero.")
    if not lines:
        errors["lines"] = _("Add at least one feed.")
    if len({line[0].pk for line in lines}) != len(lines):
        errors["lines"] = _("Name each feed once.")
    if errors:
        raise ValidationError(errors)
    before = snapshot(ration) if ration else None
    ration = ration or Ration(tenant_id=membership.tenant_id, created_by=membership)
    ration.farm, ration.group, ration.name, ration.standing = farm, group, name, standing
    ration.starts_on, ration.ends_on = starts_on, ends_on
    ration.save()
    RationLine.objects.filter(tenant_id=membership.tenant_id, ration=ration).delete()
    RationLine.objects.bulk_create([RationLine(tenant_id=membership.tenant_id, ration=ration, item=item, per_head=per_head,
                                               per_day=per_day) for item, per_head, per_day in lines])
    audit_append(actor=Actor.of(membership), action="feeding.ration_save", obj=ration, before=before,
                 after={**snapshot(ration), "lines": [[i.pk, str(h) if h else None, str(d) if d else None] for i, h, d in lines]},
                 permission="herd.manage")
    return ration


def head_of(farm, group) -> int:
    """The animals fed: the group's active animals, or the farm's when no group is named."""
    animals = Animal.objects.filter(tenant_id=farm.tenant_id, farm=farm, status=Status.ACTIVE)
    return (animals.filter(group=group) if group is not None else animals).count()


def ration_quantities(ration: Ration, head: int) -> list[tuple]:
    """(item, quantity) for one day of the ration fed to `head` animals."""
    return [(line.item, line.per_day if line.per_day is not None else (line.per_head * head).quantize(Decimal("0.001")))
            for line in ration.lines.all()]


def _draw(membership, farm, item, quantity: Decimal, at: dt.datetime, reason: str) -> tuple[Decimal, Decimal]:
    """Draw up to `quantity` of a feed from the farm's batches, soonest expiring first; (drawn, cost)."""
    drawn, cost = Decimal("0"), Decimal("0")
    batches = Batch.objects.filter(tenant_id=membership.tenant_id, farm=farm, item=item, quantity__gt=0).filter(
        Q(expires_on=None) | Q(expires_on__gte=at.astimezone(farm.zone).date())).order_by("expires_on", "id")
    for batch in batches:
        take = min(batch.quantity, quantity - drawn)
        if take <= 0:
            break
        stock_draw(membership=membership, batch=batch, quantity=take, at=at, reason=reason)
        drawn += take
        cost += take * batch.unit_cost
    return drawn, cost


def latest_cost(farm, item) -> Decimal:
    batch = Batch.objects.filter(tenant_id=farm.tenant_id, farm=farm, item=item).order_by("-created_at", "-id").first()
    return batch.unit_cost if batch else Decimal("0")


@transaction.atomic
def feeding_record(*, membership, farm, date: dt.date, lines: list[tuple], group=None, ration: Ration | None = None,
                   automatic: bool = False) -> Feeding:
    """A day's feeding: each feed drawn from the farm's stock at the batches' cost. What the stock does not hold is
    recorded as fed all the same, flagged as a shortfall and costed at the feed's latest batch cost."""
    if not can(membership, "herd.manage", farm):
        raise PermissionDenied
    errors = {}
    if farm.tenant_id != membership.tenant_id or farm.is_archived:
        errors["farm"] = _("Pick an active farm of this organisation.")
    if problem := date_problem(date, today=farm.local_today()):
        errors["date"] = problem
    _check_group(farm, group, errors)
    _check_items(membership.tenant_id, [item for item, _ in lines], errors)
    lines = [(item, quantity) for item, quantity in lines if quantity]
    if not lines:
        errors["lines"] = _("Give the quantity of at least one feed.")
    for _item, quantity in lines:
        if not Decimal("0") < quantity <= MAX_FED:
            errors["lines"] = _("Quantities run above zero, up to 100,000.")
    if errors:
        raise ValidationError(errors)
    feeding = Feeding(tenant_id=membership.tenant_id, farm=farm, group=group, date=date, ration=ration,
                      head_count=head_of(farm, group), automatic=automatic, recorded_by=membership)
    try:
        with transaction.atomic():
            feeding.save()
    except IntegrityError:
        raise ValidationError({"date": _("This ration is already fed on that day.")}) from None
    at = dt.datetime.combine(date, dt.time(6), tzinfo=farm.zone)
    reason = _("Fed: %(name)s") % {"name": ration.name if ration else (group.name if group else farm.name)}
    for item, quantity in lines:
        drawn, cost = _draw(membership, farm, item, quantity, at, reason)
        shortfall = quantity - drawn
        cost += shortfall * latest_cost(farm, item)
        FeedingLine.objects.create(tenant_id=membership.tenant_id, feeding=feeding, item=item, quantity=quantity, drawn=drawn,
                                   shortfall=shortfall, cost=cost.quantize(CENT, ROUND_HALF_UP))
    audit_append(actor=Actor.of(membership), action="feeding.record", obj=feeding,
                 after={**snapshot(feeding), "lines": [[i.pk, amount(q)] for i, q in lines]}, permission="herd.manage")
    return feeding


def standing_rations_feed(*, tenant_id: int, day: dt.date | None = None) -> int:
    """The morning job: each standing ration in force on the day (each farm's own today when none is given) and not
    yet fed that day is fed, as the member who set it up. A ration that cannot be fed (its author gone, an archived
    farm) is left for a person to see."""
    fed = 0
    rations = (Ration.objects.filter(tenant_id=tenant_id, standing=True)
               .select_related("farm", "group", "created_by__tenant", "created_by__role").prefetch_related("lines__item"))
    for ration in rations:
        today = day or ration.farm.local_today()
        if ration.starts_on > today or (ration.ends_on and ration.ends_on < today) or ration.farm.is_archived:
            continue
        if not ration.created_by.is_active or Feeding.objects.filter(tenant_id=tenant_id, ration=ration, date=today).exists():
            continue
        try:
            feeding_record(membership=ration.created_by, farm=ration.farm, date=today, group=ration.group, ration=ration,
                           lines=ration_quantities(ration, head_of(ration.farm, ration.group)), automatic=True)
        except (ValidationError, PermissionDenied):
            continue
        fed += 1
    return fed
