"""Writes for the dated events of an animal's life: weighings, weaning, castration, moves and exits.

Each event is a row of `AnimalEvent`; the ones that change the animal (castration, a move, an exit)
change it through `animal_update`, so the register's rules (and its history) hold for them too.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts.permissions import can
from apps.audit.services import Actor, audit_append
from apps.core.dates import date_problem
from apps.core.words import day

from .models import Animal, AnimalEvent, DisposalReason, Sex, Status
from .services import animal_update

Kind = AnimalEvent.Kind
MAX_WEIGHT_KG = Decimal("2000")


def _weight_problem(weight) -> str | None:
    if weight is None:
        return _("Give the weight in kg.")
    if not Decimal("0") < weight <= MAX_WEIGHT_KG:
        return _("A weight is above 0 and at most %(limit)s kg.") % {"limit": f"{MAX_WEIGHT_KG:.0f}"}
    return None


def _validate(membership, animal: Animal, kind: str, on: dt.date, values: dict) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind not in Kind.values:
        errors["kind"] = _("Pick what happened.")
        return errors
    if animal.status != Status.ACTIVE:
        errors["on"] = _("%(tag)s is %(status)s: it has left the herd.") % {"tag": animal.tag,
                                                                               "status": animal.get_status_display().lower()}
    if problem := date_problem(on, today=animal.farm.local_today()):
        errors["on"] = problem
    elif animal.date_of_birth and on < animal.date_of_birth:
        errors["on"] = _("%(tag)s was born on %(day)s.") % {"tag": animal.tag, "day": day(animal.date_of_birth)}
    weight = values.get("weight_kg")
    if kind == Kind.WEIGHT and (problem := _weight_problem(weight)):
        errors["weight_kg"] = problem
    elif weight is not None and (problem := _weight_problem(weight)):
        errors["weight_kg"] = problem
    if kind == Kind.WEANING and AnimalEvent.objects.filter(tenant_id=animal.tenant_id, animal=animal, kind=Kind.WEANING).exists():
        errors["on"] = _("%(tag)s is already weaned.") % {"tag": animal.tag}
    if kind == Kind.CASTRATION:
        if animal.sex != Sex.MALE:
            errors["kind"] = _("%(tag)s is female.") % {"tag": animal.tag}
        elif animal.castrated:
            errors["kind"] = _("%(tag)s is already castrated.") % {"tag": animal.tag}
    if kind == Kind.MOVEMENT:
        to_farm, to_group = values.get("to_farm") or animal.farm, values.get("to_group")
        if to_farm.tenant_id != animal.tenant_id or to_farm.is_archived or not can(membership, "herd.manage", to_farm):
            errors["to_farm"] = _("Pick an active farm you work on.")
        elif to_group is not None and to_group.farm_id != to_farm.pk:
            errors["to_group"] = _("%(name)s is a group of another farm.") % {"name": to_group.name}
        elif to_farm.pk == animal.farm_id and (to_group.pk if to_group else None) == animal.group_id:
            errors["to_farm"] = _("%(tag)s is already there.") % {"tag": animal.tag}
    if kind == Kind.DISPOSAL:
        if values.get("exit_status") not in (Status.SOLD, Status.DEAD, Status.CULLED):
            errors["exit_status"] = _("Say whether it was sold, died or was culled.")
        if values.get("reason") not in DisposalReason.values:
            errors["reason"] = _("Pick the reason.")
    return errors


def _apply(membership, animal: Animal, event: AnimalEvent) -> None:
    """Carry the event onto the animal where it changes the register."""
    if event.kind == Kind.CASTRATION:
        animal_update(membership=membership, animal=animal, castrated=True, castrated_on=event.on, _from_event=True)
    elif event.kind == Kind.MOVEMENT:
        animal_update(membership=membership, animal=animal, farm=event.to_farm, group=event.to_group)
    elif event.kind == Kind.DISPOSAL:
        reason = DisposalReason(event.reason).label + (f": {event.note}" if event.note else "")
        animal_update(membership=membership, animal=animal, status=event.exit_status, status_on=event.on, status_reason=reason[:200])


@transaction.atomic
def event_record(*, membership, animal: Animal, kind: str, on: dt.date, weight_kg: Decimal | None = None, method: str = "",
                 to_farm=None, to_group=None, exit_status: str = "", reason: str = "", note: str = "") -> AnimalEvent:
    """Record one event of an animal's life; refuse what cannot be, keyed by field, and save nothing then."""
    if animal.tenant_id != membership.tenant_id or not can(membership, "herd.manage", animal):
        raise PermissionDenied
    # The animal as it is now (a castration or an exit may have been recorded since it was read).
    animal = Animal.objects.select_for_update(of=("self",)).select_related("farm", "group").get(pk=animal.pk)
    values = {"weight_kg": weight_kg, "to_farm": to_farm, "to_group": to_group, "exit_status": exit_status, "reason": reason}
    if errors := _validate(membership, animal, kind, on, values):
        raise ValidationError(errors)
    event = AnimalEvent(
        tenant_id=membership.tenant_id, animal=animal, kind=kind, on=on, weight_kg=weight_kg,
        method=(method or AnimalEvent.Method.SCALE) if weight_kg is not None else "",
        note=note.strip()[:200], recorded_by=membership,
    )
    if kind == Kind.MOVEMENT:
        event.from_farm, event.from_group = animal.farm, animal.group
        event.to_farm, event.to_group = to_farm or animal.farm, to_group
    if kind == Kind.DISPOSAL:
        event.exit_status, event.reason = exit_status, reason
    event.save()
    _apply(membership, animal, event)
    audit_append(actor=Actor.of(membership), action=f"herd.event.{kind}", obj=animal, farm_id=animal.farm_id, permission="herd.manage",
                 after={"on": on, "weight_kg": weight_kg, "to_farm": getattr(event.to_farm, "pk", None),
                        "to_group": getattr(event.to_group, "pk", None), "exit_status": exit_status, "reason": reason})
    return event


