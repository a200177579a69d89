"""What the apps above herd add to it, registered when they start.

The health app keeps treatments, so it answers until when an animal's meat must stay out of the food chain
(an exit for slaughter and a sale ask it through here) and adds its treatments to the animal's timeline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

_meat_withdrawal: list[Callable] = []
_timeline: list[Callable] = []


def meat_withdrawal_register(until: Callable) -> None:
    """`until(animal)`: the last day of the animal's meat withdrawal, or None."""
    if until not in _meat_withdrawal:
        _meat_withdrawal.append(until)


def timeline_register(entries: Callable) -> None:
    """`entries(membership, animal)`: timeline entries (dicts with when, who, kind, changes, url)."""
    if entries not in _timeline:
        _timeline.append(entries)


def meat_withdrawal_until(animal) -> dt.date | None:
    days = [day for until in _meat_withdrawal if (day := until(animal)) is not None]
    return max(days, default=None)


def timeline_entries(membership, animal) -> list[dict]:
    return [entry for entries in _timeline for entry in entries(membership, animal)]
