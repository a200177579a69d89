"""Writes for milk: records, bulk tank readings, alerts, and the summaries kept beside them."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.permissions import can, ensure
from apps.audit.services import Actor, audit_append, changed, snapshot
from apps.core.dates import date_problem
from apps.core.events import event_emit, webhooks_flag
from apps.core.templatetags.ifarm import plain
from apps.health.selectors import milk_withdrawal_for
from apps.herd.models import Animal, Status

from ..checks import record_problems, session_word
from ..cow_session import CowSession, RowSaved
from ..models import (
    AnimalDaySummary,
    BulkTankReading,
    FarmDaySummary,
    Lactation,
    MilkRecord,
    QualityAlert,
    Session,
    Udder,
)
from ..summaries import day_summaries_add, day_sums, difference, summary_locked, summary_write
from .alerts import UNKNOWN, alerts_evaluate
from .versions import touch_farm

log = logging.getLogger(__name__)

QUALITY_FIELDS = [
    "method", "duration_minutes", "fat", "protein", "lactose", "scc", "ph", "temperature", "udder", "quarter",
    "appearance", "discarded", "discard_reason", "notes",
]


def farm_sessions(farm) -> list[str]:
    return farm.milkings.sessions


WITHDRAWAL_REASON = "withdrawal"


def lactation_on(animal: Animal, day: dt.date) -> Lactation | None:
    """The lactation the cow was in on `day`, if any."""
    return (
        Lactation.objects.filter(tenant_id=animal.tenant_id, animal=animal, calving_date__lte=day)
        .filter(Q(dried_off_on=None) | Q(dried_off_on__gte=day))
        .order_by("-calving_date")
        .first()
    )


def _validate_record(*, membership, farm, animal, day, session, values, known: CowSession | None) -> tuple[dict, Lactation | None]:
    if farm.tenant_id != membership.tenant_id:
        raise PermissionDenied
    ensure(membership, "milk.record", farm)
    found: list[Lactation | None] = []

    def in_milk() -> bool:
        if known is not None:  # read with the cow: no query
            found.append(Lactation(pk=known.lactation_id, tenant_id=animal.tenant_id, animal_id=animal.pk)
                         if known.lactation_id else None)
        else:
            found.append(lactation_on(animal, day))
        return found[0] is not None

    errors = record_problems(farm=farm, animal=animal, day=day, session=session, values=values, in_milk=in_milk)
    lactation = found[0] if found else None
    # Milk of a cow under withdrawal never counts as saleable: it is recorded as discarded.
    ends = (known.withdrawal_ends if known is not None else milk_withdrawal_for(animal, farm, day, session)) if not errors else None
    if ends:
        if values.get("discarded") is False and "discarded" in values:
            errors["discarded"] = _("%(tag)s is under milk withdrawal until %(moment)s; her milk must be discarded.") % {
                "tag": animal.tag, "moment": formats.date_format(ends.astimezone(farm.zone), "DAY_TIME_FORMAT")}
        values["discarded"], values["discard_reason"] = True, WITHDRAWAL_REASON
    if values.get("udder", Udder.NORMAL) != Udder.NORMAL and not values.get("quarter"):
        errors["quarter"] = _("Say which quarter.")
    if values.get("discarded") and not (values.get("discard_reason") or "").strip():
        errors["discard_reason"] = _("Say why the milk was discarded.")
    if errors:
        raise ValidationError(errors)
    return values, lactation


def milking_record_save(**given) -> MilkRecord:
    """Create or update the record of one cow, day and session (see milking_row_save); answer with the record."""
    return milking_row_save(known=None, **given).record


@transaction.atomic
def milking_row_save(
    *, membership, farm, animal, date: dt.date, session: str, quantity: Decimal, known: CowSession | None, milker=None,
    **quality,
) -> RowSaved:
    """Create or update the record of one cow, day and session, with its summaries and alerts; answer with the record
    and the farm-day totals as the write left them.

    `known` is what was read with the cow for this session (the entry page's row save); None: read here.
    `milker` is the member who milked (default: whoever records); they must be able to milk on the farm.
    """
    if known is not None and not known.covers(date, session):
        known = None
    values = {"quantity": quantity, **{k: v for k, v in quality.items() if k in QUALITY_FIELDS}}
    if milker is not None and (milker.tenant_id != membership.tenant_id or not can(milker, "milk.record", farm)):
        raise ValidationError({"milker": _("Pick a member who milks on this farm.")})
    values, lactation = _validate_record(membership=membership, farm=farm, animal=animal, day=date, session=session, values=values,
                                         known=known)
    record, before, counted, recount = _write_record(membership, farm, animal, date, session, values, lactation, milker)
    if recount:
        farm_summary = summaries_refresh(tenant_id=record.tenant_id, farm_id=farm.pk, animal_id=animal.pk, day=date)
    else:
        farm_summary = day_summaries_add(tenant_id=record.tenant_id, farm_id=record.farm_id, animal_id=animal.pk, day=date,
                                         delta=difference(_summed(record), counted))
    record.animal = animal
    alerts_evaluate(record=record, average=known.week_average if known is not None else UNKNOWN,
                    open_alerts=known.has_open_alerts if known is not None else True)
    sessions_announce(farm=farm, farm_summary=farm_summary, sessions=[session])
    b, a = changed(before, snapshot(record))
    audit_append(
        actor=Actor.of(membership), action="milk.update" if before else "milk.create", obj=record, farm_id=farm.pk,
        before=b, after=a, permission="milk.record",
    )
    touch_farm(record.tenant_id, farm.pk)
    return RowSaved(record, farm_summary)


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
    if record is not None and record.visit_count and values["quantity"] != record.quantity:
        raise ValidationError({"quantity": ngettext(
            "This milking is the sum of %(count)s visit (%(total)s); correct the visit, not the sum.",
            "This milking is the sum of %(count)s visits (%(total)s); correct the visits, not their sum.",
            record.visit_count) % {"count": record.visit_count, "total": plain(record.quantity)}})
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
    farm_summary = summaries_refresh(tenant_id=record.tenant_id, farm_id=farm_id, animal_id=animal_id, day=day)
    sessions_announce(farm=record.farm, farm_summary=farm_summary, sessions=[session])
    audit_append(actor=Actor.of(membership), action="milk.delete", obj=record, farm_id=farm_id, before=before, permission="milk.record")
    touch_farm(record.tenant_id, farm_id)


@transaction.atomic
def bulk_tank_save(*, membership, farm, date: dt.date, session: str, quantity: Decimal, scc: int | None = None) -> BulkTankReading:
    errors = {}
    if farm.tenant_id != membership.tenant_id or not can(membership, "milk.record", farm):
        raise PermissionDenied
    if session not in farm_sessions(farm):
        errors["session"] = _("%(name)s does not milk in the %(session)s.") % {"name": farm.name, "session": session_word(session)}
    if problem := date_problem(date, today=farm.local_today()):
        errors["date"] = problem
    if not (Decimal("0") <= quantity <= Decimal("100000")):
        errors["quantity"] = _("Enter the tank quantity, between 0 and 100,000.")
    if scc is not None and not (0 <= scc <= 10_000_000):
        errors["scc"] = _("Enter a value between 0 and 10,000,000 cells/mL.")
    if errors:
        raise ValidationError(errors)
    reading, created = BulkTankReading.objects.update_or_create(
        tenant_id=membership.tenant_id, farm=farm, date=date, session=session, defaults={"quantity": quantity, "scc": scc}
    )
    audit_append(
        actor=Actor.of(membership), action="milk.bulk_tank", obj=reading, farm_id=farm.pk,
        after={"date": date, "session": session, "quantity": quantity, "scc": scc}, permission="milk.record",
    )
    touch_farm(membership.tenant_id, farm.pk)
    return reading


# Summaries ----------------------------------------------------------------------------------------

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
    days: dict[tuple, list[MilkRecord]] = {}
    for record in records:
        record.discarded, record.discard_reason = True, WITHDRAWAL_REASON
        record.save(update_fields=["discarded", "discard_reason", "updated_at"])
        days.setdefault((record.farm_id, record.date), []).append(record)
    for (farm_id, day), changed_records in sorted(days.items(), key=lambda item: item[0]):
        farm_summary = summaries_refresh(tenant_id=membership.tenant_id, farm_id=farm_id, animal_id=animal.pk, day=day)
        sessions_announce(farm=changed_records[0].farm, farm_summary=farm_summary,
                          sessions=sorted({r.session for r in changed_records}, key=Session.values.index))
        touch_farm(membership.tenant_id, farm_id)
    if records:
        audit_append(actor=Actor.of(membership), action="milk.withheld", obj=animal, farm_id=animal.farm_id,
                     after={"records": [r.pk for r in records], "reason": WITHDRAWAL_REASON}, permission="health.record")
    return len(records)


def summaries_refresh(*, tenant_id: int, farm_id: int, animal_id: int, day: dt.date) -> FarmDaySummary:
    """Recompute the farm-day and animal-day summaries from their records (lock order: farm, animal);
    returns the farm-day summary."""
    farm_summary = summary_locked(FarmDaySummary, tenant_id=tenant_id, farm_id=farm_id, date=day)
    animal_summary = summary_locked(AnimalDaySummary, tenant_id=tenant_id, animal_id=animal_id, date=day, defaults={"farm_id": farm_id})
    summary_write(farm_summary, day_sums(tenant_id=tenant_id, day=day, farm_id=farm_id))
    animal_values = day_sums(tenant_id=tenant_id, day=day, animal_id=animal_id)
    animal_values.pop("cows_milked")
    animal_values["farm_id"] = farm_id  # the farm of the latest record, should the cow have moved
    summary_write(animal_summary, animal_values)
    return farm_summary


def sessions_announce(*, farm, farm_summary: FarmDaySummary, sessions, now: dt.datetime | None = None) -> None:
    """After a change to `sessions` of a farm's day: `milk.session_completed` once for each session that is
    done, with its totals, and `milk.session_corrected` for a change to one already announced.

    A session is done when its time is over (the next session has begun), or, in a parlour, as soon as
    every cow in milk on the farm has her record. A robot's sessions end only with their slot: cows come
    back to it. Sessions that end unannounced are announced by the periodic round (sessions_due_announce).
    Skipped without a query for an organisation known to have no webhooks."""
    if cache.get(webhooks_flag(farm_summary.tenant_id)) is False:
        return
    now = now or timezone.now()
    announced = set(filter(None, farm_summary.announced.split(",")))
    day = farm_summary.date
    in_milk = None
    for session in sessions:
        resource = f"milk-session:{farm.pk}:{day.isoformat()}:{session}"
        data = session_completed_data(farm_summary, session)
        if session in announced:
            event_emit(tenant_id=farm_summary.tenant_id, event="milk.session_corrected", data=data, resource=resource)
            continue
        if not getattr(farm_summary, f"{session}_count"):
            continue
        if farm.milkings.ends_at(day, session) > now:
            if farm.robot_milking:
                continue
            if in_milk is None:
                in_milk = (Lactation.objects.filter(tenant_id=farm_summary.tenant_id, animal__farm_id=farm.pk,
                                                    animal__status=Status.ACTIVE, calving_date__lte=day)
                           .filter(Q(dried_off_on=None) | Q(dried_off_on__gte=day)).count())
            if getattr(farm_summary, f"{session}_count") < in_milk:
                continue
        event_emit(tenant_id=farm_summary.tenant_id, event="milk.session_completed", data=data, resource=resource)
        announced.add(session)
    joined = ",".join(s for s in Session.values if s in announced)
    if joined != farm_summary.announced:
        farm_summary.announced = joined
        FarmDaySummary.objects.filter(pk=farm_summary.pk).update(announced=joined)


def sessions_due_announce(*, tenant_id: int, now: dt.datetime | None = None) -> int:
    """Announce the sessions of the last three days whose time is over but that nobody announced (a robot's
    slot, a parlour where a cow was not milked). Returns how many farm-days were looked at."""
    now = now or timezone.now()
    since = now.date() - dt.timedelta(days=3)
    summaries = list(FarmDaySummary.objects.filter(tenant_id=tenant_id, date__gte=since, records__gt=0).select_related("farm"))
    for summary in summaries:
        sessions = [s for s in summary.farm.milkings.sessions if s not in summary.announced.split(",")
                    and getattr(summary, f"{s}_count") and summary.farm.milkings.ends_at(summary.date, s) <= now]
        if sessions:
            with transaction.atomic():
                locked = FarmDaySummary.objects.select_for_update().get(pk=summary.pk)
                locked.farm = summary.farm
                sessions_announce(farm=summary.farm, farm_summary=locked,
                                  sessions=[s for s in sessions if s not in locked.announced.split(",")], now=now)
    return len(summaries)


def session_completed_data(farm_summary: FarmDaySummary, session: str) -> dict:
    """A milk.session_completed event's figures: produced (`total`), discarded and saleable milk of the
    session and the day."""
    milk = farm_summary.session_milk(session)
    return {"farm_id": farm_summary.farm_id, "date": farm_summary.date, "session": session,
            "cows": getattr(farm_summary, f"{session}_count"), "total": milk["produced"], "discarded": milk["discarded"],
            "saleable": milk["saleable"], "day_total": farm_summary.total, "day_discarded": farm_summary.discarded,
            "day_saleable": farm_summary.saleable}


def summaries_reconcile(*, tenant_id: int, since: dt.date, until: dt.date) -> list[str]:
    """Recompute a tenant's summaries for a date range; fix and report any that drifted."""
    fixes: list[str] = []
    records = MilkRecord.objects.filter(tenant_id=tenant_id, date__range=(since, until))
    farm_days = set(records.order_by().values_list("farm_id", "date").distinct())
    farm_days |= set(FarmDaySummary.objects.filter(tenant_id=tenant_id, date__range=(since, until)).values_list("farm_id", "date"))
    for farm_id, day in sorted(farm_days):
        with transaction.atomic():
            summary = summary_locked(FarmDaySummary, tenant_id=tenant_id, farm_id=farm_id, date=day)
            drift = summary_write(summary, day_sums(tenant_id=tenant_id, day=day, farm_id=farm_id))
            if drift:
                fixes.append(f"farm {farm_id} {day}: {', '.join(drift)}")
    animal_days = set(records.order_by().values_list("animal_id", "farm_id", "date").distinct())
    animal_days |= set(
        AnimalDaySummary.objects.filter(tenant_id=tenant_id, date__range=(since, until)).values_list("animal_id", "farm_id", "date")
    )
    for animal_id, farm_id, day in sorted(animal_days):
        with transaction.atomic():
            summary = summary_locked(AnimalDaySummary, tenant_id=tenant_id, animal_id=animal_id, date=day, defaults={"farm_id": farm_id})
            values = day_sums(tenant_id=tenant_id, day=day, animal_id=animal_id)
            values.pop("cows_milked")
            drift = summary_write(summary, values)
            if drift:
                fixes.append(f"animal {animal_id} {day}: {', '.join(drift)}")
    for fix in fixes:
        log.warning("milk summary drift fixed for tenant %s: %s", tenant_id, fix)
    return fixes


# Alerts -------------------------------------------------------------------------------------------
