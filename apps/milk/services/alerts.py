"""Quality alerts: the rules over one record, or many of one farm-day, and resolving an alert."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Avg, Count
from django.utils import timezone

from apps.accounts.permissions import can
from apps.audit.services import Actor, audit_append
from apps.core.events import event_emit
from apps.core.outbox import handler, outbox_enqueue

from ..models import AlertKind, Appearance, MilkRecord, QualityAlert, Udder
from .versions import touch_farm

SCC_HIGH = 200_000
SCC_RAISED = 150_000
YIELD_DROP = Decimal("0.8")
SESSION_ORDER = {"morning": 0, "midday": 1, "evening": 2}
UNKNOWN = object()  # "not read yet": the caller did not read the cow's 7-day average with her


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
    """A webhook event for each alert that was not already open for that cow and session, and one outbox
    message for the people to hear of them (written only when there is something new)."""
    new = [a for a in alerts if (a.animal_id, a.session, a.kind) not in known]
    if new:
        outbox_enqueue(tenant_id=new[0].tenant_id, kind="milk.alerts_raised", payload={"alerts": [
            {"animal_id": a.animal_id, "farm_id": a.farm_id, "date": a.date.isoformat(), "session": a.session, "kind": a.kind,
             "message": a.message} for a in new]})
    for alert in alerts:
        if (alert.animal_id, alert.session, alert.kind) not in known:
            event_emit(tenant_id=alert.tenant_id, event="milk.alert_raised", data={
                "animal_id": alert.animal_id, "farm_id": alert.farm_id, "date": alert.date, "session": alert.session,
                "kind": alert.kind, "message": alert.message}, resource=f"animal:{alert.animal_id}")


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
        touch_farm(alert.tenant_id, alert.farm_id)  # the dashboard's alerts card must drop it


# Cache versions -------------------------------------------------------------------------------------


@handler("milk.alerts_raised")
def _tell_about_alerts(message) -> None:
    """Whoever looks after the farm's animals hears of a new quality alert (their channels: the bell and push)."""
    from apps.accounts.models import Membership
    from apps.farms.models import Farm
    from apps.herd.models import Animal
    from apps.notify.services import notify

    alerts = message.payload["alerts"]
    farms = {f.pk: f for f in Farm.objects.filter(pk__in={a["farm_id"] for a in alerts})}
    animals = {a.pk: a for a in Animal.objects.filter(pk__in={a["animal_id"] for a in alerts}).only("id", "tag", "name")}
    members = list(Membership.objects.filter(tenant_id=message.tenant_id, is_active=True, is_service=False)
                   .select_related("role", "tenant", "user__profile"))
    for alert in alerts:
        farm, animal = farms.get(alert["farm_id"]), animals.get(alert["animal_id"])
        if farm is None or animal is None:
            continue
        for member in members:
            if can(member, "herd.manage", farm):
                notify(membership=member, kind="milk_alert", url=f"/milk/animals/{animal.pk}/",
                       key=f"milk:{animal.pk}:{alert['date']}:{alert['session']}:{alert['kind']}",
                       context={"animal": str(animal), "farm": farm.name, "message": alert["message"],
                                "date": dt.date.fromisoformat(alert["date"]), "session": alert["session"]})
