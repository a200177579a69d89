"""Reads for milk. Pages read summary tables; raw records only for one cow, day or session."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import BooleanField, DecimalField, F, IntegerField, Q, Sum
from django.db.models.expressions import RawSQL
from django.http import Http404

from apps.accounts.permissions import visible_to
from apps.core.fragments import drawn
from apps.health.selectors import annotate_milk_withdrawal
from apps.herd.models import Animal, Sex, Status
from apps.herd.selectors import HERD

from . import charts, scc
from . import lactation as lactation_math
from .cow_session import CowSession
from .models import (
    AnimalDaySummary,
    BulkTankReading,
    FarmDaySummary,
    Lactation,
    MilkingVisit,
    MilkRecord,
    MilkRecordingResult,
    QualityAlert,
)


def animal_in_milk(animal) -> bool:
    """A female with a lactation not yet dried off."""
    return animal.sex == Sex.FEMALE and Lactation.objects.filter(
        tenant_id=animal.tenant_id, animal=animal, dried_off_on=None).exists()


def cows_in_milk(membership, farm, day: dt.date):
    """Active females of the farm with a lactation covering `day`.

    The lactation's test is written as SQL: the entry page, the row save's session context and the dashboard read
    this list or its count, and Django compiled the correlated subquery in 1.7-1.9 ms, against 0.7-0.8 ms for the
    whole query with it written out (the same cows)."""
    lactations, cow = Lactation._meta.db_table, f"{Animal._meta.db_table}.id"
    open_on_day = RawSQL(
        f"EXISTS (SELECT 1 FROM {lactations} l WHERE l.tenant_id = %s AND l.animal_id = {cow} AND l.calving_date <= %s "
        f"AND (l.dried_off_on IS NULL OR l.dried_off_on >= %s))", [membership.tenant_id, day, day], output_field=BooleanField())
    return (
        Animal.objects.filter(tenant_id=membership.tenant_id, farm=farm, sex=Sex.FEMALE, status=Status.ACTIVE)
        .filter(open_on_day)
        .only("id", "tag", "name", "eid", "farm_id", "tenant_id")
        .order_by("tag")
    )


def milkers_of(membership, farm) -> list:
    """Members who may record milk on the farm, for the entry page's milker picker."""
    from apps.accounts.access import snapshot_for
    from apps.accounts.models import Membership
    from apps.accounts.permissions import can

    members = list(Membership.objects.filter(tenant_id=membership.tenant_id, is_active=True, is_service=False).select_related(
        "user__profile", "role"))
    snapshot = snapshot_for(membership)
    for member in members:
        member._access = snapshot  # the same organisation's policies and delegations: no read of it per member
    limited = [member for member in members if not member.all_farms]
    if limited:  # the farms of those limited to some, in one query (what farm_ids_of would read one by one)
        farm_ids = {member.pk: set() for member in limited}
        for member_id, farm_id in Membership.farms.through.objects.filter(membership__in=limited).values_list("membership_id", "farm_id"):
            farm_ids[member_id].add(farm_id)
        for member in limited:
            member._farm_ids = frozenset(farm_ids[member.pk])
    return [m for m in members if can(m, "milk.record", farm)]


def entry_rows(membership, farm, day: dt.date, session: str) -> list[dict]:
    """Each cow in milk with this session's record (if any) and yesterday's same-session quantity."""
    cows = list(annotate_milk_withdrawal(cows_in_milk(membership, farm, day), tenant_id=membership.tenant_id, farm=farm, day=day,
                                         session=session))
    records, yesterday = {}, {}
    for r in MilkRecord.objects.filter(tenant_id=membership.tenant_id, farm=farm, date__in=(day, day - dt.timedelta(days=1)),
                                       session=session):
        if r.date == day:
            records[r.animal_id] = r
        else:
            yesterday[r.animal_id] = r.quantity
    return [{"animal": cow, "record": records.get(cow.pk), "yesterday": yesterday.get(cow.pk), "withdrawal_ends": cow.withdrawal_ends}
            for cow in cows]


