"""Reads for deliveries, scoped to the member's organisation and farms."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from apps.accounts.permissions import visible_to
from apps.health.selectors import annotate_milk_withdrawal
from apps.herd.models import Animal
from apps.milk.models import Appearance, FarmDaySummary, Lactation, MilkRecord
from apps.milk.selectors import cows_in_milk

from . import pay
from .models import Buyer, Declaration, Delivery, PriceSchedule, Statement

# Colostrum: "the fluid secreted by the mammary glands of milk-producing animals up to three to five days
# post-parturition" (Regulation (EC) No 853/2004, Annex I, 4.2). It is not raw milk for the tank: kept out
# from the day of calving to the fifth day after it, the long end of that range.
COLOSTRUM_DAYS = 5


def buyers_of(membership, *, active_only: bool = True):
    buyers = Buyer.objects.filter(tenant_id=membership.tenant_id)
    return buyers.filter(is_active=True) if active_only else buyers


def get_buyer_for(membership, pk: int) -> Buyer:
    buyer = Buyer.objects.filter(tenant_id=membership.tenant_id, pk=pk).first()
    if buyer is None:
        raise Http404
    return buyer


def schedules_of(buyer: Buyer) -> list[PriceSchedule]:
    return list(PriceSchedule.objects.filter(tenant_id=buyer.tenant_id, buyer=buyer))


def schedule_on(buyer: Buyer, day: dt.date) -> PriceSchedule | None:
    """The schedule in force on the day, if any."""
    return (PriceSchedule.objects.filter(tenant_id=buyer.tenant_id, buyer=buyer, valid_from__lte=day)
            .filter(Q(valid_to=None) | Q(valid_to__gte=day)).first())


def deliveries_for(membership):
    return visible_to(Delivery.objects.select_related("farm", "buyer", "recorded_by__user__profile"), membership).filter(voided_at=None)


def get_delivery_for(membership, pk: int) -> Delivery:
    delivery = deliveries_for(membership).filter(pk=pk).first()
    if delivery is None:
        raise Http404
    return delivery


def saleable(membership, farm, day: dt.date, sessions: list[str]) -> Decimal:
    """The saleable milk (milked less discarded) of the farm's sessions on the day."""
    summary = FarmDaySummary.objects.filter(tenant_id=membership.tenant_id, farm=farm, date=day).first()
    if summary is None:
        return Decimal("0")
    return sum((summary.session_milk(session)["saleable"] for session in sessions), Decimal("0"))


@dataclass(frozen=True)
class KeptOut:
    """A cow whose milk must not go to the buyer in a session, and why."""

    kind: str  # "withdrawal", "colostrum" or "abnormal"
    animal_id: int
    tag: str
    name: str
    reason: str
    until: dt.datetime | dt.date | None = None

    def as_json(self) -> dict:
        until = self.until.isoformat() if self.until else None
        return {"kind": self.kind, "animal_id": self.animal_id, "tag": self.tag, "name": self.name, "reason": self.reason, "until": until}


def do_not_ship(membership, farm, day: dt.date, session: str) -> list[KeptOut]:
    """The cows of the farm whose milk of the session must stay out of the tank: under a medicine's
    withdrawal by the farm's own session times, giving colostrum, or whose milk was recorded abnormal or
    discarded in the session. One line a cow, the first reason found in that order."""
    tenant_id = membership.tenant_id
    cows = list(annotate_milk_withdrawal(cows_in_milk(membership, farm, day), tenant_id=tenant_id, farm=farm, day=day,
                                         session=session))
    if not cows:
        return []
    by_id = {cow.pk: cow for cow in cows}
    calved = dict(Lactation.objects.filter(tenant_id=tenant_id, animal_id__in=list(by_id), calving_date__lte=day,
                                           calving_date__gte=day - dt.timedelta(days=COLOSTRUM_DAYS))
                  .values_list("animal_id", "calving_date"))
    marked = {record.animal_id: record for record in MilkRecord.objects.filter(
        tenant_id=tenant_id, farm=farm, date=day, session=session, animal_id__in=list(by_id)).filter(
        Q(discarded=True) | ~Q(appearance=Appearance.NORMAL)).only("animal_id", "discarded", "discard_reason", "appearance")}
    kept = []
    for cow in cows:
        if cow.withdrawal_ends:
            kept.append(KeptOut("withdrawal", cow.pk, cow.tag, cow.name, _("medicine withdrawal"), cow.withdrawal_ends))
        elif cow.pk in calved:
            kept.append(KeptOut("colostrum", cow.pk, cow.tag, cow.name, _("colostrum"),
                                calved[cow.pk] + dt.timedelta(days=COLOSTRUM_DAYS)))
        elif cow.pk in marked:
            record = marked[cow.pk]
            reason = record.discard_reason or (record.get_appearance_display() if record.appearance != Appearance.NORMAL
                                               else _("discarded"))
            kept.append(KeptOut("abnormal", cow.pk, cow.tag, cow.name, _("abnormal milk: %(reason)s") % {"reason": str(reason).lower()}))
    return kept


