"""Writes for breeding: heats, services (with the calf's inbreeding) and pregnancy checks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from apps.accounts.permissions import can
from apps.audit.services import Actor, audit_append
from apps.core.dates import date_problem
from apps.herd.models import Sex, Status
from apps.herd.services import animal_create
from apps.milk.models import Lactation
from apps.milk.services import lactation_dry_off, lactation_start

from . import calendar, inbreeding
from .models import Birth, Heat, PregnancyCheck, Service
from .selectors import ancestry_of


def _check_female(animal, on: dt.date, errors: dict, field: str) -> None:
    if animal.sex != Sex.FEMALE:
        errors[field] = f"{animal.tag} is male."
    elif animal.status != Status.ACTIVE:
        errors[field] = f"{animal.tag} is {animal.get_status_display().lower()}."
    if problem := date_problem(on, today=animal.farm.local_today()):
        errors[field] = problem


@transaction.atomic
def heat_record(*, membership, animal, observed_on: dt.date, signs: str = "") -> Heat:
    if animal.tenant_id != membership.tenant_id or not can(membership, "herd.manage", animal):
        raise PermissionDenied
    errors: dict[str, str] = {}
    _check_female(animal, observed_on, errors, "observed_on")
    if errors:
        raise ValidationError(errors)
    heat = Heat.objects.create(tenant_id=membership.tenant_id, animal=animal, farm=animal.farm, observed_on=observed_on,
                               signs=signs.strip(), recorded_by=membership)
    audit_append(actor=Actor.of(membership), action="breeding.heat", obj=animal, farm_id=animal.farm_id,
                 after={"observed_on": observed_on, "signs": heat.signs}, permission="herd.manage")
    return heat


def inbreeding_of(tenant_id: int, sire_id: int | None, dam_id: int | None) -> Decimal | None:
    """The planned calf's coefficient of inbreeding, in %, from the recorded pedigree."""
    if not sire_id or not dam_id:
        return None
    parents, order = ancestry_of(tenant_id, [sire_id, dam_id])
    value = inbreeding.coefficient(sire_id, dam_id, parents, order)
    return (Decimal(value.numerator) / Decimal(value.denominator) * 100).quantize(Decimal("0.01"))


def is_pregnant(animal) -> bool:
    """Confirmed pregnant by the latest check of her latest service, with no birth since."""
    service = Service.objects.filter(tenant_id=animal.tenant_id, animal=animal).order_by("-served_on", "-id").first()
    if service is None:
        return False
    check = service.checks.order_by("-checked_on", "-id").first()
    calved_since = (
        Lactation.objects.filter(tenant_id=animal.tenant_id, animal=animal, calving_date__gt=service.served_on).exists()
        or Birth.objects.filter(tenant_id=animal.tenant_id, animal=animal, born_on__gt=service.served_on).exists()
    )
    return check is not None and check.result == PregnancyCheck.Result.PREGNANT and not calved_since


@transaction.atomic
def service_record(*, membership, animal, served_on: dt.date, method: str, sire=None, outside_sire: str = "",
                   straw: str = "", technician: str = "") -> Service:
    """Record a service; refuse what cannot be, and work out the calf's inbreeding (a warning above 6.25 %)."""
    if animal.tenant_id != membership.tenant_id or not can(membership, "herd.manage", animal):
        raise PermissionDenied
    errors: dict[str, str] = {}
    _check_female(animal, served_on, errors, "served_on")
    if method not in Service.Method.values:
        errors["method"] = "Pick how she was served."
    if not errors.get("served_on") and not calendar.old_enough(animal.species, animal.date_of_birth, served_on):
        months = calendar.BREEDING_AGE_MONTHS[animal.species]
        errors["served_on"] = f"{animal.tag} is under {months} months old: too young to be served."
    last_calving = (Lactation.objects.filter(tenant_id=membership.tenant_id, animal=animal)
                    .order_by("-calving_date").values_list("calving_date", flat=True).first())
    if last_calving and served_on < last_calving:
        errors["served_on"] = f"{animal.tag} gave birth on {last_calving:%d %b %Y}; a service cannot be before that."
    if is_pregnant(animal):
        errors["served_on"] = f"{animal.tag} is confirmed pregnant."
    if sire is not None:
        if sire.tenant_id != membership.tenant_id:
            errors["sire"] = "Pick a sire of your own herd, or name an outside sire."
        elif sire.sex != Sex.MALE:
            errors["sire"] = f"{sire.tag} is not a male."
        elif sire.species != animal.species:
            errors["sire"] = f"{sire.tag} is a {sire.get_species_display().lower()}."
    if sire is None and not outside_sire.strip():
        errors["sire"] = "Pick the sire, or name the outside sire (AI bull or hired)."
    if errors:
        raise ValidationError(errors)
    service = Service.objects.create(
        tenant_id=membership.tenant_id, animal=animal, farm=animal.farm, served_on=served_on, method=method, sire=sire,
        outside_sire=outside_sire.strip(), straw=straw.strip(), technician=technician.strip(), recorded_by=membership,
        inbreeding=inbreeding_of(membership.tenant_id, sire.pk if sire else None, animal.pk),
    )
    audit_append(actor=Actor.of(membership), action="breeding.service", obj=service, farm_id=animal.farm_id,
                 permission="herd.manage", after={"served_on": served_on, "method": method, "sire": getattr(sire, "tag", ""),
                                                   "outside_sire": service.outside_sire, "inbreeding": service.inbreeding})
    return service