def record_of(membership, animal, day: dt.date, session: str) -> MilkRecord | None:
    """The cow's record of that day and session, if there is one."""
    return MilkRecord.objects.filter(tenant_id=membership.tenant_id, animal=animal, date=day, session=session).first()


_READ = object()


def entry_row(membership, farm, animal, day: dt.date, session: str, *, known: CowSession, record=_READ) -> dict:
    """One row of the entry page, drawn from what was read with the cow; pass `record` when the caller has just
    saved (or deleted) it."""
    if record is _READ:
        record = record_of(membership, animal, day, session)
    return {"animal": animal, "record": record, "yesterday": known.yesterday, "withdrawal_ends": known.withdrawal_ends}


TANK_TOLERANCE_PCT = 3


def session_totals(membership, farm, day: dt.date, session: str, summary=_READ, cows: int | None = None) -> dict:
    """The session's saleable, discarded and produced milk and how many cows gave it, from the farm-day summary (pass it when a save just returned it),
    the bulk tank reading and how many cows are in milk (pass `cows` when the caller has just read them)."""
    if summary is _READ:
        summary = FarmDaySummary.objects.filter(tenant_id=membership.tenant_id, farm=farm, date=day).first()
    context = session_context(membership, farm, day, session, cows=cows)
    tank = context["tank"]
    milk = summary.session_milk(session) if summary else {"produced": Decimal("0"), "discarded": Decimal("0"),
                                                              "saleable": Decimal("0")}
    counted = getattr(summary, f"{session}_count", 0) if summary else 0
    # The tank holds the saleable milk: discarded milk never goes in.
    result = {"total": milk["saleable"], **milk, "count": counted, "tank": tank, "difference": None,
              "difference_pct": None, "off": False, "cows": context["cows"]}
    if tank is not None:
        result["difference"] = milk["saleable"] - tank.quantity
        if tank.quantity:
            result["difference_pct"] = (result["difference"] / tank.quantity * 100).quantize(Decimal("0.1"))
            result["off"] = abs(result["difference_pct"]) > TANK_TOLERANCE_PCT
    return result


def session_context(membership, farm, day: dt.date, session: str, cows: int | None = None) -> dict:
    """The session's bulk tank reading and how many cows are in milk: kept while a session is being entered (every
    row save shows them), read again at once after a tank reading or a lactation changes on the farm, or any
    animal of the organisation (sold, died, moved to another farm). `cows`: the count of `cows_in_milk` when the
    caller has just read them (the entry page), not counted again."""
    from .services.versions import SESSION_CONTEXT

    def load() -> dict:
        return {"tank": BulkTankReading.objects.filter(tenant_id=membership.tenant_id, farm=farm, date=day,
                                                       session=session).first(),
                "cows": cows if cows is not None else cows_in_milk(membership, farm, day).count()}

    return drawn("milk:session-context", sources=[(SESSION_CONTEXT, (membership.tenant_id, farm.pk)), (HERD, (membership.tenant_id,))],
                 vary_on=(membership.tenant_id, farm.pk, day, session), draw=load)


def get_member_of(membership, pk: int):
    """A member of the same organisation (whether they may milk is the service's call), or None."""
    from apps.accounts.models import Membership

    return Membership.objects.filter(tenant_id=membership.tenant_id, is_active=True, pk=pk).select_related("role").first()


def get_cow_for(membership, pk: int) -> Animal:
    """The animal a milk row is about: light (no lineage joins), 404 outside the member's farms."""
    cow = visible_to(Animal.objects.all(), membership).filter(pk=pk).first()
    if cow is None:
        raise Http404
    return cow