def withheld_in_tank(membership, farm, day: dt.date, sessions: list[str]) -> list[str]:
    """Tags of cows whose milk was recorded as saleable in these sessions though a medicine's withdrawal covers it:
    a delivery holding it is refused. (Colostrum and abnormal milk are on the do-not-ship list for the milker to
    keep out; the parlour does not mark them by itself, so they do not stop a delivery.) One query a session."""
    tags: set[str] = set()
    for session in sessions:
        saleable_ids = MilkRecord.objects.filter(tenant_id=membership.tenant_id, farm=farm, date=day, session=session,
                                                 discarded=False, quantity__gt=0).values("animal_id")
        cows = annotate_milk_withdrawal(Animal.objects.filter(tenant_id=membership.tenant_id, pk__in=saleable_ids),
                                        tenant_id=membership.tenant_id, farm=farm, day=day, session=session)
        tags.update(cow.tag for cow in cows.only("id", "tag") if cow.withdrawal_ends)
    return sorted(tags)


def last_declaration(membership, farm, day: dt.date, session: str) -> Declaration | None:
    return (Declaration.objects.filter(tenant_id=membership.tenant_id, farm=farm, date=day, session=session)
            .select_related("declared_by__user__profile").first())


def statements_for(membership):
    return visible_to(Statement.objects.select_related("buyer", "farm"), membership)


def get_statement_for(membership, pk: int) -> Statement:
    statement = statements_for(membership).filter(pk=pk).first()
    if statement is None:
        raise Http404
    return statement


def month_end(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def month_deliveries(statement: Statement) -> list[Delivery]:
    return list(Delivery.objects.filter(tenant_id=statement.tenant_id, buyer=statement.buyer, farm=statement.farm,
                                        voided_at=None, date__gte=statement.month, date__lte=month_end(statement.month))
                .order_by("date", "id"))


def expected_pay(delivery: Delivery, schedule: PriceSchedule | None) -> pay.Pay | None:
    if schedule is None:
        return None
    tests = pay.Results(fat=delivery.fat, protein=delivery.protein, scc=delivery.scc, bacteria=delivery.bacteria,
                      antibiotics=delivery.antibiotics, added_water=delivery.added_water)
    return pay.delivery_pay(schedule, delivery.quantity, tests, delivery.rejected_quantity)


def _schedules_by_buyer(tenant_id: int, buyer_ids) -> dict[int, list[PriceSchedule]]:
    found: dict[int, list[PriceSchedule]] = {}
    for schedule in PriceSchedule.objects.filter(tenant_id=tenant_id, buyer_id__in=list(buyer_ids)):
        found.setdefault(schedule.buyer_id, []).append(schedule)
    return found


def _in_force(schedules: list[PriceSchedule], day: dt.date) -> PriceSchedule | None:
    return next((s for s in schedules if s.valid_from <= day and (s.valid_to is None or day <= s.valid_to)), None)


def with_expected_pay(deliveries: list[Delivery]) -> list[tuple[Delivery, pay.Pay | None]]:
    """Each delivery with what its buyer's schedule pays for it (None when no schedule covers the day)."""
    if not deliveries:
        return []
    schedules = _schedules_by_buyer(deliveries[0].tenant_id, {d.buyer_id for d in deliveries})
    return [(d, expected_pay(d, _in_force(schedules.get(d.buyer_id, []), d.date))) for d in deliveries]


def reconciliation_of(statement: Statement):
    from .reconcile import reconcile

    deliveries = with_expected_pay(month_deliveries(statement))
    schedules = _schedules_by_buyer(statement.tenant_id, [statement.buyer_id]).get(statement.buyer_id, [])
    schedule = _in_force(schedules, month_end(statement.month)) or _in_force(schedules, statement.month)
    return reconcile(deliveries, list(statement.lines.all()), schedule.monthly_fee if schedule else None)
