"""Fertility figures of a farm over a period, worked out from services, checks and calvings.

A service *conceived* when a check after it said pregnant, or when a birth followed it after most of a
gestation; it *failed* when a check said open or another service followed before any of that. Other
services (too recent to tell) count in neither.

The definitions (each is said in one sentence on the page):
- conception rate: services that conceived over services with a known outcome;
- services per conception: services with a known outcome over those that conceived (every service,
  including those of cows that never conceived);
- calving interval: days between a cow's successive calvings, for calvings in the period;
- days open: days from calving to the conception that followed, for conceptions in the period;
- 21-day cycles (heat detection and pregnancy rates): the period is cut into 21-day cycles; a cow is
  eligible in a cycle when she is in the herd for the whole of it, past the voluntary waiting period
  after her last calving at its start and not pregnant then; the heat detection rate is the eligible
  cows seen in heat or served in the cycle over the eligible, the 21-day pregnancy rate the eligible
  that conceived in it over the eligible.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from apps.accounts.permissions import visible_to
from apps.herd.models import Animal, Status
from apps.milk.models import Lactation

from . import calendar
from .models import Birth, Heat, PregnancyCheck, Service

CYCLE_DAYS = 21


@dataclass
class Figures:
    since: dt.date
    until: dt.date
    services: int = 0
    conceptions: int = 0
    calving_interval: Decimal | None = None
    calving_intervals: int = 0
    days_open: Decimal | None = None
    services_per_conception: Decimal | None = None
    conception_rate: Decimal | None = None
    heat_detection_rate: Decimal | None = None
    pregnancy_rate: Decimal | None = None
    waiting_days: int = 50
    cycles: list[dict] = field(default_factory=list)
    by_sire: list[dict] = field(default_factory=list)
    by_technician: list[dict] = field(default_factory=list)


def _pct(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1")) if whole else None


def _mean(values: list[int]) -> Decimal | None:
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.1")) if values else None


def outcome(service: Service, checks: list[PregnancyCheck], next_service: dt.date | None, births: list[dt.date],
            gestation: int | None) -> bool | None:
    """True when the service conceived, False when it failed, None when it is too early to tell."""
    if checks:
        latest = checks[0]
        if latest.result == PregnancyCheck.Result.PREGNANT:
            return True
        if latest.result == PregnancyCheck.Result.OPEN:
            return False
    if gestation and any(gestation * 0.8 <= (born - service.conceived_on).days <= gestation * 1.1 for born in births):
        return True
    if next_service is not None:
        return False
    return None


def figures_for(membership, farm, since: dt.date, until: dt.date) -> Figures:
    """The farm's fertility over [since, until] (six queries, whatever the herd's size)."""
    figures = Figures(since=since, until=until, waiting_days=membership.tenant.voluntary_waiting_days)
    other_days = membership.tenant.other_gestation_days
    look_back = since - dt.timedelta(days=800)
    services = list(visible_to(Service.objects.select_related("animal", "sire", "registered_sire"), membership)
                    .filter(farm=farm, served_on__gte=look_back, served_on__lte=until).order_by("animal_id", "served_on", "id"))
    checks = defaultdict(list)
    for check in PregnancyCheck.objects.filter(tenant_id=membership.tenant_id, service__in=[s.pk for s in services]).order_by(
            "-checked_on", "-id"):
        checks[check.service_id].append(check)
    calvings: dict[int, set[dt.date]] = defaultdict(set)
    for animal_id, day in Lactation.objects.filter(tenant_id=membership.tenant_id, animal__farm=farm).values_list(
            "animal_id", "calving_date"):
        calvings[animal_id].add(day)
    for animal_id, day in Birth.objects.filter(tenant_id=membership.tenant_id, farm=farm, voided_at=None, aborted=False).values_list(
            "animal_id", "born_on"):
        calvings[animal_id].add(day)
    heats = defaultdict(list)
    for animal_id, day in Heat.objects.filter(tenant_id=membership.tenant_id, farm=farm, observed_on__gte=look_back,
                                               observed_on__lte=until).values_list("animal_id", "observed_on"):
        heats[animal_id].append(day)

    by_animal = defaultdict(list)
    for service in services:
        by_animal[service.animal_id].append(service)
    conceived_on: dict[int, list[dt.date]] = defaultdict(list)
    sire_counts = defaultdict(lambda: [0, 0])
    tech_counts = defaultdict(lambda: [0, 0])
    for animal_id, own in by_animal.items():
        births = sorted(calvings.get(animal_id, ()))
        for n, service in enumerate(own):
            following = own[n + 1].served_on if n + 1 < len(own) else None
            result = outcome(service, checks.get(service.pk, []), following, births,
                             calendar.gestation(service.animal.species, other_days))
            if result:
                conceived_on[animal_id].append(service.served_on)  # the successful service (a transfer for a recipient)
            if not since <= service.served_on <= until or result is None:
                continue
            figures.services += 1
            sire = service.sire.tag if service.sire else (str(service.registered_sire) if service.registered_sire else
                                                          service.outside_sire or "unknown")
            sire_counts[sire][0] += 1
            tech_counts[service.technician or "not recorded"][0] += 1
            if result:
                figures.conceptions += 1
                sire_counts[sire][1] += 1
                tech_counts[service.technician or "not recorded"][1] += 1

    intervals, opens = [], []
    for animal_id, days in calvings.items():
        ordered = sorted(days)
        for before, after in zip(ordered, ordered[1:]):
            if since <= after <= until:
                intervals.append((after - before).days)
        for calved in ordered:
            conception = next((c for c in sorted(conceived_on.get(animal_id, ())) if c > calved), None)
            if conception and since <= conception <= until:
                opens.append((conception - calved).days)
    figures.calving_interval, figures.calving_intervals = _mean(intervals), len(intervals)
    figures.days_open = _mean(opens)
    figures.services_per_conception = (Decimal(figures.services) / figures.conceptions).quantize(Decimal("0.01")) \
        if figures.conceptions else None
    figures.conception_rate = _pct(figures.conceptions, figures.services)
    figures.by_sire = sorted(({"name": k, "services": v[0], "conceptions": v[1], "rate": _pct(v[1], v[0])}
                              for k, v in sire_counts.items()), key=lambda row: (-row["services"], row["name"]))
    figures.by_technician = sorted(({"name": k, "services": v[0], "conceptions": v[1], "rate": _pct(v[1], v[0])}
                                    for k, v in tech_counts.items()), key=lambda row: (-row["services"], row["name"]))

    in_herd = {pk: (entered, left) for pk, entered, left in _stays(membership, farm, calvings)}
    figures.cycles = _cycles(since, until, figures.waiting_days, calvings, conceived_on, heats, by_animal, in_herd)
    eligible = sum(cycle["eligible"] for cycle in figures.cycles)
    figures.heat_detection_rate = _pct(sum(cycle["detected"] for cycle in figures.cycles), eligible)
    figures.pregnancy_rate = _pct(sum(cycle["pregnant"] for cycle in figures.cycles), eligible)
    return figures


def _stays(membership, farm, calvings) -> list[tuple[int, dt.date | None, dt.date | None]]:
    """Each cow's entry (bought in) and exit (sold, dead, culled) days, where known."""
    rows = Animal.objects.filter(tenant_id=membership.tenant_id, pk__in=list(calvings)).values_list(
        "pk", "acquired_on", "status", "status_on")
    return [(pk, acquired, status_on if status != Status.ACTIVE else None) for pk, acquired, status, status_on in rows]


