"""Reads for breeding: each female's calendar, and what is due today across the member's farms."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404
from django.utils import timezone

from apps.accounts.permissions import visible_to
from apps.core.fragments import Source, drawn
from apps.health.selectors import vaccinations_due, withdrawals_now
from apps.herd.models import Animal, OutsideSire, Sex
from apps.herd.selectors import HERD, weaning_due
from apps.milk.models import Lactation

from . import calendar
from .models import Birth, Heat, PregnancyCheck, Service, SireHire, Task

LOOK_BACK_DAYS = 420  # a service older than gestation plus a margin cannot still be due


@dataclass
class Due:
    animal: object
    what: str
    when: dt.date | None
    service: Service | None = None


def services_of(animal):
    return Service.objects.filter(tenant_id=animal.tenant_id, animal=animal).select_related(
        "sire", "registered_sire", "genetic_dam", "hire").prefetch_related(
        Prefetch("checks", queryset=PregnancyCheck.objects.order_by("-checked_on", "-id")))


def breeding_males(membership):
    return visible_to(Animal.objects.all(), membership).filter(sex=Sex.MALE, status="active").only(
        "id", "tag", "name").order_by("tag")


# Today is drawn from the organisation's herd (animals, their events, treatments and checks: herd.HERD) and its
# breeding (services, checks, births, heats, tasks, lactations), and kept until either changes.
BREEDING = Source("breeding")


def today_drawn(membership, *, vary_on: tuple, draw):
    return drawn("breeding:today", sources=[(HERD, (membership.tenant_id,)), (BREEDING, (membership.tenant_id,))],
                 vary_on=(membership.tenant_id, membership.pk, *vary_on), draw=draw)


def _calvings_and_in_milk(tenant_id: int, animal_ids: list[int]) -> tuple[dict, set]:
    """The last calving (or birth given) of each of these animals, and those of them in milk."""
    calvings = dict(
        Lactation.objects.filter(tenant_id=tenant_id, animal_id__in=animal_ids)
        .order_by("animal_id", "calving_date").values_list("animal_id", "calving_date")
    )  # the last calving of each, as the dict keeps the latest
    for animal_id, born_on in (Birth.objects.filter(tenant_id=tenant_id, animal_id__in=animal_ids, voided_at=None)
                               .order_by("animal_id", "born_on").values_list("animal_id", "born_on")):
        calvings[animal_id] = max(born_on, calvings.get(animal_id, born_on))
    in_milk = set(Lactation.objects.filter(tenant_id=tenant_id, animal_id__in=animal_ids, dried_off_on=None)
                  .values_list("animal_id", flat=True))
    return calvings, in_milk


def today_for(membership, today: dt.date | None = None, farm_id: int | None = None) -> dict[str, list]:
    """What is due on the member's farms, or on one of them (a fixed number of queries, whatever the herd's size)."""
    today = today or timezone.localdate()
    on_farm = {"animal__farm_id": farm_id} if farm_id else {}
    recent = (
        visible_to(Service.objects.select_related("animal"), membership)
        .filter(served_on__gte=today - dt.timedelta(days=LOOK_BACK_DAYS), animal__status="active", **on_farm)
        .only("id", "animal_id", "served_on", "embryo_age_days", "animal__id", "animal__tag", "animal__name", "animal__species", "animal__farm_id")
        .prefetch_related(Prefetch("checks", queryset=PregnancyCheck.objects.only(
            "id", "service_id", "checked_on", "result", "expected_birth_on").order_by("-checked_on", "-id")))
        .order_by("animal_id", "-served_on", "-id")
    )
    latest: dict[int, Service] = {}
    for service in recent:
        latest.setdefault(service.animal_id, service)
    calvings, in_milk = _calvings_and_in_milk(membership.tenant_id, list(latest)) if latest else ({}, set())
    due = {"due_soon": [], "dry_off": [], "heat_watch": [], "check_due": []}
    for animal_id, service in latest.items():
        if (calved := calvings.get(animal_id)) and calved >= service.served_on:
            continue  # she has given birth since: the service is closed
        checks = list(service.checks.all())
        days = (today - service.conceived_on).days  # an embryo transferred at 7 days is 7 days on
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
                due["heat_watch"].append(Due(service.animal, "watch for a repeat heat", service.conceived_on + dt.timedelta(days=21),
                                             service))
            if calendar.in_window(days, calendar.CHECK_DUE):
                due["check_due"].append(Due(service.animal, "pregnancy check", service.conceived_on + dt.timedelta(days=30),
                                            service))
    for items in due.values():
        items.sort(key=lambda d: (d.when or today, d.animal.tag))
    due["no_heat"] = not_seen_in_heat(membership, today, farm_id)
    due["weaning"] = [a for a in weaning_due(membership, today) if not farm_id or a.farm_id == farm_id]
    due["tasks"] = [t for t in tasks_due(membership, today) if not farm_id or t.farm_id == farm_id]
    now = timezone.now()
    due["vaccinations"] = [v for v in vaccinations_due(membership) if not farm_id or v.farm_id == farm_id]
    due["withdrawals_ending"] = [w for w in withdrawals_now(membership, at=now)
                                 if w.milk_withheld and w.clean_at <= now + dt.timedelta(days=1)
                                 and (not farm_id or w.treatment.farm_id == farm_id)]
    return due


def tasks_due(membership, today: dt.date):
    """Open tasks of the member's farms due today or late (the oldest first)."""
    return (visible_to(Task.objects.select_related("farm", "animal", "group", "assignee__user__profile"), membership)
            .filter(state=Task.State.OPEN, due_on__lte=today).order_by("due_on", "id")[:200])


