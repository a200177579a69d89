"""Writes for milk: records, bulk tank readings, alerts, and the summaries kept beside them."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone

from apps.accounts.permissions import can, ensure
from apps.audit.services import Actor, audit_append, changed, snapshot
from apps.core.dates import date_problem
from apps.core.events import event_emit, webhooks_flag
from apps.health.selectors import milk_withdrawal_for
from apps.herd.models import Animal, Sex, Status

from ..models import (
    SESSIONS_BY_COUNT,
    AlertKind,
    AnimalDaySummary,
    Appearance,
    BulkTankReading,
    FarmDaySummary,
    Lactation,
    MilkRecord,
    QualityAlert,
    Udder,
)
from ..summaries import day_summaries_add, day_sums, difference

log = logging.getLogger(__name__)

# Ranges that make sense on a farm: a value outside is a typo, not a measurement.
RANGES = {
    "quantity": (Decimal("0"), Decimal("80"), "between 0 and 80"),
    "fat": (Decimal("0"), Decimal("15"), "between 0 and 15 %"),
    "protein": (Decimal("0"), Decimal("10"), "between 0 and 10 %"),
    "lactose": (Decimal("0"), Decimal("10"), "between 0 and 10 %"),
    "scc": (0, 10_000_000, "between 0 and 10,000,000 cells/mL"),
    "ph": (Decimal("5"), Decimal("8"), "between 5 and 8"),
    "temperature": (Decimal("0"), Decimal("45"), "between 0 and 45 °C"),
    "duration_minutes": (0, 120, "between 0 and 120 minutes"),
}
QUALITY_FIELDS = [
    "method", "duration_minutes", "fat", "protein", "lactose", "scc", "ph", "temperature", "udder", "quarter",
    "appearance", "discarded", "discard_reason", "notes",
]
SCC_HIGH = 200_000
SCC_RAISED = 150_000
YIELD_DROP = Decimal("0.8")
SESSION_ORDER = {"morning": 0, "midday": 1, "evening": 2}


def farm_sessions(farm) -> list[str]:
    return [s.value for s in SESSIONS_BY_COUNT.get(farm.milking_sessions_per_day, SESSIONS_BY_COUNT[2])]


WITHDRAWAL_REASON = "withdrawal"


def _check_ranges(values: dict, errors: dict) -> None:
    for field, (low, high, text) in RANGES.items():
        value = values.get(field)
        if value is not None and not (low <= value <= high):
            errors[field] = f"Enter a value {text}."


def lactation_on(animal: Animal, day: dt.date) -> Lactation | None:
    """The lactation the cow was in on `day`, if any."""
    return (
        Lactation.objects.filter(tenant_id=animal.tenant_id, animal=animal, calving_date__lte=day)
        .filter(Q(dried_off_on=None) | Q(dried_off_on__gte=day))
        .order_by("-calving_date")
        .first()
    )


def _lactation_of(animal: Animal, day: dt.date) -> Lactation | None:
    """The cow's lactation on `day`: free when the cow was read with it (the row save does), else a query."""
    known = getattr(animal, "milk_lactation", None)
    if known is not None and known[0] == day:
        return Lactation(pk=known[1], tenant_id=animal.tenant_id, animal_id=animal.pk) if known[1] else None
    return lactation_on(animal, day)


