"""The somatic cell count a buyer and an inspector read: Regulation (EC) No 853/2004, Annex III,
Section IX, Chapter I, Part III: raw cows' milk at most 400,000 cells per mL, as a rolling geometric
average over a three-month period, with at least one sample per month.

The period here is three calendar months: the current one and the two before it; every reading in
them counts once (the geometric mean of all of them). A month without a reading is named, because
the figure then does not meet the rule's condition.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

LIMIT = 400_000
MONTHS = 3


def months_ending(today: dt.date, count: int = MONTHS) -> list[dt.date]:
    """The first days of the `count` calendar months ending with today's, oldest first."""
    firsts = [today.replace(day=1)]
    while len(firsts) < count:
        previous = firsts[0] - dt.timedelta(days=1)
        firsts.insert(0, previous.replace(day=1))
    return firsts


@dataclass(frozen=True)
class RollingMean:
    value: int | None  # cells/mL, rounded; None without readings
    readings: int
    months: list[dt.date]  # the period's months (first days)
    missing: list[dt.date] = field(default_factory=list)  # months of the period without a reading

    limit = LIMIT

    @property
    def over(self) -> bool:
        return self.value is not None and self.value > LIMIT

    @property
    def complete(self) -> bool:
        return not self.missing


def rolling_geometric_mean(readings: list[tuple[dt.date, float]], today: dt.date) -> RollingMean:
    """The geometric mean of the readings (day, cells/mL) in the three calendar months ending with today's."""
    months = months_ending(today)
    values, seen = [], set()
    for day, value in readings:
        first = day.replace(day=1)
        if months[0] <= day <= today and value and value > 0:
            values.append(float(value))
            seen.add(first)
    missing = [month for month in months if month not in seen]
    if not values:
        return RollingMean(None, 0, months, missing)
    mean = math.exp(sum(math.log(v) for v in values) / len(values))
    return RollingMean(round(mean), len(values), months, missing)
