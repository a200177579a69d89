"""Income over feed cost, worked by hand from its usual dairy definition: milk income less the cost of the feed
the cows ate (IOFC; e.g. Penn State Extension, "Income Over Feed Cost", and the definitions stated on the feeding
page), with feed cost per litre = feed cost / saleable litres."""

import datetime as dt
from decimal import Decimal

from apps.feeding.iofc import farm_day, price_per_litre, shares, total

D = Decimal
DAY = dt.date(2026, 11, 3)


def test_a_day_worked_by_hand():
    # 212 L saleable, 200 L delivered worth 10,300.00; the other 12 L at the organisation's 48.00 = 576.00.
    # Income 10,876.00; feed 3,150.00 -> IOFC 7,726.00; feed per litre 3,150 / 212 = 14.858... -> 14.86
    day = farm_day(DAY, saleable=D("212"), delivered=D("200"), delivered_value=D("10300.00"), local_price=D("48.00"),
                   feed_cost=D("3150.00"))
    assert (day.income, day.iofc, day.feed_cost_per_litre) == (D("10876.00"), D("7726.00"), D("14.86"))


def test_without_an_organisation_price_the_milk_not_delivered_counts_for_nothing():
    day = farm_day(DAY, saleable=D("212"), delivered=D("200"), delivered_value=D("10300.00"), local_price=None, feed_cost=D("0"))
    assert day.income == D("10300.00")


def test_more_delivered_than_saleable_leaves_nothing_to_price_locally():
    day = farm_day(DAY, saleable=D("100"), delivered=D("110"), delivered_value=D("5500"), local_price=D("50"), feed_cost=D("0"))
    assert day.income == D("5500.00")


def test_a_day_without_milk_has_no_feed_cost_per_litre():
    day = farm_day(DAY, saleable=D("0"), delivered=D("0"), delivered_value=D("0"), local_price=D("50"), feed_cost=D("800"))
    assert day.feed_cost_per_litre is None and day.iofc == D("-800.00")


def test_a_month_adds_its_days_and_its_price_is_the_income_per_litre():
    # Two days: 100 L all delivered for 5,000.00; 100 L, 50 delivered for 2,400.00 and 50 at 40.00 = 2,000.00.
    # Income 9,400.00 over 200 L = 47.00 a litre.
    days = [farm_day(DAY, saleable=D("100"), delivered=D("100"), delivered_value=D("5000"), local_price=D("40"), feed_cost=D("900")),
            farm_day(DAY, saleable=D("100"), delivered=D("50"), delivered_value=D("2400"), local_price=D("40"), feed_cost=D("1100"))]
    month = total(days)
    assert (month.income, month.feed_cost, month.iofc) == (D("9400.00"), D("2000"), D("7400.00"))
    assert price_per_litre(days) == D("47")


def test_a_groups_feed_shared_by_head_and_by_yield():
    # 1,000.00 among three cows: by head 333.34 + 333.33 + 333.33 (the cent left goes to the first);
    # by yield 10, 20, 70 L -> 100.00, 200.00, 700.00.
    litres = {1: D("10"), 2: D("20"), 3: D("70")}
    by_head = shares(D("1000"), litres, "head")
    assert sorted(by_head.values()) == [D("333.33"), D("333.33"), D("333.34")] and sum(by_head.values()) == D("1000.00")
    assert shares(D("1000"), litres, "yield") == {1: D("100.00"), 2: D("200.00"), 3: D("700.00")}
    # Cows that gave nothing share it equally rather than not at all.
    assert shares(D("10"), {1: D("0"), 2: D("0")}, "yield") == {1: D("5.00"), 2: D("5.00")}
    assert shares(D("10"), {}, "yield") == {}