def _cycles(since, until, waiting_days, calvings, conceived_on, heats, by_animal, in_herd) -> list[dict]:
    """The period's 21-day cycles, each with its eligible cows, those seen in heat (or served) and those that
    conceived (see the module's definitions)."""
    cycles = []
    start = since
    while start + dt.timedelta(days=CYCLE_DAYS - 1) <= until:
        end = start + dt.timedelta(days=CYCLE_DAYS - 1)
        eligible = detected = pregnant = 0
        for animal_id, days in calvings.items():
            entered, left = in_herd.get(animal_id, (None, None))
            if (entered and entered > start) or (left and left <= end):
                continue  # not in the herd for the whole cycle
            calved = max((d for d in days if d <= start), default=None)
            if calved is None or (start - calved).days < waiting_days:
                continue
            conceptions = [c for c in conceived_on.get(animal_id, ()) if calved < c]
            if any(c < start for c in conceptions):
                continue  # already pregnant
            eligible += 1
            seen = [d for d in heats.get(animal_id, ()) if start <= d <= end]
            seen += [s.served_on for s in by_animal.get(animal_id, ()) if start <= s.served_on <= end]
            detected += bool(seen)
            pregnant += any(start <= c <= end for c in conceptions)
        cycles.append({"start": start, "end": end, "eligible": eligible, "detected": detected, "pregnant": pregnant,
                       "heat_detection_rate": _pct(detected, eligible), "pregnancy_rate": _pct(pregnant, eligible)})
        start = end + dt.timedelta(days=1)
    return cycles
