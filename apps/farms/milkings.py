"""When a farm milks: its sessions and the time each starts on the farm's own clock.

A parlour milks at set times, one to three a day; a session is what was milked from its start until
the next one starts. A robot milks at any hour: its visits are kept in the same day slots (the
sessions), and a slot's milk is whatever the robot gave between its start and the next slot's start.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

SESSION_NAMES = ("morning", "midday", "evening")
SESSIONS_BY_COUNT = {1: ("morning",), 2: ("morning", "evening"), 3: ("morning", "midday", "evening")}
SESSION_LABELS = {"morning": _("Morning"), "midday": _("Midday"), "evening": _("Evening")}
# What every farm started with; a farm keeps them until its own times are set.
DEFAULT_STARTS = {"morning": dt.time(4, 0), "midday": dt.time(11, 0), "evening": dt.time(15, 0)}
# The fields' defaults are these functions, not the times: a fixed time as a default makes Django's system check warn
# (fields.W161) whenever it runs within ten seconds of that time of day, which fails `check --deploy` at 15:00:05.


def morning_start() -> dt.time:
    return DEFAULT_STARTS["morning"]


def midday_start() -> dt.time:
    return DEFAULT_STARTS["midday"]


def evening_start() -> dt.time:
    return DEFAULT_STARTS["evening"]


# A milking that begins up to this long before its session's start time belongs to it (cows brought in early).
EARLY = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Milkings:
    """A farm's sessions in the order of the day, each with its start time, and its clock."""

    starts: tuple[tuple[str, dt.time], ...]
    zone: dt.tzinfo
    robot: bool = False

    @classmethod
    def of(cls, farm) -> Milkings:
        names = SESSIONS_BY_COUNT.get(farm.milking_sessions_per_day, SESSIONS_BY_COUNT[2])
        return cls(starts=tuple((name, getattr(farm, f"{name}_starts") or DEFAULT_STARTS[name]) for name in names),
                   zone=farm.zone, robot=farm.robot_milking)

    @property
    def sessions(self) -> list[str]:
        return [name for name, _ in self.starts]

    @property
    def labelled(self) -> list[tuple[str, dt.time]]:
        return [(SESSION_LABELS[name], time) for name, time in self.starts]

    def starts_at(self, day: dt.date, session: str) -> dt.datetime:
        """When the session begins, an aware datetime (daylight saving is the zone's business)."""
        return dt.datetime.combine(day, dict(self.starts)[session], tzinfo=self.zone)

    def ends_at(self, day: dt.date, session: str) -> dt.datetime:
        """When the session's slot ends: the next session's start, the same day or the next."""
        names = self.sessions
        following = names.index(session) + 1
        if following < len(names):
            return self.starts_at(day, names[following])
        return self.starts_at(day + dt.timedelta(days=1), names[0])

    def session_of(self, moment: dt.datetime) -> tuple[dt.date, str]:
        """The farm day and session a milking that began at `moment` belongs to.

        A parlour milking belongs to the last session starting at most an hour after it (a 05:10
        start on a farm milking at 06:00 is the morning milking); one in the small hours before the
        first session (and more than an hour before it) is the evening's of the day before.
        A robot visit belongs to the slot it falls in.
        """
        local = moment.astimezone(self.zone)
        early = dt.timedelta(0) if self.robot else EARLY
        for day in (local.date(), local.date() - dt.timedelta(days=1)):
            for session in reversed(self.sessions):
                if self.starts_at(day, session) <= local + early:
                    return day, session
        return local.date() - dt.timedelta(days=1), self.sessions[-1]  # not reached: yesterday's last always started

    def first_starting_at_or_after(self, moment: dt.datetime) -> tuple[dt.date, str]:
        """The first session that starts at or after `moment`."""
        day = moment.astimezone(self.zone).date()
        while True:
            for session in self.sessions:
                if self.starts_at(day, session) >= moment:
                    return day, session
            day += dt.timedelta(days=1)

    def in_order(self) -> bool:
        """Whether the sessions start in the day's order (each after the one before)."""
        times = [time for _, time in self.starts]
        return all(earlier < later for earlier, later in zip(times, times[1:]))
