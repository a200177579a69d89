"""Writes for lactations: a calving starts one (a cow joins the cows in milk), a dry-off ends it."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts.permissions import can
from apps.audit.services import Actor, audit_append
from apps.core.words import day
from apps.herd.models import Animal, Sex, Status

from ..models import Lactation, MilkRecord


@transaction.atomic
def lactation_start(*, membership, animal: Animal, calving_date: dt.date, number: int | None = None) -> Lactation:
    """Record a calving: the cow starts a new lactation and joins the cows in milk."""
    if animal.tenant_id != membership.tenant_id or not can(membership, "herd.manage", animal):
        raise PermissionDenied
    errors = {}
    Animal.objects.select_for_update().filter(pk=animal.pk).values_list("pk", flat=True).get()
    previous = Lactation.objects.filter(tenant_id=membership.tenant_id, animal=animal).order_by("-calving_date").first()
    if animal.sex != Sex.FEMALE:
        errors["calving_date"] = _("%(tag)s is male.") % {"tag": animal.tag}
    elif animal.status != Status.ACTIVE:
        errors["calving_date"] = _("%(tag)s is %(status)s.") % {"tag": animal.tag, "status": animal.get_status_display().lower()}
    if calving_date > animal.farm.local_today():
        errors["calving_date"] = _("The calving date is in the future.")
    elif animal.date_of_birth and calving_date < animal.date_of_birth + dt.timedelta(days=300):
        errors["calving_date"] = _("%(tag)s was born on %(day)s; too young to calve then.") % {
            "tag": animal.tag, "day": day(animal.date_of_birth)}
    if previous is not None:
        if previous.is_open:
            errors["calving_date"] = _("Dry %(tag)s off from lactation %(number)s first.") % {"tag": animal.tag, "number": previous.number}
        elif calving_date <= previous.dried_off_on:
            errors["calving_date"] = _("Lactation %(number)s ended on %(day)s.") % {"number": previous.number,
                                                                                       "day": day(previous.dried_off_on)}
    number = number or ((previous.number + 1) if previous else 1)
    if previous is not None and number <= previous.number:
        errors["number"] = _("Lactation %(number)s is already recorded; this one is %(next)s or more.") % {
            "number": previous.number, "next": previous.number + 1}
    if not 1 <= number <= 20:
        errors["number"] = _("Enter a lactation number between 1 and 20.")
    if errors:
        raise ValidationError(errors)
    lactation = Lactation.objects.create(tenant_id=membership.tenant_id, animal=animal, number=number, calving_date=calving_date)
    audit_append(
        actor=Actor.of(membership), action="lactation.start", obj=lactation, farm_id=animal.farm_id,
        after={"animal": animal.pk, "number": number, "calving_date": calving_date}, permission="herd.manage",
    )
    return lactation


def lactations_start_many(*, membership, animals, calving_date: dt.date) -> tuple[list[Lactation], dict[str, str]]:
    """Put several cows in milk at once (a farm that starts using iFarm mid-season).

    Each cow is started on her own (a savepoint each); one that cannot be is skipped with the
    reason, keyed by her tag, and the others still start.
    """
    started, skipped = [], {}
    for animal in animals:
        try:
            with transaction.atomic():
                started.append(lactation_start(membership=membership, animal=animal, calving_date=calving_date))
        except ValidationError as error:
            skipped[animal.tag] = " ".join(m for messages in error.message_dict.values() for m in messages)
        except PermissionDenied:
            skipped[animal.tag] = "You may not change this animal."
    return started, skipped


@transaction.atomic
def lactation_dry_off(*, membership, lactation: Lactation, dried_off_on: dt.date) -> Lactation:
    animal = lactation.animal
    if lactation.tenant_id != membership.tenant_id or not can(membership, "herd.manage", animal):
        raise PermissionDenied
    lactation = Lactation.objects.select_for_update().get(pk=lactation.pk)
    lactation.animal = animal  # read above: its farm names the session context the save changes
    if not lactation.is_open:
        raise ValidationError({"dried_off_on": _("Lactation %(number)s already ended.") % {"number": lactation.number}})
    if dried_off_on < lactation.calving_date:
        raise ValidationError({"dried_off_on": _("The lactation began on %(day)s.") % {"day": day(lactation.calving_date)}})
    if dried_off_on > animal.farm.local_today():
        raise ValidationError({"dried_off_on": _("This date is in the future.")})
    if MilkRecord.objects.filter(tenant_id=lactation.tenant_id, animal=animal, date__gt=dried_off_on).exists():
        raise ValidationError({"dried_off_on": _("There is milk recorded after this date.")})
    lactation.dried_off_on = dried_off_on
    lactation.save(update_fields=["dried_off_on", "updated_at"])
    audit_append(
        actor=Actor.of(membership), action="lactation.dry_off", obj=lactation, farm_id=animal.farm_id,
        after={"dried_off_on": dried_off_on}, permission="herd.manage",
    )
    return lactation