def _validate_record(*, membership, farm, animal, day, session, values) -> tuple[dict, Lactation | None]:
    errors: dict[str, str] = {}
    if farm.tenant_id != membership.tenant_id:
        raise PermissionDenied
    ensure(membership, "milk.record", farm)
    if farm.is_archived:
        errors["farm"] = "This farm is archived."
    if session not in farm_sessions(farm):
        errors["session"] = f"{farm.name} does not milk in the {session}."
    if problem := date_problem(day, today=farm.local_today()):
        errors["date"] = problem
    lactation = None
    if animal.tenant_id != membership.tenant_id or animal.farm_id != farm.pk:
        errors["animal"] = "This animal is not on this farm."
    elif animal.sex != Sex.FEMALE:
        errors["animal"] = f"{animal.tag} is male."
    elif animal.status != Status.ACTIVE:
        errors["animal"] = f"{animal.tag} is {animal.get_status_display().lower()}."
    else:
        lactation = _lactation_of(animal, day)
        if lactation is None:
            errors["animal"] = f"{animal.tag} was not in milk on {day:%d %b %Y}."
    # Milk of a cow under withdrawal never counts as saleable: it is recorded as discarded.
    if not errors and (ends := milk_withdrawal_for(animal, farm, day, session)):
        if values.get("discarded") is False and "discarded" in values:
            errors["discarded"] = (f"{animal.tag} is under milk withdrawal until "
                                   f"{ends.astimezone(farm.zone):%d %b %H:%M}; her milk must be discarded.")
        values["discarded"], values["discard_reason"] = True, WITHDRAWAL_REASON
    _check_ranges(values, errors)
    if values.get("udder", Udder.NORMAL) != Udder.NORMAL and not values.get("quarter"):
        errors["quarter"] = "Say which quarter."
    if values.get("discarded") and not (values.get("discard_reason") or "").strip():
        errors["discard_reason"] = "Say why the milk was discarded."
    if errors:
        raise ValidationError(errors)
    return values, lactation


@transaction.atomic
def milking_record_save(
    *, membership, farm, animal, date: dt.date, session: str, quantity: Decimal, milker=None, **quality
) -> MilkRecord:
    """Create or update the record of one cow, day and session, with its summaries and alerts.

    `milker` is the member who milked (default: whoever records); they must be able to milk on the farm.
    """
    values = {"quantity": quantity, **{k: v for k, v in quality.items() if k in QUALITY_FIELDS}}
    if milker is not None and (milker.tenant_id != membership.tenant_id or not can(milker, "milk.record", farm)):
        raise ValidationError({"milker": "Pick a member who milks on this farm."})
    values, lactation = _validate_record(membership=membership, farm=farm, animal=animal, day=date, session=session, values=values)
    record, before, counted, recount = _write_record(membership, farm, animal, date, session, values, lactation, milker)
    if recount:
        farm_summary = summaries_refresh(tenant_id=record.tenant_id, farm_id=farm.pk, animal_id=animal.pk, day=date)
    else:
        farm_summary = day_summaries_add(tenant_id=record.tenant_id, farm_id=record.farm_id, animal_id=animal.pk, day=date,
                                         delta=difference(_summed(record), counted))
    record.farm_summary = farm_summary  # the totals the page shows next, as the write left them
    record.animal = animal
    alerts_evaluate(record=record, average=getattr(animal, "week_average", UNKNOWN),
                    open_alerts=getattr(animal, "has_open_alerts", True))
    if before is None:
        _announce_if_session_complete(record, farm_summary)
    b, a = changed(before, snapshot(record))
    audit_append(
        actor=Actor.of(membership), action="milk.update" if before else "milk.create", obj=record, farm_id=farm.pk,
        before=b, after=a, permission="milk.record",
    )
    _touch_farm(record.tenant_id, farm.pk)
    return record


UNKNOWN = object()
SUMMED = ("quantity", "session", "discarded", "fat", "protein", "scc")


def _summed(record: MilkRecord) -> dict:
    """The record's values that the day summaries add up."""
    return {name: getattr(record, name) for name in SUMMED}


def _write_record(membership, farm, animal, day, session, values, lactation, milker):
    """Create or update the record of the cow's session. Returns the record, its audit snapshot before and
    its summed values before (both None when new), and whether the day summaries must be recounted from the
    records rather than adjusted by the change (on SQLite, and after a clash with another device)."""
    record = (MilkRecord.objects.select_for_update()
              .filter(tenant_id=membership.tenant_id, animal=animal, date=day, session=session).first())
    before = snapshot(record) if record else None
    counted = _summed(record) if record else None
    if record is None:
        record = MilkRecord(tenant_id=membership.tenant_id, farm=farm, animal=animal, date=day, session=session)
        record.milker = membership
    if milker is not None:
        record.milker = milker
    for key, value in values.items():
        setattr(record, key, value)
    record.lactation = lactation
    if not record.discarded:
        record.discard_reason = ""
    postgres = connection.vendor == "postgresql"
    if before is not None:
        record.save()  # the row is locked: a plain update, no savepoint
        return record, before, counted, not postgres
    if postgres:
        # One statement; a clash with a row another device inserted meanwhile takes that row over: recount.
        return record, None, None, not _insert_or_take_over(record)
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        record.pk = (MilkRecord.objects.filter(tenant_id=membership.tenant_id, animal=animal, date=day,
                                               session=session).values_list("pk", flat=True).get())
        record._state.adding = False
        record.save()
    return record, None, None, True


