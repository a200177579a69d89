"""Reads for feeding and income over feed cost, scoped to the member's organisation and farms."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Sum
from django.http import Http404

from apps.accounts.permissions import visible_to
from apps.deliveries.models import Delivery, Measure
from apps.deliveries.selectors import with_expected_pay
from apps.deliveries.services import KG_PER_LITRE
from apps.herd.models import Animal, AnimalGroup
from apps.milk.models import AnimalDaySummary, FarmDaySummary
from apps.stock.models import Batch, ItemKind, StockItem

from . import iofc
from .models import Feeding, FeedingLine, Ration

ZERO = Decimal("0")


def rations_for(membership):
    return visible_to(Ration.objects.select_related("farm", "group").prefetch_related("lines__item"), membership)


def get_ration_for(membership, pk: int) -> Ration:
    ration = rations_for(membership).filter(pk=pk).first()
    if ration is None:
        raise Http404
    return ration


def feedings_for(membership):
    return visible_to(Feeding.objects.select_related("farm", "group", "ration").prefetch_related("lines__item"), membership)


def feeds_of(membership):
    return StockItem.objects.filter(tenant_id=membership.tenant_id, kind__in=(ItemKind.FEED, ItemKind.SUPPLEMENT), is_active=True)


def groups_of(membership, farm=None):
    groups = visible_to(AnimalGroup.objects.select_related("farm"), membership)
    return groups.filter(farm=farm) if farm is not None else groups


def on_hand(farm, item) -> Decimal:
    return Batch.objects.filter(tenant_id=farm.tenant_id, farm=farm, item=item).aggregate(q=Sum("quantity"))["q"] or ZERO


def iofc_days(membership, farm, since: dt.date, until: dt.date) -> list[iofc.Day]:
    """Each day of the period on the farm: saleable milk, what was delivered and its value, the rest at the
    organisation's milk price, and the feed cost (apps/feeding/iofc.py states each definition)."""
    tenant_id = membership.tenant_id
    saleable = {row["date"]: row["saleable"] for row in FarmDaySummary.objects.filter(
        tenant_id=tenant_id, farm=farm, date__gte=since, date__lte=until).values("date").annotate(
        saleable=F("total") - F("discarded"))}
    deliveries = list(Delivery.objects.filter(tenant_id=tenant_id, farm=farm, voided_at=None, date__gte=since, date__lte=until)
                      .select_related("buyer"))
    delivered: dict[dt.date, list[Decimal]] = {}
    for delivery, pay in with_expected_pay(deliveries):
        litres = delivery.quantity / KG_PER_LITRE if delivery.buyer.measures == Measure.KG else delivery.quantity
        row = delivered.setdefault(delivery.date, [ZERO, ZERO])
        row[0] += litres
        row[1] += pay.value if pay else ZERO
    feed = dict(FeedingLine.objects.filter(tenant_id=tenant_id, feeding__farm=farm, feeding__date__gte=since,
                                           feeding__date__lte=until).values_list("feeding__date").annotate(cost=Sum("cost")))
    price = membership.tenant.milk_price
    days = []
    day = since
    while day <= until:
        litres, value = delivered.get(day, (ZERO, ZERO))
        days.append(iofc.farm_day(day, saleable=saleable.get(day, ZERO), delivered=litres, delivered_value=value,
                                  local_price=price, feed_cost=feed.get(day, ZERO)))
        day += dt.timedelta(days=1)
    return days


@dataclass
class GroupRow:
    name: str
    feed_cost: Decimal
    saleable: Decimal
    income: Decimal
    cows: list[dict] = field(default_factory=list)

    @property
    def iofc(self) -> Decimal:
        return self.income - self.feed_cost

    @property
    def feed_cost_per_litre(self) -> Decimal | None:
        return iofc.money(self.feed_cost / self.saleable) if self.saleable else None


def iofc_groups(membership, farm, since: dt.date, until: dt.date, *, by: str = "yield", days: list | None = None) -> list[GroupRow]:
    """Each group of the farm over the period, with its cows: their saleable milk at the farm's average price, and
    the group's feed cost shared among them by head or by yield. Feedings of the whole farm are a row of their own."""
    tenant_id = membership.tenant_id
    days = days if days is not None else iofc_days(membership, farm, since, until)
    price = iofc.price_per_litre(days) or ZERO
    costs = {group_id: cost for group_id, cost in FeedingLine.objects.filter(
        tenant_id=tenant_id, feeding__farm=farm, feeding__date__gte=since, feeding__date__lte=until)
        .values_list("feeding__group_id").annotate(cost=Sum("cost"))}
    litres = dict(AnimalDaySummary.objects.filter(tenant_id=tenant_id, farm=farm, date__gte=since, date__lte=until)
                  .values_list("animal_id").annotate(saleable=Sum(F("total") - F("discarded"))))
    animals = {a.pk: a for a in Animal.objects.filter(tenant_id=tenant_id, pk__in=list(litres)).only("id", "tag", "name", "group_id")}
    rows = []
    for group in AnimalGroup.objects.filter(tenant_id=tenant_id, farm=farm).order_by("name"):
        cows = {pk: litres[pk] for pk, animal in animals.items() if animal.group_id == group.pk}
        cost = costs.get(group.pk, ZERO)
        if not cows and not cost:
            continue
        saleable = sum(cows.values(), ZERO)
        shared = iofc.shares(cost, cows, by)
        row = GroupRow(group.name, iofc.money(cost), saleable, iofc.money(saleable * price))
        row.cows = sorted(({"animal": animals[pk], "saleable": cows[pk], "income": iofc.money(cows[pk] * price),
                            "feed_cost": shared.get(pk, ZERO), "iofc": iofc.money(cows[pk] * price) - shared.get(pk, ZERO)}
                           for pk in cows), key=lambda c: c["iofc"])
        rows.append(row)
    if costs.get(None):
        rows.append(GroupRow("", iofc.money(costs[None]), ZERO, ZERO))
    return rows
