"""Many milkings at once (parlour software, robots): each row created, updated or refused with its reason,
saved in one transaction per farm-day, with that farm-day's summaries brought up to date once. A row is
a session's total or one timestamped visit; a session's visits are kept and its record is their sum.
Test-day results from milk recording organisations are saved here too."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.permissions import can
from apps.audit.services import Actor, audit_append
from apps.core import words
from apps.core.dates import date_problem
from apps.health.models import Treatment
from apps.health.selectors import milk_withdrawal_for
from apps.herd.models import Sex

from ..checks import RANGES, record_problems, session_word
from ..models import FarmDaySummary, Lactation, MilkingVisit, MilkRecord, MilkRecordingResult
from ..summaries import animal_days_upsert, day_sums, summary_locked, summary_write
from ..visits import session_from_visits
from .alerts import alerts_evaluate_many
from .records import (
    WITHDRAWAL_REASON,
    farm_sessions,
    sessions_announce,
)
from .versions import touch_farm

MEASURES = ("quantity", "fat", "protein", "scc")
SET_BY_VISITS = ("lactose", "duration_minutes", "method", "appearance", "visit_count")


@dataclass
class Row:
    """One milking to save: a session's total (no `moment`), or a visit that started at `moment`, with
    what the visit says beyond the session's measures in `visit` (duration, quarters, device...)."""

    index: int
    animal: object
    date: dt.date
    session: str
    values: dict
    moment: dt.datetime | None = None
    visit: dict = field(default_factory=dict)
    ignored: list = field(default_factory=list)
    result: dict = field(default_factory=dict)
    record: MilkRecord | None = None  # the record saved for it
    saved_visit: MilkingVisit | None = None  # and the visit, for a visit


def _refuse(row: Row, field_name: str, reason: str) -> None:
    row.result = {"index": row.index, "result": "refused", "field": field_name, "reason": reason}


def milkings_ingest(*, membership, rows: list[Row]) -> None:
    """Save the rows that can be saved; set each row's result (created, updated, refused with why)."""
    groups: dict[tuple, list[Row]] = defaultdict(list)
    for row in rows:
        groups[(row.animal.farm_id, row.date)].append(row)
    for (farm_id, day), group in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1])):
        _ingest_farm_day(membership, group[0].animal.farm, day, group)


def _problem(row: Row, farm, allowed, date_problem_text, lactations) -> tuple[str, str] | None:
    """Why the row cannot be saved, as (field, reason), or None: the rule the entry page keeps (milk.checks)."""
    if not allowed:
        return "animal", _("You cannot record milk on this animal's farm.")
    errors = record_problems(farm=farm, animal=row.animal, day=row.date, session=row.session, values=row.values,
                             in_milk=lambda: row.animal.pk in lactations, date_checked=date_problem_text or "")
    return next(iter(errors.items()), None)