def _insert_or_take_over(record: MilkRecord) -> bool:
    """Insert the record in one statement; on a clash with a row inserted meanwhile, update that row
    instead. Returns whether it inserted."""
    fields = [f for f in MilkRecord._meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(record, True), connection) for f in fields]
    columns = [f.column for f in fields]
    keep = {"tenant_id", "animal_id", "date", "session", "created_at", "farm_id", "milker_id"}
    table = MilkRecord._meta.db_table
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "
           f"ON CONFLICT (tenant_id, animal_id, date, session) DO UPDATE SET "
           f"{', '.join(f'{c} = excluded.{c}' for c in columns if c not in keep)} RETURNING id, (xmax = 0)")
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        record.pk, inserted = cursor.fetchone()
    record._state.adding, record._state.db = False, "default"
    return bool(inserted)


@transaction.atomic
def milking_record_delete(*, membership, record: MilkRecord) -> None:
    if record.tenant_id != membership.tenant_id or not can(membership, "milk.record", record):
        raise PermissionDenied
    before = snapshot(record)
    farm_id, animal_id, day, session = record.farm_id, record.animal_id, record.date, record.session
    MilkRecord.objects.filter(pk=record.pk).delete()
    QualityAlert.objects.filter(tenant_id=record.tenant_id, animal_id=animal_id, date=day, session=session).delete()
    summaries_refresh(tenant_id=record.tenant_id, farm_id=farm_id, animal_id=animal_id, day=day)
    audit_append(actor=Actor.of(membership), action="milk.delete", obj=record, farm_id=farm_id, before=before, permission="milk.record")
    _touch_farm(record.tenant_id, farm_id)


@transaction.atomic
def bulk_tank_save(*, membership, farm, date: dt.date, session: str, quantity: Decimal, scc: int | None = None) -> BulkTankReading:
    errors = {}
    if farm.tenant_id != membership.tenant_id or not can(membership, "milk.record", farm):
        raise PermissionDenied
    if session not in farm_sessions(farm):
        errors["session"] = f"{farm.name} does not milk in the {session}."
    if problem := date_problem(date, today=farm.local_today()):
        errors["date"] = problem
    if not (Decimal("0") <= quantity <= Decimal("100000")):
        errors["quantity"] = "Enter the tank quantity, between 0 and 100,000."
    if scc is not None and not (0 <= scc <= 10_000_000):
        errors["scc"] = "Enter a value between 0 and 10,000,000 cells/mL."
    if errors:
        raise ValidationError(errors)
    reading, created = BulkTankReading.objects.update_or_create(
        tenant_id=membership.tenant_id, farm=farm, date=date, session=session, defaults={"quantity": quantity, "scc": scc}
    )
    audit_append(
        actor=Actor.of(membership), action="milk.bulk_tank", obj=reading, farm_id=farm.pk,
        after={"date": date, "session": session, "quantity": quantity, "scc": scc}, permission="milk.record",
    )
    _touch_farm(membership.tenant_id, farm.pk)
    session_context_changed(membership.tenant_id, farm.pk)
    return reading


# Summaries ----------------------------------------------------------------------------------------

def _locked_summary(model, defaults=None, **key):
    """The summary row for `key`, created if missing and locked for this transaction.

    The lock makes concurrent saves of one farm-day queue up, so each recomputation sees the
    records the others committed and the last one written is right.
    """
    summary = model.objects.select_for_update().filter(**key).first()
    if summary is None:  # the day's first record: create the row, then lock it
        model.objects.bulk_create([model(**key, **(defaults or {}))], ignore_conflicts=True)
        summary = model.objects.select_for_update().get(**key)
    return summary