def cow_session_for(membership, pk: int, *, farm, day: dt.date, session: str) -> tuple[Animal, CowSession]:
    """The cow of a milk row, 404 outside the member's farms, with what the row save needs to know of her for
    the session, in the same query."""
    cows = annotate_milk_withdrawal(visible_to(Animal.objects.all(), membership).filter(pk=pk),
                                    tenant_id=membership.tenant_id, farm=farm, day=day, session=session)
    cow = _with_milk_context(cows, membership.tenant_id, day, session).first()
    if cow is None:
        raise Http404
    return cow, CowSession(day=day, session=session, withdrawal_ends=cow.withdrawal_ends, lactation_id=cow.lactation_on_day,
                           yesterday=cow.yesterday_quantity, has_open_alerts=cow.has_open_alerts,
                           week_average=cow.week_mean if (cow.week_records or 0) >= 3 else None)


def _with_milk_context(cows, tenant_id: int, day: dt.date, session: str):
    """What the row save needs to know of the cow, in the same query: her lactation on the day, yesterday's
    quantity this session (for the row), this session's 7-day average (for the yield-drop alert), and
    whether she has open alerts this session (most cows have none: nothing to clear).

    Written as SQL: the row save is bound by the processor, and compiling these as ORM subqueries cost
    more than the queries they replace."""
    cow = f"{Animal._meta.db_table}.id"
    records, lactations, alerts = MilkRecord._meta.db_table, Lactation._meta.db_table, QualityAlert._meta.db_table
    week = (f"FROM {records} r WHERE r.tenant_id = %s AND r.animal_id = {cow} AND r.session = %s "
            f"AND r.date >= %s AND r.date < %s")
    week_params = [tenant_id, session, day - dt.timedelta(days=7), day]
    return cows.annotate(
        has_open_alerts=RawSQL(
            f"EXISTS (SELECT 1 FROM {alerts} a WHERE a.tenant_id = %s AND a.animal_id = {cow} AND a.date = %s "
            f"AND a.session = %s AND a.resolved_at IS NULL)", [tenant_id, day, session], output_field=BooleanField()),
        lactation_on_day=RawSQL(
            f"SELECT l.id FROM {lactations} l WHERE l.tenant_id = %s AND l.animal_id = {cow} AND l.calving_date <= %s "
            f"AND (l.dried_off_on IS NULL OR l.dried_off_on >= %s) ORDER BY l.calving_date DESC LIMIT 1",
            [tenant_id, day, day], output_field=IntegerField()),
        yesterday_quantity=RawSQL(
            f"SELECT r.quantity FROM {records} r WHERE r.tenant_id = %s AND r.animal_id = {cow} AND r.date = %s "
            f"AND r.session = %s", [tenant_id, day - dt.timedelta(days=1), session],
            output_field=DecimalField(max_digits=5, decimal_places=2)),
        week_mean=RawSQL(f"SELECT AVG(r.quantity) {week}", week_params,
                         output_field=DecimalField(max_digits=12, decimal_places=6)),
        week_records=RawSQL(f"SELECT COUNT(*) {week}", week_params, output_field=IntegerField()),
    )


def get_lactation_for(membership, pk: int) -> Lactation:
    lactation = visible_to(Lactation.objects.select_related("animal__farm"), membership, "animal__farm_id").filter(pk=pk).first()
    if lactation is None:
        raise Http404
    return lactation


def get_alert_for(membership, pk: int) -> QualityAlert:
    alert = visible_to(QualityAlert.objects.all(), membership).filter(pk=pk).first()
    if alert is None:
        raise Http404
    return alert


def open_lactation_of(animal: Animal) -> Lactation | None:
    return Lactation.objects.filter(tenant_id=animal.tenant_id, animal=animal, dried_off_on=None).first()


def records_for(membership):
    return visible_to(MilkRecord.objects.select_related("animal", "farm", "milker__user"), membership)


# The animal page ----------------------------------------------------------------------------------


