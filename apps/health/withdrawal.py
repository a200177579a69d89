"""Withdrawal periods: how long milk and meat from a treated animal must stay out of the food chain.

On label, the period is the product's own for that species. Off label (the "cascade" of EU
Regulation 2019/6, Article 115), the statutory minimums apply:
- 1.5 times the longest period on the label for any species;
- where the product is not authorised for milk-producing animals, 7 days for milk; where it is not
  authorised for food-producing animals at all, 28 days for meat;
- where the label's period is zero, one day.
The withdrawal ends at the last administration plus the period. For milk it ends at the end of the
milking session in which that moment falls: the first session that *starts* at or after it is clean.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from dataclasses import dataclass

CASCADE_FACTOR = 1.5
CASCADE_MILK_HOURS_UNAUTHORISED = 7 * 24
CASCADE_MEAT_DAYS_UNAUTHORISED = 28
ZERO_LABEL_MILK_HOURS = 24
ZERO_LABEL_MEAT_DAYS = 1
# When each milking session starts on the farm's clock.
# A dose given within this long after a session starts was given at milking: that session is withheld.
DOSED_AT_MILKING = dt.timedelta(hours=1)
SESSION_STARTS = {"morning": dt.time(4, 0), "midday": dt.time(11, 0), "evening": dt.time(15, 0)}


@dataclass(frozen=True)
class Label:
    """A product's label: withdrawal per species (None where the species is not on the label)."""

    milk_hours: dict[str, int | None]
    meat_days: dict[str, int | None]

    def authorised_for_milk(self) -> bool:
        return any(hours is not None for hours in self.milk_hours.values())

    def authorised_for_meat(self) -> bool:
        return any(days is not None for days in self.meat_days.values())


@dataclass(frozen=True)
class Periods:
    milk_hours: int
    meat_days: int
    off_label: bool


def periods_for(label: Label, species: str, *, off_label: bool) -> Periods:
    """The milk (hours) and meat (days) periods for one species, on or off label."""
    milk_on_label = label.milk_hours.get(species)
    meat_on_label = label.meat_days.get(species)
    if not off_label and milk_on_label is not None and meat_on_label is not None:
        return Periods(milk_hours=milk_on_label, meat_days=meat_on_label, off_label=False)
    return Periods(milk_hours=_cascade_milk(label), meat_days=_cascade_meat(label), off_label=True)


def _cascade_milk(label: Label) -> int:
    if not label.authorised_for_milk():
        return CASCADE_MILK_HOURS_UNAUTHORISED
    longest = max(hours for hours in label.milk_hours.values() if hours is not None)
    return math.ceil(longest * CASCADE_FACTOR) if longest else ZERO_LABEL_MILK_HOURS


def _cascade_meat(label: Label) -> int:
    if not label.authorised_for_meat():
        return CASCADE_MEAT_DAYS_UNAUTHORISED
    longest = max(days for days in label.meat_days.values() if days is not None)
    return math.ceil(longest * CASCADE_FACTOR) if longest else ZERO_LABEL_MEAT_DAYS


def milk_withdrawal_ends(last_given: dt.datetime, hours: int) -> dt.datetime:
    """The moment milk withdrawal ends (an aware datetime)."""
    return last_given + dt.timedelta(hours=hours)


def meat_withdrawal_ends(last_given: dt.datetime, days: int, zone: zoneinfo.ZoneInfo) -> dt.date:
    """The last day of meat withdrawal, on the farm's calendar: the animal may go for slaughter the day after."""
    return (last_given.astimezone(zone) + dt.timedelta(days=days)).date()


def session_starts_at(day: dt.date, session: str, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """When a milking session begins, as an aware datetime (daylight saving is the zone's business)."""
    return dt.datetime.combine(day, SESSION_STARTS[session], tzinfo=zone)


def milk_withheld(begins: dt.datetime | None, ends: dt.datetime | None, day: dt.date, session: str,
                  zone: zoneinfo.ZoneInfo) -> bool:
    """Whether a session's milk falls under a withdrawal from `begins` (the first dose) to `ends`.

    A session that started before the first dose was milked before it, unless the dose came in its
    first hour (given at milking time); a session is clean again when it starts at or after the
    end, so the session in which the end falls is still withheld.
    """
    if begins is None or ends is None:
        return False
    starts = session_starts_at(day, session, zone)
    return begins < starts + DOSED_AT_MILKING and starts < ends


def first_clean_session(ends: dt.datetime, sessions: list[str], zone: zoneinfo.ZoneInfo) -> tuple[dt.date, str]:
    """The first session of the farm's that starts at or after the end of withdrawal."""
    day = ends.astimezone(zone).date()
    while True:
        for session in sessions:
            if session_starts_at(day, session, zone) >= ends:
                return day, session
        day += dt.timedelta(days=1)
