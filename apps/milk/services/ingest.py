"""Many milkings at once (parlour software): each row created, updated or refused with its reason,
saved in one transaction per farm-day, with that farm-day's summaries brought up to date once."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.permissions import can
from apps.audit.services import Actor, audit_append
from apps.core import words
from apps.core.dates import date_problem
from apps.core.events import event_emit
from apps.health.models import Treatment
from apps.health.selectors import milk_withdrawal_for
from apps.herd.models import Sex, Status

from ..models import FarmDaySummary, Lactation, MilkRecord
from ..summaries import animal_days_upsert, day_sums
from .alerts import alerts_evaluate_many
from .records import (
    RANGES,
    WITHDRAWAL_REASON,
    _locked_summary,
    _write,
    farm_sessions,
    session_completed_data,
    session_word,
)
from .versions import touch_farm

MEASURES = ("quantity", "fat", "protein", "scc")


@dataclass
class Row:
    index: int
    animal: object
    date: dt.date
    session: str
    values: dict
    result: dict = field(default_factory=dict)
    record: MilkRecord | None = None  # the record saved for it


def _refuse(row: Row, field_name: str, reason: str) -> None:
    row.result = {"index": row.index, "result": "refused", "field": field_name, "reason": reason}


def milkings_ingest(*, membership, rows: list[Row]) -> None:
    """Save the rows that can be saved; set each row's result (created, updated, refused with why)."""
    groups: dict[tuple, list[Row]] = defaultdict(list)
    for row in rows:
        groups[(row.animal.farm_id, row.date)].append(row)
    for (farm_id, day), group in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1])):
        _ingest_farm_day(membership, group[0].animal.farm, day, group)


@transaction.atomic
def _ingest_farm_day(membership, farm, day: dt.date, rows: list[Row]) -> None:
    tenant_id = membership.tenant_id
    sessions = farm_sessions(farm)
    problem = date_problem(day, today=farm.local_today())
    allowed = can(membership, "milk.record", farm) and not farm.is_archived
    animal_ids = {row.animal.pk for row in rows}
    lactations = {}
    for lactation in (Lactation.objects.filter(tenant_id=tenant_id, animal_id__in=animal_ids, calving_date__lte=day)
                      .filter(Q(dried_off_on=None) | Q(dried_off_on__gte=day)).order_by("calving_date")):
        lactations[lactation.animal_id] = lactation  # the latest wins
    treated = set(Treatment.objects.filter(tenant_id=tenant_id, animal_id__in=animal_ids, voided_at=None,
                                           milk_withdrawal_ends_at__gte=dt.datetime.combine(day, dt.time.min, tzinfo=farm.zone))
                  .values_list("animal_id", flat=True))
    existing = {(r.animal_id, r.session): r for r in MilkRecord.objects.select_for_update().filter(
        tenant_id=tenant_id, animal_id__in=animal_ids, date=day)}
    seen: dict[tuple, Row] = {}
    new, changed = [], []
    for row in rows:
        animal = row.animal
        if not allowed:
            _refuse(row, "animal", _("You cannot record milk on this animal's farm."))
        elif problem:
            _refuse(row, "date", problem)
        elif row.session not in sessions:
            _refuse(row, "session", _("%(name)s does not milk in the %(session)s.") % {"name": farm.name,
                                                                                     "session": session_word(row.session)})
        elif animal.sex != Sex.FEMALE or animal.status != Status.ACTIVE:
            _refuse(row, "animal", _("%(tag)s is not a live female.") % {"tag": animal.tag})
        elif animal.pk not in lactations:
            _refuse(row, "animal", _("%(tag)s was not in milk on %(day)s.") % {"tag": animal.tag, "day": words.day(day)})
        elif (animal.pk, row.session) in seen:
            _refuse(row, "session", _("This milking of %(tag)s (%(session)s) is already item %(index)s.") % {
                "tag": animal.tag, "session": session_word(row.session), "index": seen[(animal.pk, row.session)].index})
        else:
            bad = next(((name, text) for name, (low, high, text) in RANGES.items()
                        if row.values.get(name) is not None and not low <= row.values[name] <= high), None)
            if bad:
                _refuse(row, bad[0], str(bad[1]))
        if row.result:
            continue
        seen[(animal.pk, row.session)] = row
        values = dict(row.values)
        if animal.pk in treated and milk_withdrawal_for(animal, farm, day, row.session):
            values["discarded"], values["discard_reason"] = True, WITHDRAWAL_REASON
        record = existing.get((animal.pk, row.session))
        if record is None:
            record = MilkRecord(tenant_id=tenant_id, farm=farm, animal=animal, date=day, session=row.session, milker=membership)
            new.append(record)
            row.result = {"index": row.index, "result": "created"}
        else:
            record.animal = animal  # already loaded: the alerts name the cow without a query each
            changed.append(record)
            row.result = {"index": row.index, "result": "updated", "id": record.pk}
        for name, value in values.items():
            setattr(record, name, value)
        record.lactation = lactations[animal.pk]
        row.record = record
    MilkRecord.objects.bulk_create(new, batch_size=1000)
    if changed:
        _update_records(changed)
    for row in rows:
        if row.result.get("result") == "created":
            row.result["id"] = row.record.pk
    saved = new + changed
    if not saved:
        return
    summaries_refresh_day(tenant_id=tenant_id, farm_id=farm.pk, day=day, animal_ids={r.animal_id for r in saved})
    alerts_evaluate_many(records=saved)
    farm_summary = FarmDaySummary.objects.get(tenant_id=tenant_id, farm_id=farm.pk, date=day)
    for session in sorted({r.session for r in saved}, key=sessions.index):
        event_emit(tenant_id=tenant_id, event="milk.session_completed", data=session_completed_data(farm_summary, session))
    audit_append(actor=Actor.of(membership), action="milk.ingest", obj=farm, farm_id=farm.pk, permission="milk.record",
                 after={"date": day, "created": len(new), "updated": len(changed)})
    touch_farm(tenant_id, farm.pk)