def animal_milk(animal: Animal, today: dt.date) -> dict:
    """Lactations with their curve, peak and 305-day yield, recent records and open alerts of one cow."""
    lactations = list(Lactation.objects.filter(tenant_id=animal.tenant_id, animal=animal).order_by("-calving_date"))
    days = list(
        AnimalDaySummary.objects.filter(tenant_id=animal.tenant_id, animal=animal, records__gt=0)
        .order_by("date")
        .values_list("date", "total")
    )
    summaries = []
    for lactation in lactations:
        end = lactation.dried_off_on or today
        tests = [
            lactation_math.DayYield(lactation_math.days_in_milk(lactation.calving_date, day), total)
            for day, total in days
            if lactation.calving_date <= day <= end
        ]
        peak = lactation_math.peak(tests)
        summaries.append(
            {
                "lactation": lactation,
                "days_in_milk": lactation_math.days_in_milk(lactation.calving_date, end),
                "peak": peak,
                "yield_305": lactation_math.yield_305(tests, last_dim=lactation_math.days_in_milk(lactation.calving_date, end)),
                "total": sum((t.yield_ for t in tests), Decimal("0")),
                "curve": charts.curve_chart([[t.dim, float(t.yield_)] for t in tests]),
            }
        )
    records = list(MilkRecord.objects.filter(tenant_id=animal.tenant_id, animal=animal).order_by("-date", "-session")[:20])
    alerts = list(QualityAlert.objects.filter(tenant_id=animal.tenant_id, animal=animal, resolved_at=None)[:10])
    visits = []
    if any(r.visit_count for r in records):  # a robot's or a meter's: the visits the sessions are made of
        visits = list(MilkingVisit.objects.filter(tenant_id=animal.tenant_id, animal=animal).order_by("-started_at")[:12])
    recordings = list(MilkRecordingResult.objects.filter(tenant_id=animal.tenant_id, animal=animal).order_by("-date")[:6])
    return {"lactations": summaries, "records": records, "alerts": alerts, "visits": visits, "recordings": recordings,
            "open": next((s for s in summaries if s["lactation"].is_open), None)}


# The dashboard ------------------------------------------------------------------------------------


def _period_sums(today: dt.date) -> dict:
    """Sum expressions for today, 7 and 30 days and the periods just before them."""

    def window(days, offset=0):
        end = today - dt.timedelta(days=offset)
        return Q(date__range=(end - dt.timedelta(days=days - 1), end))

    saleable = F("total") - F("discarded")
    return {
        "today": Sum(saleable, filter=window(1)),
        "yesterday": Sum(saleable, filter=window(1, 1)),
        "week": Sum(saleable, filter=window(7)),
        "last_week": Sum(saleable, filter=window(7, 7)),
        "month": Sum(saleable, filter=window(30)),
        "last_month": Sum(saleable, filter=window(30, 30)),
        "week_produced": Sum("total", filter=window(7)),
        "week_cows": Sum("cows_milked", filter=window(7)),
        "week_discarded": Sum("discarded", filter=window(7)),
    }


def _change(now, before):
    if not before:
        return None
    return ((Decimal(now or 0) - before) / before * 100).quantize(Decimal("0.1"))


def production(membership, today: dt.date) -> dict:
    """Saleable milk per farm for today, 7 and 30 days, each against the period before, and the milk produced
    per cow a day (one query: every figure is a sum, so the whole herd's are the farms' added up)."""
    summaries = visible_to(FarmDaySummary.objects.all(), membership).filter(date__gte=today - dt.timedelta(days=59), date__lte=today)
    sums = _period_sums(today)
    per_farm = list(summaries.values("farm_id", "farm__name").annotate(**sums).order_by("farm__name"))
    return {
        "farms": [_production_row(row["farm__name"], row) for row in per_farm],
        "overall": _production_row("All farms", _added_up(per_farm, sums)),
    }


def _added_up(rows, names) -> dict:
    """The rows' sums added up; None where no row has one, as SQL's SUM over no values gives."""
    total = {}
    for name in names:
        values = [row[name] for row in rows if row[name] is not None]
        total[name] = sum(values) if values else None
    return total


