"""What the milking row save knows of one cow for one day and session, read with her in one query.

The selector returns it beside the cow and the service takes it, so a save pays no query for her withdrawal,
her lactation, yesterday's milk or her 7-day average; without it (an import, a test) the service reads each.
The service answers with the record and the farm-day totals as the write left them: what the page draws next.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .models import FarmDaySummary, MilkRecord


@dataclass(frozen=True)
class CowSession:
    day: dt.date
    session: str
    withdrawal_ends: dt.datetime | None  # when the withdrawal covering this session ends; None: her milk is clean
    lactation_id: int | None  # her lactation on the day; None: she was not in milk
    yesterday: Decimal | None  # the same session's quantity the day before
    week_average: Decimal | None  # this session's mean over the 7 days before; None with fewer than 3 records
    has_open_alerts: bool  # an alert of this session not yet resolved (most cows have none: nothing to clear)

    def covers(self, day: dt.date, session: str) -> bool:
        return (self.day, self.session) == (day, session)


@dataclass(frozen=True)
class RowSaved:
    record: MilkRecord
    farm_summary: FarmDaySummary