def milk_withheld_discard(*, membership, animal, since: dt.date, until: dt.date, withheld) -> int:
    """Mark the cow's milk already saved for sessions that `withheld(day, session)` says fall under a
    withdrawal as discarded: a treatment entered after the milkings it covers. Returns how many.

    Runs in the caller's transaction (the treatment's), with the summaries and the dashboard.
    """
    records = [
        record for record in MilkRecord.objects.select_for_update().filter(
            tenant_id=membership.tenant_id, animal=animal, discarded=False, date__range=(since, until),
        ).order_by("date", "session")
        if withheld(record.date, record.session)
    ]
    days = set()
    for record in records:
        record.discarded, record.discard_reason = True, WITHDRAWAL_REASON
        record.save(update_fields=["discarded", "discard_reason", "updated_at"])
        days.add((record.farm_id, record.date))
    for farm_id, day in sorted(days):
        summaries_refresh(tenant_id=membership.tenant_id, farm_id=farm_id, animal_id=animal.pk, day=day)
        _touch_farm(membership.tenant_id, farm_id)
    if records:
        audit_append(actor=Actor.of(membership), action="milk.withheld", obj=animal, farm_id=animal.farm_id,
                     after={"records": [r.pk for r in records], "reason": WITHDRAWAL_REASON}, permission="health.record")
    return len(records)


def summaries_refresh(*, tenant_id: int, farm_id: int, animal_id: int, day: dt.date) -> FarmDaySummary:
    """Recompute the farm-day and animal-day summaries from their records (lock order: farm, animal);
    returns the farm-day summary."""
    farm_summary = _locked_summary(FarmDaySummary, tenant_id=tenant_id, farm_id=farm_id, date=day)
    animal_summary = _locked_summary(AnimalDaySummary, tenant_id=tenant_id, animal_id=animal_id, date=day, defaults={"farm_id": farm_id})
    _write(farm_summary, day_sums(tenant_id=tenant_id, day=day, farm_id=farm_id))
    animal_values = day_sums(tenant_id=tenant_id, day=day, animal_id=animal_id)
    animal_values.pop("cows_milked")
    animal_values["farm_id"] = farm_id  # the farm of the latest record, should the cow have moved
    _write(animal_summary, animal_values)
    return farm_summary


def _announce_if_session_complete(record: MilkRecord, farm_summary: FarmDaySummary) -> None:
    """milk.session_completed, once, when the session's last cow in milk on the farm is recorded.

    Skipped without a query for an organisation known to have no webhooks."""
    if cache.get(webhooks_flag(record.tenant_id)) is False:
        return
    recorded = getattr(farm_summary, f"{record.session}_count")
    in_milk = (Lactation.objects.filter(tenant_id=record.tenant_id, animal__farm_id=record.farm_id, animal__status=Status.ACTIVE,
                                        calving_date__lte=record.date)
               .filter(Q(dried_off_on=None) | Q(dried_off_on__gte=record.date)).count())
    if recorded == in_milk:
        event_emit(tenant_id=record.tenant_id, event="milk.session_completed", data={
            "farm_id": record.farm_id, "date": record.date, "session": record.session, "cows": recorded,
            "total": getattr(farm_summary, record.session), "day_total": farm_summary.total})


def _write(summary, values: dict) -> list[str]:
    """Set the values that differ and save them; return the names that differed."""
    drift = [k for k, v in values.items() if getattr(summary, k) != v]
    for key in drift:
        setattr(summary, key, values[key])
    if drift:
        summary.save(update_fields=drift)
    return drift