def animal_sold(*, membership, animal: Animal, on: dt.date, buyer: str) -> AnimalEvent:
    """A sale takes the animal out of the herd as any exit does: the exit on its timeline, its status changed through
    the register (its history, the animal.disposed event). The sale has checked the seller's finance.manage."""
    event = AnimalEvent.objects.create(tenant_id=animal.tenant_id, animal=animal, kind=Kind.DISPOSAL, on=on,
                                       exit_status=Status.SOLD, note=(_("Sold to %(buyer)s") % {"buyer": buyer})[:200],
                                       recorded_by=membership)
    animal_update(membership=membership, animal=animal, permission="finance.manage", status=Status.SOLD, status_on=on,
                  status_reason=event.note)
    return event


def animal_sale_undone(*, membership, animal: Animal, on: dt.date) -> None:
    """A voided sale brings the animal back into the herd; its exit leaves the timeline."""
    AnimalEvent.objects.filter(tenant_id=animal.tenant_id, animal=animal, kind=Kind.DISPOSAL, exit_status=Status.SOLD,
                               on=on).delete()
    animal_update(membership=membership, animal=animal, permission="finance.manage", status=Status.ACTIVE)


class GroupErrors(Exception):
    """Some animals of a group action were refused; nothing of the action was saved."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(f"{len(errors)} animals refused")


@transaction.atomic
def events_record_many(*, membership, animals: list[Animal], kind: str, on: dt.date, weights: dict[int, Decimal] | None = None,
                       **values) -> list[AnimalEvent]:
    """The same event for a selection from the herd list (weigh, move, wean), all or nothing.

    `weights` maps an animal's id to its weight; for a weighing every animal needs one.
    """
    if kind not in (Kind.WEIGHT, Kind.MOVEMENT, Kind.WEANING):
        raise ValidationError({"kind": _("Weigh, move or wean a selection.")})
    if not animals:
        raise ValidationError({"kind": _("Tick the animals first.")})
    weights = weights or {}
    errors: dict[str, str] = {}
    events = []
    for animal in animals:
        try:
            events.append(event_record(membership=membership, animal=animal, kind=kind, on=on,
                                       weight_kg=weights.get(animal.pk), **values))
        except ValidationError as error:
            errors[animal.tag] = " ".join(error.messages)
    if errors:
        raise GroupErrors(errors)  # leaving the atomic block undoes the ones that went in
    return events
