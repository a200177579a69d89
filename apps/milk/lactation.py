"""Lactation arithmetic: days in milk, peak, and the 305-day yield by the ICAR Test Interval Method."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

STANDARD_DAYS = 305


def days_in_milk(calving_date: dt.date, on: dt.date) -> int:
    return (on - calving_date).days


@dataclass(frozen=True)
class DayYield:
    dim: int  # days in milk on the test day
    yield_: Decimal  # that day's yield


def yield_305(tests: list[DayYield], *, last_dim: int) -> Decimal:
    """Cumulative yield to day 305 (or to `last_dim` if the lactation is shorter) by the TIM.

    ICAR Test Interval Method: the first test's yield stands for the days from calving to it; each
    later interval takes the mean of the tests at its ends; the last test's yield stands for the
    days from it to the end. `last_dim` is the last day the lactation has reached (the dry-off day,
    or today for an open lactation); the end is min(last_dim, 305). Tests after day 305 are ignored.
    """
    end = min(last_dim, STANDARD_DAYS)
    points = sorted((t for t in tests if 0 < t.dim <= end), key=lambda t: t.dim)
    if not points:
        return Decimal("0")
    total = points[0].yield_ * points[0].dim
    for before, after in zip(points, points[1:]):
        total += (after.dim - before.dim) * (before.yield_ + after.yield_) / 2
    total += points[-1].yield_ * (end - points[-1].dim)
    return total.quantize(Decimal("0.1"))


def peak(tests: list[DayYield]) -> DayYield | None:
    return max(tests, key=lambda t: (t.yield_, -t.dim), default=None)