@transaction.atomic
def pregnancy_check_record(*, membership, service: Service, checked_on: dt.date, method: str, result: str,
                           foetal_age_days: int | None = None) -> PregnancyCheck:
    animal = service.animal
    if service.tenant_id != membership.tenant_id or not can(membership, "herd.manage", animal):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if problem := date_problem(checked_on, today=animal.farm.local_today()):
        errors["checked_on"] = problem
    elif checked_on < service.served_on:
        errors["checked_on"] = f"She was served on {service.served_on:%d %b %Y}; a check cannot be before that."
    if method not in PregnancyCheck.Method.values:
        errors["method"] = "Pick how she was checked."
    if result not in PregnancyCheck.Result.values:
        errors["result"] = "Pick the result."
    gestation = calendar.GESTATION_DAYS.get(animal.species)
    if foetal_age_days is not None and (result != PregnancyCheck.Result.PREGNANT or (gestation and foetal_age_days >= gestation)):
        errors["foetal_age_days"] = "A foetal age goes with a pregnant result, and is less than the gestation."
    if errors:
        raise ValidationError(errors)
    expected = None
    if result == PregnancyCheck.Result.PREGNANT:
        expected = calendar.expected_birth(animal.species, service.served_on, foetal_age_days=foetal_age_days,
                                           checked_on=checked_on)
    check = PregnancyCheck.objects.create(tenant_id=membership.tenant_id, service=service, checked_on=checked_on, method=method,
                                          result=result, foetal_age_days=foetal_age_days, expected_birth_on=expected,
                                          recorded_by=membership)
    audit_append(actor=Actor.of(membership), action="breeding.check", obj=service, farm_id=animal.farm_id,
                 permission="herd.manage", after={"checked_on": checked_on, "result": result, "expected": expected})
    return check


DAIRY_SPECIES = {"cattle", "goat", "sheep", "camel"}
OUTCOMES = ("alive", "stillborn", "died")


@transaction.atomic
def birth_record(*, membership, animal, born_on: dt.date, ease: int, offspring: list[dict], premature: bool = False,
                 aborted: bool = False) -> Birth:
    """A birth (or an abortion): the live offspring join the herd with their dam, sire and farm, and a
    dairy female starts her lactation, all or nothing.

    `offspring`: dicts of sex, outcome (alive, stillborn, died), tag (needed when alive) and weight (kg).
    """
    if animal.tenant_id != membership.tenant_id or not can(membership, "herd.manage", animal):
        raise PermissionDenied
    errors: dict[str, str] = {}
    _check_female(animal, born_on, errors, "born_on")
    if not 1 <= (ease or 0) <= 5:
        errors["ease"] = "Score the ease from 1 (unassisted) to 5 (caesarean)."
    service = Service.objects.filter(tenant_id=membership.tenant_id, animal=animal, served_on__lte=born_on).order_by(
        "-served_on", "-id").first()
    gestation = calendar.GESTATION_DAYS.get(animal.species)
    if service and gestation and not aborted and not premature:
        if (born_on - service.served_on).days < gestation * 0.8:
            errors["premature"] = (f"Only {(born_on - service.served_on).days} days after the service of "
                                   f"{service.served_on:%d %b %Y}: tick premature if she gave birth early.")
    if not aborted and not offspring:
        errors["offspring"] = "Add the offspring born (or tick abortion)."
    if aborted and offspring:
        errors["offspring"] = "An abortion has no offspring to register."
    for n, young in enumerate(offspring, start=1):
        if young.get("sex") not in (Sex.FEMALE, Sex.MALE) or young.get("outcome") not in OUTCOMES:
            errors["offspring"] = f"Offspring {n}: give the sex and whether it lives."
        elif young["outcome"] == "alive" and not (young.get("tag") or "").strip():
            errors["offspring"] = f"Offspring {n}: a live one needs a tag."
    if errors:
        raise ValidationError(errors)
    recorded = []
    for young in offspring:
        entry = {"sex": young["sex"], "outcome": young["outcome"], "tag": (young.get("tag") or "").strip(),
                 "weight": str(young["weight"]) if young.get("weight") is not None else None}
        if young["outcome"] == "alive":
            sire = service.sire if service else None
            try:
                calf = animal_create(
                    membership=membership, farm=animal.farm, tag=entry["tag"], species=animal.species, sex=young["sex"],
                    date_of_birth=born_on, dam=animal, sire=sire, sire_external="" if sire else (service.outside_sire if service else ""),
                    breed=animal.breed, acquisition="born", status="active",
                )
            except ValidationError as error:
                raise ValidationError({"offspring": f"{entry['tag']}: " + " ".join(error.messages)}) from None
            entry["animal_id"] = calf.pk
        recorded.append(entry)
    birth = Birth.objects.create(tenant_id=membership.tenant_id, animal=animal, farm=animal.farm, service=service, born_on=born_on,
                                 ease=ease, premature=premature, aborted=aborted, offspring=recorded, recorded_by=membership)
    if animal.species in DAIRY_SPECIES and not aborted:
        open_lactation = Lactation.objects.filter(tenant_id=membership.tenant_id, animal=animal, dried_off_on=None).first()
        if open_lactation is not None and open_lactation.calving_date < born_on:
            lactation_dry_off(membership=membership, lactation=open_lactation, dried_off_on=born_on - dt.timedelta(days=1))
        if open_lactation is None or open_lactation.calving_date < born_on:
            lactation_start(membership=membership, animal=animal, calving_date=born_on)
    audit_append(actor=Actor.of(membership), action="breeding.birth", obj=animal, farm_id=animal.farm_id, permission="herd.manage",
                 after={"born_on": born_on, "ease": ease, "aborted": aborted, "offspring": recorded})
    return birth
