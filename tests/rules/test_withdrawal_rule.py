"""Milk and meat withdrawal, worked by hand from the regulation, on a farm's own milking times.

Source: Regulation (EU) 2019/6 on veterinary medicinal products.
- Article 115(1)(a), off-label use in food-producing terrestrial animals, meat: (i) the longest period
  on the label for meat for any species x 1.5; (ii) 28 days where the product is not authorised for
  food-producing animals; (iii) one day where the label's period is zero.
- Article 115(1)(b), milk: (i) the longest period on the label for milk for any species x 1.5;
  (ii) 7 days where the product is not authorised for animals producing milk for human consumption;
  (iii) one day where the label's period is zero.
- Used as labelled, the label's own period applies (Article 115 concerns use outside the terms of the
  marketing authorisation); a label period of zero is no withdrawal.
The session rule (a dairy's practice, and the reading of "the period ends at a moment" for milk that is
collected by milking): the milk of a session is withheld when the session began before the period ends;
the first session that starts at or after the end is clean; a dose given within the first hour of a
session was given at that milking.

Farm of the cases: Nairobi (UTC+3), milking at 06:00 and 17:00.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from apps.farms.milkings import Milkings
from apps.health.selectors import withdrawals_now
from apps.health.withdrawal import Label, first_clean_session, milk_withdrawal_ends, milk_withheld, periods_for
from apps.milk.models import MilkRecord
from tests.api.conftest import owner_key  # noqa: F401 (a fixture)
from tests.factories import TODAY, make_animal, make_farm
from tests.health.conftest import make_batch, make_item
from tests.health.test_treatments import row, treat
from tests.milk.conftest import make_cows

NAIROBI = ZoneInfo("Africa/Nairobi")
SIX_AND_FIVE = Milkings(starts=(("morning", dt.time(6)), ("evening", dt.time(17))), zone=NAIROBI)
DAY0 = dt.date(2026, 3, 2)


def when(day_offset: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(DAY0 + dt.timedelta(days=day_offset), dt.time(hour, minute), tzinfo=NAIROBI)


# Periods (Article 115) ------------------------------------------------------------------------------

def test_on_label_the_labels_own_periods():
    label = Label(milk_hours={"cattle": 72}, meat_days={"cattle": 28})
    assert periods_for(label, "cattle", off_label=False) == periods_for(label, "cattle", off_label=False)
    periods = periods_for(label, "cattle", off_label=False)
    assert (periods.milk_hours, periods.meat_days, periods.off_label) == (72, 28, False)


def test_off_label_one_and_a_half_times_the_longest_for_any_species():
    # Cattle 60 h / 10 d, sheep 84 h / 21 d; used on a goat: milk 84 x 1.5 = 126 h, meat 21 x 1.5 = 31.5 -> 32 days.
    label = Label(milk_hours={"cattle": 60, "sheep": 84}, meat_days={"cattle": 10, "sheep": 21})
    periods = periods_for(label, "goat", off_label=False)
    assert (periods.milk_hours, periods.meat_days, periods.off_label) == (126, 32, True)


def test_off_label_not_authorised_for_food_seven_days_milk_twenty_eight_days_meat():
    periods = periods_for(Label(milk_hours={}, meat_days={}), "cattle", off_label=True)
    assert (periods.milk_hours, periods.meat_days) == (7 * 24, 28)


def test_off_label_a_zero_label_period_is_one_day():
    label = Label(milk_hours={"cattle": 0}, meat_days={"cattle": 0})
    periods = periods_for(label, "goat", off_label=False)
    assert (periods.milk_hours, periods.meat_days, periods.off_label) == (24, 1, True)


def test_on_label_zero_is_no_withdrawal_at_all():
    label = Label(milk_hours={"cattle": 0}, meat_days={"cattle": 0})
    periods = periods_for(label, "cattle", off_label=False)
    assert (periods.milk_hours, periods.meat_days, periods.off_label) == (0, 0, False)
    given = when(0, 6, 20)
    assert milk_withdrawal_ends(given, 0) is None
    assert not milk_withheld(given, milk_withdrawal_ends(given, 0), DAY0, "morning", SIX_AND_FIVE)


def test_a_meat_only_label_on_an_animal_not_in_milk_is_on_label_with_its_meat_period():
    # Authorised for cattle meat (10 days), not for animals producing milk.
    meat_only = Label(milk_hours={"cattle": None}, meat_days={"cattle": 10})
    steer = periods_for(meat_only, "cattle", off_label=False, in_milk=False, female=False)
    assert (steer.milk_hours, steer.meat_days, steer.off_label) == (0, 10, False)
    heifer = periods_for(meat_only, "cattle", off_label=False, in_milk=False, female=True)
    assert (heifer.meat_days, heifer.off_label) == (10, False)
    # On a cow in milk it is off label: Article 115(1)(b)(ii) 7 days for milk, (a)(i) 10 x 1.5 = 15 days meat.
    cow = periods_for(meat_only, "cattle", off_label=False, in_milk=True)
    assert (cow.milk_hours, cow.meat_days, cow.off_label) == (168, 15, True)


# Sessions on the farm's clock -----------------------------------------------------------------------

def test_a_dose_at_0620_withholds_that_mornings_milk_on_a_farm_milking_at_six():
    given = when(0, 6, 20)  # 20 minutes into the 06:00 milking
    ends = milk_withdrawal_ends(given, 72)  # 5 March 06:20
    assert milk_withheld(given, ends, DAY0, "morning", SIX_AND_FIVE)
    assert milk_withheld(given, ends, DAY0 + dt.timedelta(days=3), "morning", SIX_AND_FIVE)  # began 06:00, before 06:20
    assert not milk_withheld(given, ends, DAY0 + dt.timedelta(days=3), "evening", SIX_AND_FIVE)
    assert first_clean_session(ends, SIX_AND_FIVE) == (DAY0 + dt.timedelta(days=3), "evening")


def test_a_dose_more_than_an_hour_after_the_start_leaves_that_session_clean():
    given = when(0, 7, 5)
    ends = milk_withdrawal_ends(given, 24)
    assert not milk_withheld(given, ends, DAY0, "morning", SIX_AND_FIVE)
    assert milk_withheld(given, ends, DAY0, "evening", SIX_AND_FIVE)


def test_a_withdrawal_ending_at_1600_leaves_the_1700_milking_clean():
    given = when(0, 16)
    ends = milk_withdrawal_ends(given, 24)  # 3 March 16:00
    assert milk_withheld(given, ends, DAY0, "evening", SIX_AND_FIVE)  # dosed before the 17:00 milking
    assert milk_withheld(given, ends, DAY0 + dt.timedelta(days=1), "morning", SIX_AND_FIVE)
    assert not milk_withheld(given, ends, DAY0 + dt.timedelta(days=1), "evening", SIX_AND_FIVE)


def test_the_minute_the_withdrawal_ends():
    given = when(0, 17)
    exactly = when(1, 17)  # ends as the evening milking starts: that milking is clean
    assert not milk_withheld(given, exactly, DAY0 + dt.timedelta(days=1), "evening", SIX_AND_FIVE)
    a_minute_later = when(1, 17, 1)  # ends a minute into it: withheld, clean from the next morning
    assert milk_withheld(given, a_minute_later, DAY0 + dt.timedelta(days=1), "evening", SIX_AND_FIVE)
    assert first_clean_session(a_minute_later, SIX_AND_FIVE) == (DAY0 + dt.timedelta(days=2), "morning")


def test_a_robot_slot_is_withheld_when_any_part_of_it_falls_in_the_withdrawal():
    # Visits kept in slots 00:00-08:00, 08:00-16:00, 16:00-24:00.
    robot = Milkings(starts=(("morning", dt.time(0)), ("midday", dt.time(8)), ("evening", dt.time(16))), zone=NAIROBI,
                     robot=True)
    given = when(0, 10)
    ends = milk_withdrawal_ends(given, 24 + 8)  # 3 March 18:00
    assert not milk_withheld(given, ends, DAY0, "morning", robot)
    assert milk_withheld(given, ends, DAY0, "midday", robot)  # the 10:00 dose falls in it
    assert milk_withheld(given, ends, DAY0 + dt.timedelta(days=1), "evening", robot)  # 16:00-24:00 holds 16:00-18:00
    assert not milk_withheld(given, ends, DAY0 + dt.timedelta(days=2), "morning", robot)


def test_a_robot_slot_that_began_before_the_dose_holds_visits_after_it():
    robot = Milkings(starts=(("morning", dt.time(0)),), zone=NAIROBI, robot=True)
    given = when(0, 14)
    assert milk_withheld(given, milk_withdrawal_ends(given, 12), DAY0, "morning", robot)


def test_the_ingest_places_a_milking_in_the_farms_sessions():
    assert SIX_AND_FIVE.session_of(when(0, 5, 10)) == (DAY0, "morning")  # brought in early
    assert SIX_AND_FIVE.session_of(when(0, 12)) == (DAY0, "morning")
    assert SIX_AND_FIVE.session_of(when(0, 16, 10)) == (DAY0, "evening")
    assert SIX_AND_FIVE.session_of(when(1, 2)) == (DAY0, "evening")  # after midnight, before the next morning


# Through the service, the parlour and the lists --------------------------------------------------



@pytest.fixture
def six_and_five(owner):
    return make_farm(owner, name="Six and Five", milking_sessions_per_day=2, time_zone="Africa/Nairobi",
                     morning_starts=dt.time(6), evening_starts=dt.time(17))


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=NAIROBI)


@pytest.mark.usefixtures("owner_scope")
def test_the_parlour_discards_the_morning_of_a_0620_dose_and_keeps_the_clean_evening(as_member, owner, six_and_five):
    cow = make_cows(owner, six_and_five, 1, prefix="SIX")[0]
    tubes = make_batch(owner, make_item(owner, milk_hours=34, meat_days=4), six_and_five)
    day = TODAY - dt.timedelta(days=3)
    treatment = treat(owner, cow, tubes, _at(day, 6, 20))
    assert treatment.milk_withdrawal_ends_at == _at(day + dt.timedelta(days=1), 16, 20)
    client = as_member(owner)
    page = client.get(reverse("milk:entry"), {"farm": six_and_five.pk, "date": day.isoformat(), "session": "morning"})
    assert 'data-testid="withdrawal"' in page.content.decode()
    row(client, six_and_five, cow, day, "morning", "9.5")
    row(client, six_and_five, cow, day + dt.timedelta(days=1), "evening", "10.0")
    discarded = dict(MilkRecord.objects.filter(animal=cow).values_list("date", "discarded"))
    assert discarded == {day: True, day + dt.timedelta(days=1): False}
    # 16:20 ends inside no session: the evening that starts at 17:00 is clean, the morning before was not.
    morning = client.get(reverse("milk:entry"), {"farm": six_and_five.pk, "date": (day + dt.timedelta(days=1)).isoformat(),
                                                "session": "morning"})
    assert 'data-testid="withdrawal"' in morning.content.decode()


@pytest.mark.usefixtures("owner_scope")
def test_health_and_today_say_the_session_the_milk_is_clean_from(as_member, owner, six_and_five):
    cow = make_cows(owner, six_and_five, 1, prefix="SIX")[0]
    tubes = make_batch(owner, make_item(owner, milk_hours=24, meat_days=0), six_and_five)
    now = dt.datetime.now(NAIROBI).replace(second=0, microsecond=0)
    treatment = treat(owner, cow, tubes, now - dt.timedelta(hours=23))  # ends in an hour
    ends = treatment.milk_withdrawal_ends_at
    clean_day, clean_session = first_clean_session(ends, six_and_five.milkings)
    rows = withdrawals_now(owner, at=now)
    assert [(r.treatment.pk, r.clean_day, r.clean_session) for r in rows] == [(treatment.pk, clean_day, clean_session)]
    # An hour after the legal end the milk stays withheld until that session starts (unless it has).
    later = ends + dt.timedelta(minutes=1)
    still = withdrawals_now(owner, at=later)
    assert bool(still) == (six_and_five.milkings.starts_at(clean_day, clean_session) > later)
    today = as_member(owner).get(reverse("breeding:today")).content.decode()
    assert f"milk clean from the {clean_session} milking" in today


@pytest.mark.usefixtures("owner_scope")
def test_a_vaccine_with_zero_withdrawal_puts_no_one_under_withdrawal(as_member, owner, six_and_five):
    heifer = make_animal(owner, six_and_five, tag="VAC1", date_of_birth=dt.date(2024, 1, 1))
    vaccine = make_batch(owner, make_item(owner, name="Bovivac", milk_hours=0, meat_days=0, kind="vaccine", unit="dose"),
                         six_and_five)
    treatment = treat(owner, heifer, vaccine, dt.datetime.now(NAIROBI) - dt.timedelta(minutes=30),
                      diagnosis="Vaccination", route="sc", quarter="")
    assert (treatment.milk_withdrawal_ends_at, treatment.meat_withdrawal_ends_on) == (None, None)
    assert withdrawals_now(owner) == []
    health = as_member(owner).get(reverse("health:home")).content.decode()
    assert "VAC1" not in health.split('id="withdrawal-heading"')[1].split("</section>")[0]


@pytest.mark.usefixtures("owner_scope")
def test_a_meat_only_product_on_a_bullock_is_recorded_on_label(owner, six_and_five):
    from apps.stock.services import item_save
    from tests.health.conftest import make_batch as batch_of

    bullock = make_animal(owner, six_and_five, tag="BULL1", sex="male", date_of_birth=dt.date(2024, 1, 1))
    item = item_save(membership=owner, kind="medicine", name="Meatonly", unit="mL", lactating_allowed=False,
                     active_substance="oxytetracycline", withdrawals={"cattle": (None, 10)})
    treatment = treat(owner, bullock, batch_of(owner, item, six_and_five), dt.datetime.now(NAIROBI) - dt.timedelta(hours=2),
                      diagnosis="Foot rot", route="im", quarter="")
    assert (treatment.off_label, treatment.meat_withdrawal_days, treatment.milk_withdrawal_hours) == (False, 10, 0)
    assert treatment.dose == Decimal("1")


@pytest.mark.usefixtures("owner_scope")
def test_the_api_gives_the_session_the_milk_is_clean_from(client, owner, owner_key, six_and_five):
    from tests.api.conftest import Api

    cow = make_cows(owner, six_and_five, 1, prefix="API")[0]
    tubes = make_batch(owner, make_item(owner, milk_hours=34, meat_days=4), six_and_five)
    day = TODAY - dt.timedelta(days=3)
    treat(owner, cow, tubes, _at(day, 6, 20))  # ends the next day at 16:20
    (item,) = Api(client, owner_key[1]).get(f"/treatments?animal={cow.pk}").json()["items"]
    assert dt.datetime.fromisoformat(item["milk_withdrawal_ends_at"]) == _at(day + dt.timedelta(days=1), 16, 20)
    assert dt.datetime.fromisoformat(item["milk_clean_from"]) == _at(day + dt.timedelta(days=1), 17)
