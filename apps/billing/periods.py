"""Renewal dates and proration: plain functions of dates and Decimals."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from apps.core.money import places


def add_months(day: dt.date, months: int, anchor_day: int | None = None) -> dt.date:
    """`day` moved by whole months, on `anchor_day` (default: day's own) or the month's last day if shorter.

    31 January + 1 month is 28 February (29 in a leap year); + 2 months is 31 March again.
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(anchor_day or day.day, last))


def period_end(start: dt.date, period: str, anchor_day: int) -> dt.date:
    """The first day after a period that starts on `start`."""
    return add_months(start, 12 if period == "year" else 1, anchor_day)


def money(amount: Decimal, currency: str) -> Decimal:
    """Rounded to the currency's minor units (UGX has none, KWD three), half up."""
    return amount.quantize(Decimal(1).scaleb(-places(currency)), rounding=ROUND_HALF_UP)


def prorate(*, old_price: Decimal, new_price: Decimal, start: dt.date, end: dt.date, today: dt.date,
            currency: str) -> Decimal:
    """What moving from `old_price` to `new_price` on `today` costs for the rest of the period [start, end)."""
    total_days = (end - start).days
    left = (end - max(today, start)).days
    if total_days <= 0 or left <= 0 or new_price <= old_price:
        return money(Decimal(0), currency)
    return money((new_price - old_price) * Decimal(left) / Decimal(total_days), currency)
