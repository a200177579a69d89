"""Income over feed cost, the arithmetic alone.

The definitions, stated on the pages that show the figures:
- Milk income of a farm-day: the value of the day's deliveries at the buyer's price schedule (before transport and
  check-off), plus the saleable milk not delivered at the organisation's milk price (kept, sold at the gate or
  fed to calves). Litres delivered to a buyer who weighs are counted at 1.03 kg a litre.
- Feed cost: what the day's feedings drew from stock at the batches' cost (feed not in stock at its latest cost).
- Income over feed cost (IOFC) = milk income - feed cost; feed cost per litre = feed cost / saleable litres.
- A group's income is its cows' saleable milk at the farm's average price for the period (milk income / saleable
  litres); its feed cost is what its own feedings cost. A cow's share of her group's feed cost is equal among the
  group's cows (by head) or in proportion to her saleable milk (by yield).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


@dataclass
class Day:
    date: dt.date
    saleable: Decimal = ZERO  # litres
    delivered: Decimal = ZERO  # litres
    delivered_value: Decimal = ZERO
    local_value: Decimal = ZERO  # the saleable milk not delivered, at the organisation's price
    feed_cost: Decimal = ZERO

    @property
    def income(self) -> Decimal:
        return money(self.delivered_value + self.local_value)

    @property
    def iofc(self) -> Decimal:
        return self.income - money(self.feed_cost)

    @property
    def feed_cost_per_litre(self) -> Decimal | None:
        return money(self.feed_cost / self.saleable) if self.saleable else None


def farm_day(date: dt.date, *, saleable: Decimal, delivered: Decimal, delivered_value: Decimal, local_price: Decimal | None,
             feed_cost: Decimal) -> Day:
    """A farm-day: the saleable milk not delivered is valued at the organisation's price (nothing without one)."""
    local = max(saleable - delivered, ZERO)
    return Day(date, saleable, delivered, delivered_value, local * (local_price or ZERO), feed_cost)


def total(days: list[Day], date: dt.date | None = None) -> Day:
    summed = Day(date or (days[0].date if days else dt.date.min))
    for day in days:
        summed.saleable += day.saleable
        summed.delivered += day.delivered
        summed.delivered_value += day.delivered_value
        summed.local_value += day.local_value
        summed.feed_cost += day.feed_cost
    return summed


def price_per_litre(days: list[Day]) -> Decimal | None:
    """The farm's average price over the days: milk income / saleable litres."""
    summed = total(days)
    return (summed.income / summed.saleable) if summed.saleable else None


def shares(cost: Decimal, litres: dict[int, Decimal], by: str) -> dict[int, Decimal]:
    """A group's feed cost shared among its cows: equally ("head") or by their saleable milk ("yield"). The cents
    left by rounding go to the first cows, so the shares add up to the cost."""
    if not litres:
        return {}
    cost = money(cost)
    weights = {cow: (Decimal(1) if by == "head" else amount) for cow, amount in litres.items()}
    whole = sum(weights.values())
    if not whole:
        weights, whole = {cow: Decimal(1) for cow in litres}, Decimal(len(litres))
    shared = {cow: (cost * weight / whole).quantize(CENT, rounding="ROUND_DOWN") for cow, weight in weights.items()}
    left = cost - sum(shared.values())
    for cow in sorted(shared, key=lambda c: (-weights[c], c)):
        if left <= 0:
            break
        shared[cow] += CENT
        left -= CENT
    return shared
