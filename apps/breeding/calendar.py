"""The breeding calendar: gestation per species, the expected birth, and the windows of the Today page."""

from __future__ import annotations

import datetime as dt

# Days from conception to birth, the usual figure for each species (breeds vary by a few days; an
# organisation keeping another species gives its own).
GESTATION_DAYS = {"cattle": 283, "sheep": 147, "goat": 150, "pig": 114, "camel": 390, "horse": 340, "donkey": 365,
                  "rabbit": 31}
# The youngest a female may be served, per species (months).
BREEDING_AGE_MONTHS = {"cattle": 13, "sheep": 7, "goat": 7, "pig": 6, "camel": 36, "horse": 36, "donkey": 36, "rabbit": 5}
# An embryo is transferred at about a week old (morula to blastocyst) unless its age is given.
EMBRYO_AGE_DAYS = 7
DUE_SOON_DAYS = 14          # due to give birth within two weeks
DRY_OFF_BEFORE_DAYS = 60    # cattle: dry off 60 days before the expected calving
HEAT_WATCH = (18, 24)       # days after a service with no check since: watch for a repeat heat
CHECK_DUE = (30, 45)        # days after a service: pregnancy check due
NO_HEAT_AFTER_DAYS = 60     # calved this long ago and no heat or service since: look at her


def gestation(species: str, other_days: int | None = None) -> int | None:
    """Days from service to birth: the species' figure, or for "other" the organisation's own."""
    return other_days if species == "other" else GESTATION_DAYS.get(species)


def expected_birth(species: str, conceived_on: dt.date, *, foetal_age_days: int | None = None,
                   checked_on: dt.date | None = None, other_days: int | None = None) -> dt.date | None:
    """The expected birth from conception (the service, or an embryo transfer less the embryo's age), or
    from a check that measured the foetus's age."""
    days = gestation(species, other_days)
    if days is None:
        return None
    if foetal_age_days is not None and checked_on is not None:
        return checked_on + dt.timedelta(days=days - foetal_age_days)
    return conceived_on + dt.timedelta(days=days)


def in_window(days_since: int, window: tuple[int, int]) -> bool:
    low, high = window
    return low <= days_since <= high


def old_enough(species: str, born: dt.date | None, on: dt.date) -> bool:
    months = BREEDING_AGE_MONTHS.get(species)
    if months is None or born is None:
        return True
    age_months = (on.year - born.year) * 12 + on.month - born.month - (on.day < born.day)
    return age_months >= months