def _update_records(records: list[MilkRecord]) -> None:
    """Write the changed measures of many records: one UPDATE ... FROM (VALUES ...) per thousand on
    PostgreSQL (Django's bulk_update builds a CASE per field and row, seconds for thousands of rows)."""
    if connection.vendor != "postgresql":
        MilkRecord.objects.bulk_update(records, [*MEASURES, "discarded", "discard_reason", "lactation", "updated_at"], batch_size=1000)
        return
    now = timezone.now()
    table = MilkRecord._meta.db_table
    for start in range(0, len(records), 1000):
        batch = records[start:start + 1000]
        rows = ", ".join(["(%s::bigint, %s::numeric, %s::numeric, %s::numeric, %s::integer, %s::boolean, %s, %s::bigint)"] * len(batch))
        params = [value for r in batch for value in (r.pk, r.quantity, r.fat, r.protein, r.scc, r.discarded, r.discard_reason,
                                                      r.lactation_id)]
        sql = (f"UPDATE {table} AS r SET quantity = v.quantity, fat = v.fat, protein = v.protein, scc = v.scc, "
               f"discarded = v.discarded, discard_reason = v.discard_reason, lactation_id = v.lactation_id, updated_at = %s "
               f"FROM (VALUES {rows}) AS v(id, quantity, fat, protein, scc, discarded, discard_reason, lactation_id) WHERE r.id = v.id")
        with connection.cursor() as cursor:
            cursor.execute(sql, [now, *params])  # the SET's timestamp comes before the VALUES


def summaries_refresh_day(*, tenant_id: int, farm_id: int, day: dt.date, animal_ids) -> None:
    """Recompute one farm-day and many of its animal-days (two statements, whatever their number)."""
    farm_summary = _locked_summary(FarmDaySummary, tenant_id=tenant_id, farm_id=farm_id, date=day)
    _write(farm_summary, day_sums(tenant_id=tenant_id, day=day, farm_id=farm_id))
    animal_days_upsert(tenant_id=tenant_id, farm_id=farm_id, day=day, animal_ids=animal_ids)
