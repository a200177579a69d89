"""Withdrawal arithmetic: label periods, cascade minimums, courses, session boundaries, time zones."""

import datetime as dt
from zoneinfo import ZoneInfo

from apps.farms.milkings import DEFAULT_STARTS, Milkings
from apps.health.withdrawal import (
    Label,
    first_clean_session,
    meat_withdrawal_ends,
    milk_withdrawal_ends,
    milk_withheld,
    periods_for,
)

NAIROBI = ZoneInfo("Africa/Nairobi")
LONDON = ZoneInfo("Europe/London")


def at_default_times(zone, sessions=("morning", "midday", "evening")):
    """A farm that kept the times every farm started with (04:00, 11:00, 15:00)."""
    return Milkings(starts=tuple((name, DEFAULT_STARTS[name]) for name in sessions), zone=zone)


NAIROBI_FARM, LONDON_FARM = at_default_times(NAIROBI), at_default_times(LONDON)
# Cattle 72 h milk / 28 d meat; sheep 96 h / 14 d; goats not on the label.
LABEL = Label(milk_hours={"cattle": 72, "sheep": 96}, meat_days={"cattle": 28, "sheep": 14})


def test_on_label_takes_the_species_periods():
    periods = periods_for(LABEL, "cattle", off_label=False)
    assert (periods.milk_hours, periods.meat_days, periods.off_label) == (72, 28, False)


def test_a_species_not_on_the_label_is_cascade_one_and_a_half_times_the_longest():
    periods = periods_for(LABEL, "goat", off_label=False)
    assert (periods.milk_hours, periods.meat_days, periods.off_label) == (144, 42, True)


def test_off_label_use_on_a_labelled_species_also_takes_the_cascade():
    assert periods_for(LABEL, "cattle", off_label=True).milk_hours == 144


def test_not_authorised_for_milk_or_food_gives_seven_and_twenty_eight_days():
    no_food = Label(milk_hours={"dog": None}, meat_days={"dog": None})
    periods = periods_for(no_food, "cattle", off_label=True)
    assert (periods.milk_hours, periods.meat_days) == (7 * 24, 28)


def test_authorised_for_meat_but_not_milk():
    meat_only = Label(milk_hours={"cattle": None}, meat_days={"cattle": 10})
    periods = periods_for(meat_only, "cattle", off_label=False)
    assert (periods.milk_hours, periods.meat_days) == (168, 15)


def test_a_zero_label_period_gives_one_day_off_label():
    zero = Label(milk_hours={"cattle": 0}, meat_days={"cattle": 0})
    assert periods_for(zero, "goat", off_label=True) == periods_for(zero, "goat", off_label=True)
    periods = periods_for(zero, "goat", off_label=True)
    assert (periods.milk_hours, periods.meat_days) == (24, 1)
    assert periods_for(zero, "cattle", off_label=False).milk_hours == 0


def test_a_course_counts_from_the_last_administration():
    first = dt.datetime(2026, 3, 2, 8, 0, tzinfo=NAIROBI)
    last = first + dt.timedelta(days=2)
    assert milk_withdrawal_ends(last, 72) == dt.datetime(2026, 3, 7, 8, 0, tzinfo=NAIROBI)
    assert meat_withdrawal_ends(last, 28, NAIROBI) == dt.date(2026, 4, 1)


def test_treated_at_eight_with_72_hours_is_withheld_until_the_session_after_the_end():
    given = dt.datetime(2026, 3, 2, 8, 0, tzinfo=NAIROBI)
    ends = milk_withdrawal_ends(given, 72)
    day0, day3 = dt.date(2026, 3, 2), dt.date(2026, 3, 5)
    assert not milk_withheld(given, ends, day0, "morning", NAIROBI_FARM)  # milked at 04:00, before the treatment
    assert milk_withheld(given, ends, day0, "evening", NAIROBI_FARM)
    assert all(milk_withheld(given, ends, day0 + dt.timedelta(days=n), s, NAIROBI_FARM) for n in (1, 2) for s in ("morning", "evening"))
    assert milk_withheld(given, ends, day3, "morning", NAIROBI_FARM)  # the end (08:00) falls inside this session
    assert not milk_withheld(given, ends, day3, "evening", NAIROBI_FARM)
    assert first_clean_session(ends, at_default_times(NAIROBI, ("morning", "evening"))) == (day3, "evening")


def test_end_exactly_at_a_session_start_leaves_that_session_clean():
    given, ends = dt.datetime(2026, 3, 4, 15, 0, tzinfo=NAIROBI), dt.datetime(2026, 3, 5, 15, 0, tzinfo=NAIROBI)
    assert not milk_withheld(given, ends, dt.date(2026, 3, 5), "evening", NAIROBI_FARM)
    assert milk_withheld(given, ends, dt.date(2026, 3, 5), "midday", NAIROBI_FARM)
    assert milk_withheld(given, ends, dt.date(2026, 3, 4), "evening", NAIROBI_FARM)  # dosed as the session began


def test_midnight_in_the_farm_zone_not_utc():
    # 22:30 UTC on 1 March is 01:30 on 2 March in Nairobi: meat withdrawal counts from the farm's date.
    given = dt.datetime(2026, 3, 1, 22, 30, tzinfo=dt.UTC)
    assert meat_withdrawal_ends(given, 1, NAIROBI) == dt.date(2026, 3, 3)
    assert meat_withdrawal_ends(given, 1, ZoneInfo("UTC")) == dt.date(2026, 3, 2)


def test_milk_withdrawal_across_a_daylight_saving_change_counts_real_hours():
    # Clocks go forward at 01:00 on 29 March 2026 in London: 72 real hours end at 09:00 local, not 08:00.
    given = dt.datetime(2026, 3, 27, 8, 0, tzinfo=LONDON)
    ends = milk_withdrawal_ends(given.astimezone(dt.UTC), 72)
    assert ends.astimezone(LONDON).hour == 9
    assert milk_withheld(given, ends, dt.date(2026, 3, 30), "morning", LONDON_FARM)
    assert not milk_withheld(given, ends, dt.date(2026, 3, 30), "evening", LONDON_FARM)


def test_no_withdrawal_withholds_nothing():
    assert not milk_withheld(None, None, dt.date(2026, 3, 5), "morning", NAIROBI_FARM)