@transaction.atomic
def _ingest_farm_day(membership, farm, day: dt.date, rows: list[Row]) -> None:
    """Session totals replace their session's record; visits are kept each on its own (a visit sent again,
    same cow and start, is updated) and their session's record becomes their sum."""
    tenant_id = membership.tenant_id
    sessions = farm_sessions(farm)
    problem = date_problem(day, today=farm.local_today())
    allowed = can(membership, "milk.record", farm)
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
    by_record = {r.pk: key for key, r in existing.items()}
    visits: dict[tuple, list[MilkingVisit]] = defaultdict(list)  # (animal, session) -> its visits, kept and new
    known_visits: dict[tuple, MilkingVisit] = {}
    moments = {row.moment for row in rows if row.moment is not None}
    for visit in (MilkingVisit.objects.select_for_update().filter(tenant_id=tenant_id, animal_id__in=animal_ids)
                  .filter(Q(record_id__in=list(by_record)) | Q(started_at__in=moments)).select_related("record")):
        if visit.record_id in by_record:
            visits[by_record[visit.record_id]].append(visit)
        known_visits[(visit.animal_id, visit.started_at)] = visit
    totals: dict[tuple, Row] = {}  # (animal, session) -> the row that sent its total
    sent_visits: dict[tuple, Row] = {}  # (animal, start) -> the row that sent it
    touched: dict[tuple, Row] = {}  # (animal, session) -> the last row that changed it
    new_visits, changed_visits = [], []
    for row in rows:
        animal, key = row.animal, (row.animal.pk, row.session)
        if bad := _problem(row, farm, allowed, problem, lactations):
            _refuse(row, *bad)
        elif row.moment is None and key in totals:
            _refuse(row, "session", _("This milking of %(tag)s (%(session)s) is already item %(index)s.") % {
                "tag": animal.tag, "session": session_word(row.session), "index": totals[key].index})
        elif row.moment is None and visits.get(key):
            _refuse(row, "session", _("This milking of %(tag)s (%(session)s) is the sum of %(count)s visits; send the "
                                      "visits, each with its start.") % {"tag": animal.tag, "session": session_word(row.session),
                                                                          "count": len(visits[key])})
        elif row.moment is not None and (animal.pk, row.moment) in sent_visits:
            _refuse(row, "timestamp", _("This visit of %(tag)s is already item %(index)s.") % {
                "tag": animal.tag, "index": sent_visits[(animal.pk, row.moment)].index})
        elif row.moment is not None and (elsewhere := known_visits.get((animal.pk, row.moment))) is not None and (
                (elsewhere.record.date, elsewhere.record.session) != (day, row.session)):
            _refuse(row, "timestamp", _("This visit of %(tag)s is kept in the %(session)s of %(day)s, as the farm's milking times "
                                        "were then; correct it there.") % {"tag": animal.tag, "day": words.day(elsewhere.record.date),
                                                                            "session": session_word(elsewhere.record.session)})
        elif row.moment is not None and key in totals:
            _refuse(row, "timestamp", _("Item %(index)s sent this session of %(tag)s as a total; send visits or a "
                                        "total, not both.") % {"tag": animal.tag, "index": totals[key].index})
        if row.result:
            continue
        touched[key] = row
        if row.moment is None:
            totals[key] = row
            continue
        sent_visits[(animal.pk, row.moment)] = row
        visit = known_visits.get((animal.pk, row.moment))
        if visit is None:
            visit = MilkingVisit(tenant_id=tenant_id, farm=farm, animal=animal, started_at=row.moment)
            new_visits.append(visit)
            visits[key].append(visit)
            row.result = {"index": row.index, "result": "created"}
        else:
            changed_visits.append(visit)
            row.result = {"index": row.index, "result": "updated"}
        for name in VISIT_FIELDS:
            setattr(visit, name, row.visit.get(name, row.values.get(name, _VISIT_DEFAULTS.get(name))))
        row.saved_visit = visit
    new, changed = [], []
    for key, row in touched.items():
        animal = row.animal
        values = dict(row.values) if row.moment is None else session_from_visits(visits[key], robot=farm.robot_milking)
        if animal.pk in treated and milk_withdrawal_for(animal, farm, day, row.session):
            values["discarded"], values["discard_reason"] = True, WITHDRAWAL_REASON
        record = existing.get(key)
        if record is None:
            record = MilkRecord(tenant_id=tenant_id, farm=farm, animal=animal, date=day, session=row.session, milker=membership)
            new.append(record)
        else:
            record.animal = animal  # already loaded: the alerts name the cow without a query each
            changed.append(record)
        if row.moment is None:
            row.result = {"index": row.index, "result": "updated" if record.pk else "created"}
        for name, value in values.items():
            setattr(record, name, value)
        record.lactation = lactations[animal.pk]
        existing[key] = record
    for row in rows:
        if row.result.get("result") in ("created", "updated"):
            row.record = existing[(row.animal.pk, row.session)]
    MilkRecord.objects.bulk_create(new, batch_size=1000)
    if changed:
        _update_records(changed)
    for row in rows:
        if row.saved_visit is not None:
            row.saved_visit.record = row.record
    MilkingVisit.objects.bulk_create(new_visits, batch_size=1000)
    if changed_visits:
        MilkingVisit.objects.bulk_update(changed_visits, [*VISIT_FIELDS, "record"], batch_size=1000)
    for row in rows:
        if row.record is not None:
            row.result["id"] = row.record.pk
            if row.moment is not None:
                row.result["visit_id"] = row.saved_visit.pk
            if row.ignored:
                row.result["ignored"] = row.ignored
    saved = new + changed
    if not saved:
        return
    summaries_refresh_day(tenant_id=tenant_id, farm_id=farm.pk, day=day, animal_ids={r.animal_id for r in saved})
    alerts_evaluate_many(records=saved)
    farm_summary = FarmDaySummary.objects.get(tenant_id=tenant_id, farm_id=farm.pk, date=day)
    sessions_announce(farm=farm, farm_summary=farm_summary, sessions=sorted({r.session for r in saved}, key=sessions.index))
    audit_append(actor=Actor.of(membership), action="milk.ingest", obj=farm, farm_id=farm.pk, permission="milk.record",
                 after={"date": day, "created": len(new), "updated": len(changed), "visits": len(new_visits) + len(changed_visits)})
    touch_farm(tenant_id, farm.pk)


VISIT_FIELDS = ("quantity", "duration_seconds", "complete", "fat", "protein", "lactose", "scc", "urea", "conductivity", "flow",
                "blood", "quarters", "remarks", "device", "source_id")
_VISIT_DEFAULTS = {"complete": True, "quarters": [], "remarks": [], "device": "", "source_id": ""}


@dataclass
class Recording:
    """One test-day result from a milk recording organisation."""

    index: int
    animal: object
    date: dt.date
    values: dict
    ignored: list = field(default_factory=list)
    result: dict = field(default_factory=dict)


RECORDING_RANGES = {**{name: RANGES[name] for name in ("fat", "protein", "lactose", "scc")},
                    "quantity": (Decimal("0"), Decimal("120"), gettext_lazy("Enter a 24-hour yield between 0 and 120.")),
                    "urea": (Decimal("0"), Decimal("2000"), gettext_lazy("Enter urea between 0 and 2,000 mg/L."))}


