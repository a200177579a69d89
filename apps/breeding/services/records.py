"""Writes for breeding: heats, services (with the calf's inbreeding) and pregnancy checks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.permissions import can
from apps.audit.services import Actor, audit_append
from apps.core.dates import date_problem
from apps.core.events import event_emit
from apps.core.words import day
from apps.herd.lifecycle import event_record
from apps.herd.models import Animal, AnimalEvent, Sex, Status
from apps.herd.selectors import records_on
from apps.herd.services import animal_create
from apps.milk.models import Lactation
from apps.milk.services import lactation_dry_off, lactation_start

from .. import calendar, inbreeding
from ..models import Birth, Heat, Outcome, PregnancyCheck, Service, SireHire
from ..selectors import ancestry_of


def _check_female(animal, on: dt.date, errors: dict, field: str) -> None:
    if animal.sex != Sex.FEMALE:
        errors[field] = _("%(tag)s is male.") % {"tag": animal.tag}
    elif animal.status != Status.ACTIVE:
        errors[field] = f"{animal.tag} is {animal.get_status_display().lower()}."
    if problem := date_problem(on, today=animal.farm.local_today()):
        errors[field] = problem


@transaction.atomic
def heat_record(*, membership, animal, observed_on: dt.date, signs: str = "", observed_time: dt.time | None = None) -> Heat:
    if animal.tenant_id != membership.tenant_id or not can(membership, "herd.manage", animal):
        raise PermissionDenied
    errors: dict[str, str] = {}
    _check_female(animal, observed_on, errors, "observed_on")
    if errors:
        raise ValidationError(errors)
    heat = Heat.objects.create(tenant_id=membership.tenant_id, animal=animal, farm=animal.farm, observed_on=observed_on,
                               observed_time=observed_time, signs=signs.strip(), recorded_by=membership)
    audit_append(actor=Actor.of(membership), action="breeding.heat", obj=animal, farm_id=animal.farm_id,
                 after={"observed_on": observed_on, "signs": heat.signs}, permission="herd.manage")
    return heat


def _last_birth(animal) -> dt.date | None:
    """The date the female last gave birth (a calving of her lactations, or a recorded birth)."""
    dates = [
        Lactation.objects.filter(tenant_id=animal.tenant_id, animal=animal).order_by("-calving_date")
        .values_list("calving_date", flat=True).first(),
        Birth.objects.filter(tenant_id=animal.tenant_id, animal=animal, voided_at=None, aborted=False).order_by("-born_on")
        .values_list("born_on", flat=True).first(),
    ]
    return max((d for d in dates if d), default=None)


def inbreeding_of(tenant_id: int, *, dam, sire=None, registered_sire=None) -> Decimal | None:
    """The planned calf's coefficient of inbreeding, in %, from the whole recorded pedigree: `dam` is the
    female carrying the calf's genes (the genetic dam of an embryo transfer), the sire a male of the herd
    or of the outside register. None without a known sire."""
    sire_node = ("animal", sire.pk) if sire is not None else ("outside", registered_sire.pk) if registered_sire else None
    if sire_node is None or dam is None:
        return None
    dam_node = ("animal", dam.pk)
    value = inbreeding.coefficient(sire_node, dam_node, ancestry_of(tenant_id, [sire_node, dam_node]))
    return (Decimal(value.numerator) / Decimal(value.denominator) * 100).quantize(Decimal("0.01"))



def is_pregnant(animal) -> bool:
    """Confirmed pregnant by the latest check of her latest service, with no birth since."""
    service = Service.objects.filter(tenant_id=animal.tenant_id, animal=animal).order_by("-served_on", "-id").first()
    if service is None:
        return False
    check = service.checks.order_by("-checked_on", "-id").first()
    calved_since = (
        Lactation.objects.filter(tenant_id=animal.tenant_id, animal=animal, calving_date__gt=service.served_on).exists()
        or Birth.objects.filter(tenant_id=animal.tenant_id, animal=animal, born_on__gt=service.served_on, voided_at=None).exists()
    )
    return check is not None and check.result == PregnancyCheck.Result.PREGNANT and not calved_since


@transaction.atomic
def service_record(*, membership, animal, served_on: dt.date, method: str, sire=None, outside_sire: str = "",
                   registered_sire=None, genetic_dam=None, hire=None, straw: str = "", technician: str = "",
                   served_time: dt.time | None = None, embryo_age_days: int | None = None) -> Service:
    """Record a service; refuse what cannot be, and work out the calf's inbreeding (flagged above the
    organisation's threshold, 6.25 % unless it set another).

    The sire is a male of the herd (`sire`), one of the outside register (`registered_sire`), or a
    name (`outside_sire`); a hired sire comes with its agreement (`hire`). An embryo transfer may name
    the embryo's genetic dam; the served female is then the birth dam.
    """
    if animal.tenant_id != membership.tenant_id or not can(membership, "herd.manage", animal):
        raise PermissionDenied
    errors: dict[str, str] = {}
    _check_female(animal, served_on, errors, "served_on")
    if method not in Service.Method.values:
        errors["method"] = _("Pick how she was served.")
    if not errors.get("served_on") and not calendar.old_enough(animal.species, animal.date_of_birth, served_on):
        months = calendar.BREEDING_AGE_MONTHS[animal.species]
        errors["served_on"] = _("%(tag)s is under %(months)s months old: too young to be served.") % {"tag": animal.tag, "months": months}
    last_calving = _last_birth(animal)
    if last_calving and served_on < last_calving:
        errors["served_on"] = _("%(tag)s gave birth on %(day)s; a service cannot be before that.") % {
            "tag": animal.tag, "day": day(last_calving)}
    if is_pregnant(animal):
        errors["served_on"] = _("%(tag)s is confirmed pregnant.") % {"tag": animal.tag}
    if sire is not None:
        if sire.tenant_id != membership.tenant_id:
            errors["sire"] = _("Pick a sire of your own herd, or name an outside sire.")
        elif sire.sex != Sex.MALE:
            errors["sire"] = _("%(tag)s is not a male.") % {"tag": sire.tag}
        elif sire.species != animal.species:
            errors["sire"] = _("%(tag)s is of another species (%(species)s).") % {
                "tag": sire.tag, "species": sire.get_species_display().lower()}
    if hire is not None:
        if hire.tenant_id != membership.tenant_id or hire.direction != SireHire.Direction.HIRE_IN:
            errors["hire"] = _("Pick an agreement for a sire hired in.")
        elif not hire.starts_on <= served_on <= hire.ends_on:
            errors["hire"] = _("The agreement runs from %(start)s to %(end)s.") % {"start": day(hire.starts_on),
                                                                                    "end": day(hire.ends_on)}
        elif registered_sire is not None and registered_sire.pk != hire.outside_sire_id:
            errors["registered_sire"] = _("The agreement is for %(outside_sire)s.") % {"outside_sire": hire.outside_sire}
        else:
            registered_sire = registered_sire or hire.outside_sire
    if registered_sire is not None:
        if registered_sire.tenant_id != membership.tenant_id:
            errors["registered_sire"] = _("Pick a sire of your outside register.")
        elif sire is not None:
            errors["registered_sire"] = _("Give either a sire from the herd or an outside one, not both.")
        elif registered_sire.species != animal.species:
            errors["registered_sire"] = f"{registered_sire.name} is a {registered_sire.get_species_display().lower()}."
    if genetic_dam is not None:
        if method != Service.Method.EMBRYO:
            errors["genetic_dam"] = _("A genetic dam goes with an embryo transfer.")
        elif genetic_dam.tenant_id != membership.tenant_id or genetic_dam.sex != Sex.FEMALE or genetic_dam.pk == animal.pk:
            errors["genetic_dam"] = _("Pick the donor female of your herd (not the recipient).")
        elif genetic_dam.species != animal.species:
            errors["genetic_dam"] = f"{genetic_dam.tag} is a {genetic_dam.get_species_display().lower()}."
    if embryo_age_days is not None and (method != Service.Method.EMBRYO or not 1 <= embryo_age_days <= 30):
        errors["embryo_age_days"] = _("An embryo's age (1 to 30 days) goes with an embryo transfer.")
    if method == Service.Method.EMBRYO and embryo_age_days is None:
        embryo_age_days = calendar.EMBRYO_AGE_DAYS
    if sire is None and registered_sire is None and not outside_sire.strip():
        errors["sire"] = _("Pick the sire, or name the outside sire (AI bull or hired).")
    if errors:
        raise ValidationError(errors)
    service = Service.objects.create(
        tenant_id=membership.tenant_id, animal=animal, farm=animal.farm, served_on=served_on, served_time=served_time,
        method=method, sire=sire, registered_sire=registered_sire, genetic_dam=genetic_dam, hire=hire,
        embryo_age_days=embryo_age_days,
        outside_sire="" if registered_sire else outside_sire.strip(), straw=straw.strip(), technician=technician.strip(),
        recorded_by=membership,
        inbreeding=inbreeding_of(membership.tenant_id, dam=genetic_dam or animal, sire=sire, registered_sire=registered_sire),
    )
    audit_append(actor=Actor.of(membership), action="breeding.service", obj=service, farm_id=animal.farm_id,
                 permission="herd.manage", after={"served_on": served_on, "method": method, "sire": getattr(sire, "tag", ""),
                                                   "outside_sire": service.outside_sire or getattr(registered_sire, "name", ""),
                                                   "hire": getattr(hire, "pk", None), "inbreeding": service.inbreeding})
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
        errors["checked_on"] = _("She was served on %(day)s; a check cannot be before that.") % {"day": day(service.served_on)}
    if method not in PregnancyCheck.Method.values:
        errors["method"] = _("Pick how she was checked.")
    if result not in PregnancyCheck.Result.values:
        errors["result"] = _("Pick the result.")
    gestation = calendar.gestation(animal.species, membership.tenant.other_gestation_days)
    if foetal_age_days is not None and (result != PregnancyCheck.Result.PREGNANT or (gestation and foetal_age_days >= gestation)):
        errors["foetal_age_days"] = _("A foetal age goes with a pregnant result, and is less than the gestation.")
    if errors:
        raise ValidationError(errors)
    expected = None
    if result == PregnancyCheck.Result.PREGNANT:
        expected = calendar.expected_birth(animal.species, service.conceived_on, foetal_age_days=foetal_age_days,
                                           checked_on=checked_on, other_days=membership.tenant.other_gestation_days)
    check = PregnancyCheck.objects.create(tenant_id=membership.tenant_id, service=service, checked_on=checked_on, method=method,
                                          result=result, foetal_age_days=foetal_age_days, expected_birth_on=expected,
                                          recorded_by=membership)
    audit_append(actor=Actor.of(membership), action="breeding.check", obj=service, farm_id=animal.farm_id,
                 permission="herd.manage", after={"checked_on": checked_on, "result": result, "expected": expected})
    return check


DAIRY_SPECIES = {"cattle", "goat", "sheep", "camel"}


def _parents_from(service: Service | None) -> dict:
    """The sire (and genetic dam, after an embryo transfer) a newborn takes from the service that bred it."""
    if service is None:
        return {}
    return {"sire": service.sire, "registered_sire": service.registered_sire, "genetic_dam": service.genetic_dam,
            "sire_external": "" if (service.sire_id or service.registered_sire_id) else service.outside_sire}


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
        errors["ease"] = _("Score the ease from 1 (unassisted) to 5 (caesarean).")
    service = Service.objects.filter(tenant_id=membership.tenant_id, animal=animal, served_on__lte=born_on).select_related(
        "sire", "registered_sire", "genetic_dam").order_by("-served_on", "-id").first()
    gestation = calendar.gestation(animal.species, membership.tenant.other_gestation_days)
    if service and gestation and not aborted and not premature:
        if (born_on - service.conceived_on).days < gestation * 0.8:
            errors["premature"] = _("Only %(days)s days after the service of %(day)s: tick premature if she gave birth "
                                    "early.") % {"days": (born_on - service.served_on).days, "day": day(service.served_on)}
    if not aborted and not offspring:
        errors["offspring"] = _("Add the offspring born (or tick abortion).")
    if aborted and offspring:
        errors["offspring"] = _("An abortion has no offspring to register.")
    for n, young in enumerate(offspring, start=1):
        if young.get("sex") not in (Sex.FEMALE, Sex.MALE) or young.get("outcome") not in Outcome.values:
            errors["offspring"] = _("Offspring %(n)s: give the sex and whether it lives.") % {"n": n}
        elif young["outcome"] == "alive" and not (young.get("tag") or "").strip():
            errors["offspring"] = _("Offspring %(n)s: a live one needs a tag.") % {"n": n}
    if errors:
        raise ValidationError(errors)
    recorded = []
    for young in offspring:
        entry = {"sex": young["sex"], "outcome": young["outcome"], "tag": (young.get("tag") or "").strip(),
                 "weight": str(young["weight"]) if young.get("weight") is not None else None}
        if young["outcome"] == "alive":
            try:
                calf = animal_create(
                    membership=membership, plan_limit=False, farm=animal.farm, tag=entry["tag"], species=animal.species, sex=young["sex"],
                    date_of_birth=born_on, dam=animal, breed=animal.breed, acquisition="born", status="active",
                    **_parents_from(service),
                )
                if young.get("weight"):
                    event_record(membership=membership, animal=calf, kind=AnimalEvent.Kind.WEIGHT, on=born_on,
                                 weight_kg=young["weight"], note="birth weight")
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
    event_emit(tenant_id=animal.tenant_id, event="birth.recorded", data={
        "id": birth.pk, "dam_id": animal.pk, "dam_tag": animal.tag, "farm_id": animal.farm_id, "born_on": born_on, "ease": ease,
        "aborted": aborted, "offspring": recorded}, resource=f"animal:{animal.pk}")
    return birth


@transaction.atomic
def birth_void(*, membership, birth: Birth, reason: str) -> list[str]:
    """Undo a birth recorded by mistake. Each offspring goes with it only when nothing else was
    recorded on it (its birth weight aside); the lactation the birth started goes too when no milk was
    recorded in it, and the one it closed opens again. Returns the tags of the offspring kept."""
    birth = Birth.objects.select_for_update().select_related("animal__farm").get(pk=birth.pk, tenant_id=membership.tenant_id)
    animal = birth.animal
    if not can(membership, "herd.manage", animal):
        raise PermissionDenied
    if birth.voided_at:
        raise ValidationError(_("This birth is already void."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the birth is void.")})
    kept = []
    for young in birth.offspring:
        calf = Animal.objects.filter(tenant_id=membership.tenant_id, pk=young.get("animal_id")).first()
        if calf is None:
            continue
        with transaction.atomic():
            AnimalEvent.objects.filter(tenant_id=membership.tenant_id, animal=calf, kind=AnimalEvent.Kind.WEIGHT,
                                       on=birth.born_on, note="birth weight").delete()
            if records_on(calf):
                transaction.set_rollback(True)  # keep the birth weight with the calf that stays
                kept.append(calf.tag)
                continue
            audit_append(actor=Actor.of(membership), action="animal.delete", obj=calf, farm_id=calf.farm_id,
                         before={"tag": calf.tag, "born_on": birth.born_on}, permission="herd.manage")
            calf.delete()
    if animal.species in DAIRY_SPECIES and not birth.aborted:
        started = Lactation.objects.filter(tenant_id=membership.tenant_id, animal=animal, calving_date=birth.born_on).first()
        if started is not None and not started.records.exists():
            started.delete()
            closed = Lactation.objects.filter(tenant_id=membership.tenant_id, animal=animal,
                                              dried_off_on=birth.born_on - dt.timedelta(days=1)).first()
            if closed is not None:
                closed.dried_off_on = None
                closed.save(update_fields=["dried_off_on", "updated_at"])
    birth.voided_at = timezone.now()
    birth.void_reason = reason.strip()[:200]
    birth.save(update_fields=["voided_at", "void_reason", "updated_at"])
    audit_append(actor=Actor.of(membership), action="breeding.birth_void", obj=animal, farm_id=animal.farm_id,
                 permission="herd.manage", after={"born_on": birth.born_on, "reason": birth.void_reason, "kept": kept})
    return kept
