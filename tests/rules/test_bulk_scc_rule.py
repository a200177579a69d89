"""Bulk tank somatic cell count, worked by hand from the regulation.

Source: Regulation (EC) No 853/2004, Annex III, Section IX, Chapter I, Part III, point 3(a)(ii): raw
cows' milk must have a somatic cell count of at most 400,000 per mL, "rolling geometric average over a
three-month period, with at least one sample per month". The period is read as three calendar months:
the current month and the two before it.
"""

import datetime as dt
import math
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.milk.scc import months_ending, rolling_geometric_mean
from apps.milk.services import bulk_tank_save
from tests.factories import make_farm


def test_three_calendar_months_not_ninety_two_days():
    # From 7 December the period is October, November and December; 8 September is 90 days back and out.
    today = dt.date(2026, 12, 7)
    assert months_ending(today) == [dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2026, 12, 1)]
    readings = [(dt.date(2026, 9, 8), 900_000), (dt.date(2026, 10, 5), 250_000), (dt.date(2026, 11, 4), 300_000),
                (dt.date(2026, 12, 2), 360_000)]
    mean = rolling_geometric_mean(readings, today)
    # (250,000 x 300,000 x 360,000) ^ (1/3) = (2.7e16) ^ (1/3) = 300,000
    assert (mean.value, mean.readings, mean.complete, mean.over) == (300_000, 3, True, False)


def test_march_counts_january_to_march_even_though_they_are_fewer_than_ninety_two_days():
    # 1 January to 31 March 2027 is 90 days: a 92-day window from 31 March reaches 29 December.
    today = dt.date(2027, 3, 31)
    readings = [(dt.date(2026, 12, 30), 1_000_000), (dt.date(2027, 1, 10), 200_000), (dt.date(2027, 2, 10), 400_000),
                (dt.date(2027, 3, 10), 800_000)]
    mean = rolling_geometric_mean(readings, today)
    assert mean.value == 400_000  # (200k x 400k x 800k) ^ (1/3) = (6.4e16) ^ (1/3) = 400,000: at the limit, not over
    assert not mean.over


def test_every_reading_counts_once_and_the_limit_is_inclusive():
    today = dt.date(2026, 12, 20)
    readings = [(dt.date(2026, 10, 1), 100_000), (dt.date(2026, 10, 20), 1_600_000), (dt.date(2026, 11, 3), 400_000),
                (dt.date(2026, 12, 1), 400_000)]
    # (1e5 x 1.6e6 x 4e5 x 4e5) ^ (1/4) = (2.56e22) ^ (1/4) = 400,000
    assert rolling_geometric_mean(readings, today).value == 400_000
    higher = [*readings[:3], (dt.date(2026, 12, 1), 490_000)]
    expected = round(math.exp((math.log(1e5) + math.log(1.6e6) + math.log(4e5) + math.log(4.9e5)) / 4))
    assert rolling_geometric_mean(higher, today).value == expected > 400_000


def test_a_month_without_a_reading_is_named():
    today = dt.date(2026, 12, 7)
    mean = rolling_geometric_mean([(dt.date(2026, 10, 5), 250_000), (dt.date(2026, 11, 4), 300_000)], today)
    assert mean.missing == [dt.date(2026, 12, 1)] and not mean.complete


def test_no_reading_no_figure():
    mean = rolling_geometric_mean([], dt.date(2026, 12, 7))
    assert (mean.value, mean.readings, len(mean.missing)) == (None, 0, 3)


@pytest.mark.usefixtures("owner_scope")
def test_the_dashboard_card_gives_each_farms_mean_and_the_missing_month(as_member, owner, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC))
    farm = make_farm(owner, name="Tank Farm", milking_sessions_per_day=2, time_zone="UTC")
    for day, value in ((dt.date(2026, 9, 8), 900_000), (dt.date(2026, 10, 5), 250_000), (dt.date(2026, 11, 4), 360_000)):
        bulk_tank_save(membership=owner, farm=farm, date=day, session="morning", quantity=Decimal("400"), scc=value)
    card = as_member(owner).get(reverse("milk:dashboard_card", args=["scc"])).content.decode()
    assert "300,000" in card  # (250,000 x 360,000) ^ (1/2)
    assert "No reading in December 2026" in card
    assert "from October 2026 to December 2026" in card