@transaction.atomic
def recordings_save(*, membership, recordings: list[Recording]) -> None:
    """Save test-day results (one per cow and day: a result sent again replaces the first); set each result."""
    if not recordings:
        return
    tenant_id = membership.tenant_id
    existing = {(r.animal_id, r.date): r for r in MilkRecordingResult.objects.select_for_update().filter(
        tenant_id=tenant_id, animal_id__in={r.animal.pk for r in recordings}, date__in={r.date for r in recordings})}
    sent: dict[tuple, Recording] = {}
    saved = []
    for recording in recordings:
        animal, key = recording.animal, (recording.animal.pk, recording.date)
        bad = next(((name, str(text)) for name, (low, high, text) in RECORDING_RANGES.items()
                    if recording.values.get(name) is not None and not low <= recording.values[name] <= high), None)
        if not (can(membership, "milk.record", animal.farm) and not animal.farm.is_archived):
            _refuse(recording, "animal", _("You cannot record milk on this animal's farm."))
        elif problem := date_problem(recording.date, today=animal.farm.local_today()):
            _refuse(recording, "eventDateTime", problem)
        elif animal.sex != Sex.FEMALE:
            _refuse(recording, "animal", _("%(tag)s is not a live female.") % {"tag": animal.tag})
        elif key in sent:
            _refuse(recording, "eventDateTime", _("This test day of %(tag)s is already item %(index)s.") % {
                "tag": animal.tag, "index": sent[key].index})
        elif bad:
            _refuse(recording, *bad)
        if recording.result:
            continue
        sent[key] = recording
        result = existing.get(key) or MilkRecordingResult(tenant_id=tenant_id, farm_id=animal.farm_id, animal=animal,
                                                          date=recording.date)
        created = result.pk is None
        for name in RECORDING_FIELDS:
            setattr(result, name, recording.values.get(name, "" if name in ("code", "source_id") else None))
        result.save()
        saved.append(result)
        recording.result = {"index": recording.index, "result": "created" if created else "updated", "id": result.pk}
        if recording.ignored:
            recording.result["ignored"] = recording.ignored
    if saved:
        audit_append(actor=Actor.of(membership), action="milk.recordings", obj=saved[0], farm_id=saved[0].farm_id,
                     permission="milk.record", after={"results": [r.pk for r in saved]})


RECORDING_FIELDS = ("quantity", "fat", "protein", "lactose", "scc", "urea", "code", "source_id")


def _update_records(records: list[MilkRecord]) -> None:
    """Write the changed measures of many records: one UPDATE ... FROM (VALUES ...) per thousand on
    PostgreSQL (Django's bulk_update builds a CASE per field and row, seconds for thousands of rows)."""
    if connection.vendor != "postgresql":
        MilkRecord.objects.bulk_update(records, [*MEASURES, *SET_BY_VISITS, "discarded", "discard_reason", "lactation", "updated_at"],
                                       batch_size=1000)
        return
    now = timezone.now()
    table = MilkRecord._meta.db_table
    for start in range(0, len(records), 1000):
        batch = records[start:start + 1000]
        rows = ", ".join(["(%s::bigint, %s::numeric, %s::numeric, %s::numeric, %s::integer, %s::numeric, %s::integer, %s, %s, "
                          "%s::integer, %s::boolean, %s, %s::bigint)"] * len(batch))
        params = [value for r in batch for value in (r.pk, r.quantity, r.fat, r.protein, r.scc, r.lactose, r.duration_minutes,
                                                      r.method, r.appearance, r.visit_count, r.discarded, r.discard_reason,
                                                      r.lactation_id)]
        sql = (f"UPDATE {table} AS r SET quantity = v.quantity, fat = v.fat, protein = v.protein, scc = v.scc, "
               f"lactose = v.lactose, duration_minutes = v.duration_minutes, method = v.method, appearance = v.appearance, "
               f"visit_count = v.visit_count, "
               f"discarded = v.discarded, discard_reason = v.discard_reason, lactation_id = v.lactation_id, updated_at = %s "
               f"FROM (VALUES {rows}) AS v(id, quantity, fat, protein, scc, lactose, duration_minutes, method, appearance, "
               f"visit_count, discarded, discard_reason, lactation_id) WHERE r.id = v.id")
        with connection.cursor() as cursor:
            cursor.execute(sql, [now, *params])  # the SET's timestamp comes before the VALUES


def summaries_refresh_day(*, tenant_id: int, farm_id: int, day: dt.date, animal_ids) -> None:
    """Recompute one farm-day and many of its animal-days (two statements, whatever their number)."""
    farm_summary = summary_locked(FarmDaySummary, tenant_id=tenant_id, farm_id=farm_id, date=day)
    summary_write(farm_summary, day_sums(tenant_id=tenant_id, day=day, farm_id=farm_id))
    animal_days_upsert(tenant_id=tenant_id, farm_id=farm_id, day=day, animal_ids=animal_ids)