def summaries_reconcile(*, tenant_id: int, since: dt.date, until: dt.date) -> list[str]:
    """Recompute a tenant's summaries for a date range; fix and report any that drifted."""
    fixes: list[str] = []
    records = MilkRecord.objects.filter(tenant_id=tenant_id, date__range=(since, until))
    farm_days = set(records.order_by().values_list("farm_id", "date").distinct())
    farm_days |= set(FarmDaySummary.objects.filter(tenant_id=tenant_id, date__range=(since, until)).values_list("farm_id", "date"))
    for farm_id, day in sorted(farm_days):
        with transaction.atomic():
            summary = _locked_summary(FarmDaySummary, tenant_id=tenant_id, farm_id=farm_id, date=day)
            drift = _write(summary, day_sums(tenant_id=tenant_id, day=day, farm_id=farm_id))
            if drift:
                fixes.append(f"farm {farm_id} {day}: {', '.join(drift)}")
    animal_days = set(records.order_by().values_list("animal_id", "farm_id", "date").distinct())
    animal_days |= set(
        AnimalDaySummary.objects.filter(tenant_id=tenant_id, date__range=(since, until)).values_list("animal_id", "farm_id", "date")
    )
    for animal_id, farm_id, day in sorted(animal_days):
        with transaction.atomic():
            summary = _locked_summary(AnimalDaySummary, tenant_id=tenant_id, animal_id=animal_id, date=day, defaults={"farm_id": farm_id})
            values = day_sums(tenant_id=tenant_id, day=day, animal_id=animal_id)
            values.pop("cows_milked")
            drift = _write(summary, values)
            if drift:
                fixes.append(f"animal {animal_id} {day}: {', '.join(drift)}")
    for fix in fixes:
        log.warning("milk summary drift fixed for tenant %s: %s", tenant_id, fix)
    return fixes


# Alerts -------------------------------------------------------------------------------------------


def alerts_evaluate(*, record: MilkRecord, average=UNKNOWN, open_alerts: bool = True) -> list[QualityAlert]:
    """Re-derive the alerts of one record's cow and session from the rules. The row save reads with the cow
    her 7-day average for the session (`average`) and whether she has open alerts (`open_alerts`)."""
    removed = _open_alerts_removed(record) if open_alerts else []
    known = {(record.animal_id, record.session, kind) for kind in removed}
    alerts = _alerts_for(record, _recent_average(record) if average is UNKNOWN else average)
    if alerts:
        QualityAlert.objects.bulk_create(alerts, ignore_conflicts=True)
    _announce(alerts, known)
    return alerts


def _open_alerts_removed(record: MilkRecord) -> list[str]:
    """Remove the open alerts of the record's cow and session; return their kinds (one statement on PostgreSQL)."""
    open_alerts = QualityAlert.objects.filter(
        tenant_id=record.tenant_id, animal_id=record.animal_id, date=record.date, session=record.session, resolved_at=None)
    if connection.vendor != "postgresql":
        kinds = list(open_alerts.values_list("kind", flat=True))
        open_alerts.delete()
        return kinds
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {QualityAlert._meta.db_table} WHERE tenant_id = %s AND animal_id = %s AND date = %s "
            f"AND session = %s AND resolved_at IS NULL RETURNING kind",
            [record.tenant_id, record.animal_id, record.date, record.session])
        return [row[0] for row in cursor.fetchall()]


def _announce(alerts: list[QualityAlert], known: set) -> None:
    """A webhook event for each alert that was not already open for that cow and session."""
    for alert in alerts:
        if (alert.animal_id, alert.session, alert.kind) not in known:
            event_emit(tenant_id=alert.tenant_id, event="milk.alert_raised", data={
                "animal_id": alert.animal_id, "farm_id": alert.farm_id, "date": alert.date, "session": alert.session,
                "kind": alert.kind, "message": alert.message})


def alerts_evaluate_many(*, records: list[MilkRecord]) -> list[QualityAlert]:
    """The same rules for many records of one farm-day, with the 7-day averages in one grouped query."""
    if not records:
        return []
    first = records[0]
    animal_ids = {r.animal_id for r in records}
    open_alerts = QualityAlert.objects.filter(tenant_id=first.tenant_id, animal_id__in=animal_ids, date=first.date,
                                              resolved_at=None).filter(session__in={r.session for r in records})
    known = set(open_alerts.values_list("animal_id", "session", "kind"))
    open_alerts.delete()
    rows = (MilkRecord.objects.filter(tenant_id=first.tenant_id, animal_id__in=animal_ids,
                                      date__gte=first.date - dt.timedelta(days=7), date__lt=first.date)
            .values("animal_id", "session").annotate(average=Avg("quantity"), count=Count("id")))
    averages = {(r["animal_id"], r["session"]): r["average"] for r in rows if r["count"] >= 3}
    alerts = [alert for record in records for alert in _alerts_for(record, averages.get((record.animal_id, record.session)))]
    QualityAlert.objects.bulk_create(alerts, ignore_conflicts=True)
    _announce(alerts, known)
    return alerts


