"""Withdrawal periods: how long milk and meat from a treated animal must stay out of the food chain.

On label, the period is the product's own for that species. Off label (the "cascade" of EU
Regulation 2019/6, Article 115), the statutory minimums apply:
- 1.5 times the longest period on the label for any species;
- where the product is not authorised for milk-producing animals, 7 days for milk; where it is not
  authorised for food-producing animals at all, 28 days for meat;
- where the label's period is zero, one day.
The withdrawal ends at the last administration plus the period. For milk it ends at the end of the
milking session in which that moment falls: the first session that *starts* at or after it is clean,
by the farm's own milking times (farms.milkings). A period of zero is no withdrawal at all.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from apps.farms.milkings import Milkings

CASCADE_FACTOR = 1.5
CASCADE_MILK_HOURS_UNAUTHORISED = 7 * 24
CASCADE_MEAT_DAYS_UNAUTHORISED = 28
ZERO_LABEL_MILK_HOURS = 24
ZERO_LABEL_MEAT_DAYS = 1
# A dose given within this long after a session starts was given at milking: that session is withheld.
DOSED_AT_MILKING = dt.timedelta(hours=1)


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


def periods_for(label: Label, species: str, *, off_label: bool, in_milk: bool = True, female: bool = True) -> Periods:
    """The milk (hours) and meat (days) periods for one species, on or off label.

    A label with a meat period and none for milk is for animals not producing milk: used on one
    that is not in milk it is on label, with the label's meat period. Her milk, should she calve
    within the period, is withheld for the statutory minimum for a product not authorised for milk
    (a male has none to withhold).
    """
    milk_on_label = label.milk_hours.get(species)
    meat_on_label = label.meat_days.get(species)
    if not off_label and meat_on_label is not None:
        if milk_on_label is not None:
            return Periods(milk_hours=milk_on_label, meat_days=meat_on_label, off_label=False)
        if not in_milk:
            return Periods(milk_hours=CASCADE_MILK_HOURS_UNAUTHORISED if female else 0, meat_days=meat_on_label,
                           off_label=False)
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


def milk_withdrawal_ends(last_given: dt.datetime, hours: int) -> dt.datetime | None:
    """The moment milk withdrawal ends (an aware datetime); None for a period of zero (no withdrawal)."""
    return last_given + dt.timedelta(hours=hours) if hours else None


def meat_withdrawal_ends(last_given: dt.datetime, days: int, zone: dt.tzinfo) -> dt.date | None:
    """The last day of meat withdrawal, on the farm's calendar: the animal may go for slaughter the day
    after. None for a period of zero: it may go at once."""
    return (last_given.astimezone(zone) + dt.timedelta(days=days)).date() if days else None


def session_window(milkings: Milkings, day: dt.date, session: str) -> tuple[dt.datetime, dt.datetime]:
    """(starts, dosed_by) for a session of the farm: a withdrawal covers its milk when the first dose
    was given before `dosed_by` and the withdrawal ends after `starts`.

    In a parlour a dose given in the session's first hour was given at milking, after the cow was
    milked or not: her milk of that session is withheld. A robot's slot holds visits up to the next
    slot, so any dose before the slot ends withholds it.
    """
    starts = milkings.starts_at(day, session)
    return starts, milkings.ends_at(day, session) if milkings.robot else starts + DOSED_AT_MILKING


def milk_withheld(begins: dt.datetime | None, ends: dt.datetime | None, day: dt.date, session: str,
                  milkings: Milkings) -> bool:
    """Whether a session's milk falls under a withdrawal from `begins` (the first dose) to `ends`.

    A session is clean again when it starts at or after the end, so the session in which the end
    falls is still withheld; one that started before the first dose was milked before it (see
    session_window for a dose given at milking).
    """
    if begins is None or ends is None:
        return False
    starts, dosed_by = session_window(milkings, day, session)
    return begins < dosed_by and starts < ends


def first_clean_session(ends: dt.datetime, milkings: Milkings) -> tuple[dt.date, str]:
    """The first session of the farm's that starts at or after the end of withdrawal."""
    return milkings.first_starting_at_or_after(ends)