def tasks_for(membership, *, state: str = "open"):
    return visible_to(Task.objects.select_related("farm", "animal", "group", "assignee__user__profile", "closed_by__user__profile"),
                      membership).filter(state=state)


def recently_closed(membership, limit: int = 20):
    return (visible_to(Task.objects.select_related("farm", "closed_by__user__profile"), membership)
            .exclude(state=Task.State.OPEN).order_by("-closed_at")[:limit])


def services_for(membership):
    return visible_to(Service.objects.all(), membership)


def births_for(membership):
    return visible_to(Birth.objects.select_related("animal"), membership)


def breeding_females(membership, animal):
    """Donor females for an embryo transfer into `animal`: the others of her species on the member's farms."""
    return (visible_to(Animal.objects.all(), membership).filter(sex=Sex.FEMALE, species=animal.species)
            .exclude(pk=animal.pk).only("id", "tag", "name").order_by("tag"))


TODAY_LABELS = [("due_soon", "due to give birth"), ("dry_off", "to dry off"), ("check_due", "pregnancy checks"),
                ("heat_watch", "heat watches"), ("no_heat", "not seen in heat"), ("weaning", "to wean"), ("tasks", "tasks"),
                ("vaccinations", "vaccinations"), ("withdrawals_ending", "withdrawals ending")]


def today_counts(membership, today: dt.date) -> list[tuple[str, int]]:
    """How many lines each list of the Today page has, for the morning notification (only the lists with lines)."""
    due = today_for(membership, today)
    return [(label, len(due[key])) for key, label in TODAY_LABELS if due.get(key)]


def hires_for(membership):
    return visible_to(SireHire.objects.select_related("farm", "other_farm", "outside_sire", "own_sire", "invoice"), membership)


def get_hire_for(membership, pk: int) -> SireHire:
    hire = hires_for(membership).filter(pk=pk).first()
    if hire is None:
        raise Http404
    return hire


def open_hires(membership, species: str | None = None):
    """Agreements for sires hired in that are not invoiced yet (for the service form)."""
    hires = hires_for(membership).filter(direction=SireHire.Direction.HIRE_IN, invoice=None)
    return hires.filter(outside_sire__species=species) if species else hires


def heats_of(animal):
    return Heat.objects.filter(tenant_id=animal.tenant_id, animal=animal).select_related("recorded_by__user__profile").order_by(
        "-observed_on", "-observed_time", "-id")


def pregnancy_of(services, births):
    """The pregnancy a female carries now: her last service, when its last check found her pregnant and no birth has
    been recorded since (with the check, for its due date); None otherwise. Reads what the page has already loaded."""
    last = services[0] if services else None
    if last is None:
        return None
    checks = list(last.checks.all())
    if not checks or checks[0].result != PregnancyCheck.Result.PREGNANT:
        return None
    if any(birth.born_on >= last.served_on and not birth.voided_at for birth in births):
        return None
    return checks[0]


def births_of(animal):
    return Birth.objects.filter(tenant_id=animal.tenant_id, animal=animal).order_by("-born_on", "-id")


def not_seen_in_heat(membership, today: dt.date, farm_id: int | None = None) -> list[Due]:
    """Females that gave birth 60 days ago or more with no heat or service recorded since (one query)."""
    since_calving = OuterRef("calving_date")
    heats = Heat.objects.unscoped().filter(tenant_id=membership.tenant_id, animal=OuterRef("animal"), observed_on__gte=since_calving)
    services = Service.objects.unscoped().filter(tenant_id=membership.tenant_id, animal=OuterRef("animal"),
                                                 served_on__gte=since_calving)
    lactations = (
        visible_to(Lactation.objects.select_related("animal"), membership, "animal__farm_id")
        .filter(dried_off_on=None, animal__status="active",
                calving_date__lte=today - dt.timedelta(days=calendar.NO_HEAT_AFTER_DAYS))
        .filter(**({"animal__farm_id": farm_id} if farm_id else {}))
        .exclude(Exists(heats)).exclude(Exists(services))
        .order_by("calving_date")[:200]
    )
    return [Due(lactation.animal, "not seen in heat since calving", lactation.calving_date) for lactation in lactations]


def ancestry_of(tenant_id: int, nodes: list) -> dict:
    """The pedigree above the nodes, as far back as it is recorded: each node's (sire, dam), for the
    herd's animals ("animal", pk) and the outside register's ("outside", pk). An animal's dam is its
    genetic dam when it came from an embryo transfer; its sire is a male of the herd or of the register.
    Two queries per generation at most."""
    parents: dict = {}
    wanted = {node for node in nodes if node is not None}
    while wanted:
        animals = [pk for kind, pk in wanted if kind == "animal"]
        outside = [pk for kind, pk in wanted if kind == "outside"]
        found = []
        if animals:
            for pk, sire_id, registered_id, dam_id, genetic_id in Animal.objects.filter(tenant_id=tenant_id, pk__in=animals).values_list(
                    "pk", "sire_id", "registered_sire_id", "dam_id", "genetic_dam_id"):
                sire = ("animal", sire_id) if sire_id else ("outside", registered_id) if registered_id else None
                dam = ("animal", genetic_id or dam_id) if (genetic_id or dam_id) else None
                found.append((("animal", pk), (sire, dam)))
        if outside:
            for pk, sire_id, dam_id in OutsideSire.objects.filter(tenant_id=tenant_id, pk__in=outside).values_list(
                    "pk", "sire_id", "dam_id"):
                found.append((("outside", pk), (("outside", sire_id) if sire_id else None,
                                                ("outside", dam_id) if dam_id else None)))
        for node, pair in found:
            parents[node] = pair
        wanted = {p for _, pair in found for p in pair if p is not None} - set(parents)
    return parents