def _production_row(name, sums) -> dict:
    zero = Decimal("0")
    per_cow = (sums["week_produced"] / sums["week_cows"]).quantize(Decimal("0.1")) if sums["week_cows"] else None
    return {
        "name": name,
        "today": sums["today"] or zero,
        # Before the first milking of the day there is nothing to compare yet.
        "today_change": _change(sums["today"], sums["yesterday"]) if sums["today"] else None,
        "week": sums["week"] or zero, "week_change": _change(sums["week"], sums["last_week"]),
        "month": sums["month"] or zero, "month_change": _change(sums["month"], sums["last_month"]),
        "per_cow": per_cow, "week_discarded": sums["week_discarded"] or zero,
    }


def daily_series(membership, today: dt.date, days: int = 90) -> dict:
    """The herd's daily totals with the session split, for the chart."""
    start = today - dt.timedelta(days=days - 1)
    rows = (
        visible_to(FarmDaySummary.objects.all(), membership)
        .filter(date__range=(start, today))
        .values("date")
        .annotate(morning=Sum("morning"), midday=Sum("midday"), evening=Sum("evening"))
        .order_by("date")
    )
    by_day = {r["date"]: r for r in rows}
    labels, morning, midday, evening = [], [], [], []
    for n in range(days):
        day = start + dt.timedelta(days=n)
        row = by_day.get(day, {})
        labels.append(day.isoformat())
        morning.append(float(row.get("morning") or 0))
        midday.append(float(row.get("midday") or 0))
        evening.append(float(row.get("evening") or 0))
    return {"labels": labels, "morning": morning, "midday": midday, "evening": evening}


def producers(membership, today: dt.date, limit: int = 5) -> dict:
    """The cows with the most and the least milk over the last 7 days. The cows are named from the organisation's
    animals alone (said to the join: PostgreSQL otherwise hashed every organisation's herd, 3.8 to 1.0 ms)."""
    week = (
        visible_to(AnimalDaySummary.objects.all(), membership)
        .filter(date__range=(today - dt.timedelta(days=6), today), records__gt=0, animal__tenant_id=membership.tenant_id)
        .values("animal_id", "animal__tag", "animal__name")
        .annotate(litres=Sum("total"))
        .order_by("litres", "animal__tag")
    )
    # One query, both ends taken in Python: a herd's week is a few hundred rows at most.
    rows = list(week)
    top = sorted(rows, key=lambda row: (-row["litres"], row["animal__tag"]))[:limit]
    return {"top": top, "bottom": rows[:limit]}


def open_alerts(membership, today: dt.date, limit: int = 10):
    return list(
        visible_to(QualityAlert.objects.select_related("animal"), membership)
        .filter(resolved_at=None, date__gte=today - dt.timedelta(days=14))
        .order_by("-date", "-created_at")[:limit]
    )


def bulk_scc(membership, today: dt.date) -> dict:
    """Each farm's bulk SCC as the rolling geometric mean of EU 853/2004 (apps/milk/scc.py): its tank tests,
    else its cows' tests weighted by each day's volume (said on the card)."""
    since = scc.months_ending(today)[0]
    tank, cows = {}, {}
    for farm, day, value in (visible_to(BulkTankReading.objects.all(), membership)
                             .filter(date__range=(since, today), scc__gt=0).values_list("farm__name", "date", "scc")):
        tank.setdefault(farm, []).append((day, value))
    for farm, day, weighted, volume in (visible_to(FarmDaySummary.objects.all(), membership)
                                        .filter(date__range=(since, today), scc_volume__gt=0, scc_weighted__gt=0)
                                        .values_list("farm__name", "date", "scc_weighted", "scc_volume")):
        cows.setdefault(farm, []).append((day, float(weighted / volume)))
    rows = []
    for farm in sorted({*tank, *cows}):
        rows.append({"farm": farm, "source": "bulk" if farm in tank else "cows",
                     "mean": scc.rolling_geometric_mean(tank.get(farm) or cows[farm], today)})
    return {"farms": rows, "months": scc.months_ending(today)}
