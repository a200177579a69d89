"""Renewal dates at month ends and in leap years, and proration in currencies with different minor units."""

import datetime as dt
from decimal import Decimal

import pytest

from apps.billing.periods import add_months, money, period_end, prorate

D = dt.date


@pytest.mark.parametrize(("start", "months", "anchor", "expected"), [
    (D(2026, 1, 31), 1, 31, D(2026, 2, 28)),  # 31 January to 28 February
    (D(2028, 1, 31), 1, 31, D(2028, 2, 29)),  # a leap year
    (D(2026, 2, 28), 1, 31, D(2026, 3, 31)),  # back to the 31st: the anchor, not the short month, decides
    (D(2026, 3, 31), 1, 31, D(2026, 4, 30)),
    (D(2026, 12, 15), 1, 15, D(2027, 1, 15)),  # over the year's end
    (D(2028, 2, 29), 12, 29, D(2029, 2, 28)),  # a yearly plan taken on 29 February
    (D(2029, 2, 28), 12, 29, D(2030, 2, 28)),
    (D(2031, 2, 28), 12, 29, D(2032, 2, 29)),  # and on the next leap year, the 29th again
])
def test_renewals_at_month_ends_and_leap_years(start, months, anchor, expected):
    assert add_months(start, months, anchor) == expected


def test_a_monthly_plan_from_31_january_renews_on_each_months_last_day_or_31st():
    start, ends = D(2026, 1, 31), []
    for _ in range(4):
        start = period_end(start, "month", 31)
        ends.append(start)
    assert ends == [D(2026, 2, 28), D(2026, 3, 31), D(2026, 4, 30), D(2026, 5, 31)]


@pytest.mark.parametrize(("currency", "old", "new", "expected"), [
    ("KES", "1950", "7800", Decimal("2089.29")),  # two decimals: 5850 x 10/28 = 2089.2857...
    ("UGX", "55000", "220000", Decimal("58929")),  # no decimals: 165000 x 10/28 = 58928.57...
    ("KWD", "5", "12.5", Decimal("2.679")),  # three decimals: 7.5 x 10/28 = 2.67857...
])
def test_an_upgrade_costs_the_difference_for_the_days_left_in_the_currencys_units(currency, old, new, expected):
    # The period 31 January to 28 February 2026 has 28 days; upgrading on 18 February leaves 10.
    charge = prorate(old_price=Decimal(old), new_price=Decimal(new), start=D(2026, 1, 31), end=D(2026, 2, 28),
                     today=D(2026, 2, 18), currency=currency)
    assert charge == expected
    assert -charge.as_tuple().exponent == {"KES": 2, "UGX": 0, "KWD": 3}[currency]


def test_a_leap_february_has_29_days_to_share():
    # 31 January to 29 February 2028: 29 days; upgrading on 19 February leaves 10 of them.
    charge = prorate(old_price=Decimal("15"), new_price=Decimal("60"), start=D(2028, 1, 31), end=D(2028, 2, 29),
                     today=D(2028, 2, 19), currency="USD")
    assert charge == money(Decimal(45) * 10 / 29, "USD") == Decimal("15.52")


def test_nothing_to_pay_for_a_cheaper_plan_or_a_period_already_over():
    args = {"start": D(2026, 1, 1), "end": D(2026, 2, 1), "currency": "KES"}
    assert prorate(old_price=Decimal(100), new_price=Decimal(50), today=D(2026, 1, 10), **args) == 0
    assert prorate(old_price=Decimal(50), new_price=Decimal(100), today=D(2026, 2, 1), **args) == 0
    assert prorate(old_price=Decimal(0), new_price=Decimal(31), today=D(2026, 1, 1), **args) == Decimal("31.00")