def _alerts_for(record: MilkRecord, average: Decimal | None) -> list[QualityAlert]:
    found: list[tuple[str, str]] = []
    tag = record.animal.tag
    if record.scc is not None and record.scc > SCC_HIGH:
        found.append((AlertKind.HIGH_SCC, f"{tag}: {record.scc:,} cells/mL, over {SCC_HIGH:,}."))
    if record.scc is not None and record.scc > SCC_RAISED:
        previous = _previous_scc(record)
        if previous is not None and previous > SCC_RAISED:
            found.append((AlertKind.REPEAT_SCC, f"{tag}: over {SCC_RAISED:,} cells/mL on two tests in a row ({previous:,}, {record.scc:,})."))
    if record.appearance != Appearance.NORMAL:
        found.append((AlertKind.APPEARANCE, f"{tag}: milk {record.get_appearance_display().lower()}."))
    if record.udder != Udder.NORMAL:
        found.append((AlertKind.UDDER, f"{tag}: udder {record.get_udder_display().lower()} ({record.quarter})."))
    if average is not None and average > 0 and record.quantity < average * YIELD_DROP:
        drop = (1 - record.quantity / average) * 100
        found.append((AlertKind.YIELD_DROP, f"{tag}: {record.quantity} against a 7-day {record.session} average of {average:.1f} ({drop:.0f}% down)."))
    return [
        QualityAlert(tenant_id=record.tenant_id, animal_id=record.animal_id, farm_id=record.farm_id, date=record.date,
                     session=record.session, kind=kind, message=message[:200])
        for kind, message in found
    ]


def _previous_scc(record: MilkRecord) -> int | None:
    """The cow's SCC on the test before this one."""
    earlier = (
        MilkRecord.objects.filter(tenant_id=record.tenant_id, animal_id=record.animal_id, scc__isnull=False, date__lte=record.date)
        .exclude(pk=record.pk)
        .order_by("-date")
        .values_list("date", "session", "scc")[:6]
    )
    position = (record.date, SESSION_ORDER[record.session])
    before = [(d, SESSION_ORDER[s], scc) for d, s, scc in earlier if (d, SESSION_ORDER[s]) < position]
    return max(before)[2] if before else None


def _recent_average(record: MilkRecord) -> Decimal | None:
    """The cow's average for this session over the 7 days before the record (at least 3 records)."""
    week = MilkRecord.objects.filter(
        tenant_id=record.tenant_id, animal_id=record.animal_id, session=record.session,
        date__gte=record.date - dt.timedelta(days=7), date__lt=record.date,
    ).values_list("quantity", flat=True)
    quantities = list(week)
    if len(quantities) < 3:
        return None
    return sum(quantities) / len(quantities)


@transaction.atomic
def alert_resolve(*, membership, alert: QualityAlert) -> None:
    if alert.tenant_id != membership.tenant_id or not can(membership, "milk.record", alert):
        raise PermissionDenied
    if alert.resolved_at is None:
        alert.resolved_at = timezone.now()
        alert.save(update_fields=["resolved_at"])
        audit_append(actor=Actor.of(membership), action="milk.alert_resolve", obj=alert, farm_id=alert.farm_id, permission="milk.record")
        _touch_farm(alert.tenant_id, alert.farm_id)  # the dashboard's alerts card must drop it


# Cache versions -------------------------------------------------------------------------------------


def farm_version_key(tenant_id: int, farm_id: int) -> str:
    return f"milk:v:{tenant_id}:{farm_id}"


def _bump(key: str) -> None:
    """Move a cache version on: what was cached under the old one is not read again."""
    if not cache.add(key, 1, timeout=None):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=None)


def session_context_changed(tenant_id: int, farm_id: int) -> None:
    """A tank reading or a lactation changed on the farm: the entry page's session context is read again."""
    from ..selectors import session_context_key

    key = session_context_key(tenant_id, farm_id)
    _bump(key)  # this request reads it afresh now; once committed, everyone does
    transaction.on_commit(lambda: _bump(key))


def _touch_farm(tenant_id: int, farm_id: int) -> None:
    """Invalidate the farm's cached dashboard once the change is committed."""
    key = farm_version_key(tenant_id, farm_id)
    transaction.on_commit(lambda: _bump(key))
