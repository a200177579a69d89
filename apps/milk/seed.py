"""Milking history for demo and benchmark data: bulk inserts, then summaries built in SQL.

Seeded history is imported data: it has no audit entries, the way records brought over from
paper would not. Records made in the app go through the services.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal

from django.db import connection, transaction

from .models import FarmDaySummary, Lactation, MilkRecord
from .summaries import SUMMARY_COLUMNS, SUMMARY_SELECT

SESSIONS = {1: ["morning"], 2: ["morning", "evening"], 3: ["morning", "midday", "evening"]}
SPLIT = {1: [1.0], 2: [0.56, 0.44], 3: [0.4, 0.27, 0.33]}
BATCH = 50_000


def wood_curve(dim: int, peak: float) -> float:
    """Daily yield on a Wood-shaped lactation curve scaled so the peak (about day 50) is `peak`."""
    a_b, a_c = 0.2, 0.004
    at_peak = (a_b / a_c) ** a_b * math.exp(-a_b)
    return peak * (dim ** a_b) * math.exp(-a_c * dim) / at_peak


@transaction.atomic
def seed_history(*, tenant_id: int, cows: list, sessions_by_farm: dict[int, int], end: dt.date, days: int, rng: random.Random) -> int:
    """Give each cow an open lactation and `days` of milkings up to `end`; return the records made."""
    rows = []
    start = end - dt.timedelta(days=days - 1)
    # Calving about once a year: milk for 305 days, dry for the rest, back to before `start`.
    cycles = {}
    for cow in cows:
        calvings = [end - dt.timedelta(days=rng.randint(15, 300))]
        while calvings[-1] > start:
            calvings.append(calvings[-1] - dt.timedelta(days=rng.randint(350, 400)))
        first_number = rng.randint(1, 3)
        cycles[cow.pk] = [
            Lactation(
                tenant_id=tenant_id, animal_id=cow.pk, number=first_number + n, calving_date=calving,
                dried_off_on=None if n == len(calvings) - 1 else calving + dt.timedelta(days=305),
            )
            for n, calving in enumerate(reversed(calvings))
        ]
    Lactation.objects.bulk_create([lac for cycle in cycles.values() for lac in cycle], batch_size=5000)
    ids = {
        (animal_id, number): pk
        for animal_id, number, pk in Lactation.objects.filter(tenant_id=tenant_id, animal_id__in=list(cycles)).values_list("animal_id", "number", "id")
    }
    for cow in cows:
        peak = rng.uniform(14, 34)
        count = sessions_by_farm[cow.farm_id]
        for lactation in cycles[cow.pk]:
            day = max(start, lactation.calving_date + dt.timedelta(days=1))
            last = min(end, lactation.dried_off_on or end)
            lactation_id = ids[(cow.pk, lactation.number)]
            while day <= last:
                dim = (day - lactation.calving_date).days
                daily = wood_curve(dim, peak) * rng.uniform(0.9, 1.1)
                tested = day.day in (5, 20)
                for session, share in zip(SESSIONS[count], SPLIT[count]):
                    rows.append((tenant_id, cow.farm_id, cow.pk, lactation_id, day, session, Decimal(str(round(daily * share, 2))),
                                 Decimal(str(round(rng.uniform(3.2, 4.8), 2))) if tested else None,
                                 rng.choice([60_000, 90_000, 120_000, 180_000, 260_000]) if tested else None))
                day += dt.timedelta(days=1)
    _insert_records(rows)
    _build_summaries(tenant_id)
    return len(rows)


_COLUMNS = ["tenant_id", "farm_id", "animal_id", "lactation_id", "date", "session", "quantity", "fat", "scc"]


def _insert_records(rows: list[tuple]) -> None:
    table = MilkRecord._meta.db_table
    defaults = {"method": "machine", "udder": "normal", "quarter": "", "appearance": "normal", "discarded": False,
                "discard_reason": "", "notes": ""}
    from apps.core.rls import owns_tables

    if connection.vendor == "postgresql" and owns_tables():
        # COPY is an order of magnitude faster than INSERT for millions of rows (PostgreSQL refuses it to a role
        # that row-level security binds: the application role inserts in batches instead).
        columns = _COLUMNS + list(defaults) + ["created_at", "updated_at"]
        stamp = "now"
        with connection.cursor() as cursor:
            raw = cursor.cursor if hasattr(cursor, "cursor") else cursor
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(list(row) + list(defaults.values()) + [stamp, stamp])
        return
    from django.utils import timezone

    now = timezone.now()
    for i in range(0, len(rows), BATCH):
        MilkRecord.objects.bulk_create(
            [MilkRecord(**dict(zip(_COLUMNS, row)), **defaults, created_at=now, updated_at=now) for row in rows[i : i + BATCH]],
            batch_size=2000,
        )


def _build_summaries(tenant_id: int) -> None:
    records = MilkRecord._meta.db_table
    farm_table = FarmDaySummary._meta.db_table
    animal_table = "milk_animaldaysummary"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {farm_table} (tenant_id, farm_id, date, {SUMMARY_COLUMNS}, cows_milked) "
            f"SELECT tenant_id, farm_id, date, {SUMMARY_SELECT}, COUNT(DISTINCT animal_id) FROM {records} "
            f"WHERE tenant_id = %s GROUP BY tenant_id, farm_id, date ON CONFLICT DO NOTHING",
            [tenant_id],
        )
        cursor.execute(
            f"INSERT INTO {animal_table} (tenant_id, animal_id, farm_id, date, {SUMMARY_COLUMNS}) "
            f"SELECT tenant_id, animal_id, MIN(farm_id), date, {SUMMARY_SELECT} FROM {records} "
            f"WHERE tenant_id = %s GROUP BY tenant_id, animal_id, date ON CONFLICT DO NOTHING",
            [tenant_id],
        )
