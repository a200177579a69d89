"""Reads for breeding: each female's calendar, and what is due today across the member's farms."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from apps.accounts.permissions import visible_to
from apps.health.selectors import under_withdrawal, vaccinations_due
from apps.herd.models import Animal, Sex
from apps.milk.models import Lactation

from . import calendar
from .models import Birth, Heat, PregnancyCheck, Service

ANCESTRY_GENERATIONS = 6  # how far back the inbreeding of a planned calf looks
LOOK_BACK_DAYS = 420  # a service older than gestation plus a margin cannot still be due


@dataclass
class Due:
    animal: object
    what: str
    when: dt.date | None
    service: Service | None = None


def services_of(animal):
    return Service.objects.filter(tenant_id=animal.tenant_id, animal=animal).select_related("sire").prefetch_related(
        Prefetch("checks", queryset=PregnancyCheck.objects.order_by("-checked_on", "-id")))


def breeding_males(membership):
    return visible_to(Animal.objects.all(), membership).filter(sex=Sex.MALE, status="active").only(
        "id", "tag", "name").order_by("tag")


def today_for(membership, today: dt.date | None = None) -> dict[str, list]:
    """What is due on the member's farms (a fixed number of queries, whatever the herd's size)."""
    today = today or timezone.localdate()
    recent = (
        visible_to(Service.objects.select_related("animal", "farm"), membership)
        .filter(served_on__gte=today - dt.timedelta(days=LOOK_BACK_DAYS), animal__status="active")
        .prefetch_related(Prefetch("checks", queryset=PregnancyCheck.objects.order_by("-checked_on", "-id")))
        .order_by("animal_id", "-served_on", "-id")
    )
    latest: dict[int, Service] = {}
    for service in recent:
        latest.setdefault(service.animal_id, service)
    calvings = dict(
        Lactation.objects.filter(tenant_id=membership.tenant_id, animal_id__in=list(latest))
        .order_by("animal_id", "calving_date").values_list("animal_id", "calving_date")
    )  # the last calving of each, as the dict keeps the latest
    for animal_id, born_on in (Birth.objects.filter(tenant_id=membership.tenant_id, animal_id__in=list(latest))
                               .order_by("animal_id", "born_on").values_list("animal_id", "born_on")):
        calvings[animal_id] = max(born_on, calvings.get(animal_id, born_on))
    in_milk = set(Lactation.objects.filter(tenant_id=membership.tenant_id, animal_id__in=list(latest), dried_off_on=None)
                  .values_list("animal_id", flat=True))
    due = {"due_soon": [], "dry_off": [], "heat_watch": [], "check_due": []}
    for animal_id, service in latest.items():
        if (calved := calvings.get(animal_id)) and calved >= service.served_on:
            continue  # she has given birth since: the service is closed
        checks = list(service.checks.all())
        days = (today - service.served_on).days
        if checks and checks[0].result == PregnancyCheck.Result.PREGNANT:
            expected = checks[0].expected_birth_on
            if expected and (expected - today).days <= calendar.DUE_SOON_DAYS:
                due["due_soon"].append(Due(service.animal, "due to give birth", expected, service))
            elif (expected and service.animal.species == "cattle" and animal_id in in_milk
                  and (expected - today).days <= calendar.DRY_OFF_BEFORE_DAYS):
                due["dry_off"].append(Due(service.animal, "dry off", expected - dt.timedelta(days=calendar.DRY_OFF_BEFORE_DAYS),
                                          service))
        elif not checks:
            if calendar.in_window(days, calendar.HEAT_WATCH):
                due["heat_watch"].append(Due(service.animal, "watch for a repeat heat", service.served_on + dt.timedelta(days=21),
                                             service))
            if calendar.in_window(days, calendar.CHECK_DUE):
                due["check_due"].append(Due(service.animal, "pregnancy check", service.served_on + dt.timedelta(days=30),
                                            service))
    for items in due.values():
        items.sort(key=lambda d: (d.when or today, d.animal.tag))
    due["no_heat"] = not_seen_in_heat(membership, today)
    now = timezone.now()
    due["vaccinations"] = list(vaccinations_due(membership))
    due["withdrawals_ending"] = [t for t in under_withdrawal(membership, at=now)
                                 if t.milk_withdrawal_ends_at and t.milk_withdrawal_ends_at <= now + dt.timedelta(days=1)]
    return due


def not_seen_in_heat(membership, today: dt.date) -> list[Due]:
    """Females that gave birth 60 days ago or more with no heat or service recorded since (one query)."""
    since_calving = OuterRef("calving_date")
    heats = Heat.objects.unscoped().filter(tenant_id=membership.tenant_id, animal=OuterRef("animal"), observed_on__gte=since_calving)
    services = Service.objects.unscoped().filter(tenant_id=membership.tenant_id, animal=OuterRef("animal"),
                                                 served_on__gte=since_calving)
    lactations = (
        visible_to(Lactation.objects.select_related("animal"), membership, "animal__farm_id")
        .filter(dried_off_on=None, animal__status="active",
                calving_date__lte=today - dt.timedelta(days=calendar.NO_HEAT_AFTER_DAYS))
        .exclude(Exists(heats)).exclude(Exists(services))
        .order_by("calving_date")[:200]
    )
    return [Due(lactation.animal, "not seen in heat since calving", lactation.calving_date) for lactation in lactations]


def ancestry_of(tenant_id: int, animal_ids: list[int]) -> tuple[dict, dict]:
    """Parents and birth order of the animals and their ancestors (one query per generation)."""
    parents, order, wanted = {}, {}, {pk for pk in animal_ids if pk}
    for _ in range(ANCESTRY_GENERATIONS):
        wanted -= set(parents)
        if not wanted:
            break
        rows = Animal.objects.filter(tenant_id=tenant_id, pk__in=wanted).values_list("pk", "sire_id", "dam_id", "date_of_birth")
        wanted = set()
        for pk, sire_id, dam_id, born in rows:
            parents[pk] = (sire_id, dam_id)
            order[pk] = born.toordinal() if born else 0
            wanted |= {sire_id, dam_id} - {None}
    return parents, order
