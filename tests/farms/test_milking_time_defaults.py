"""The farm's milking times default to 04:00, 11:00 and 15:00 without the system check taking them for a mistake at
those times of day (Django warns, fields.W161, about a fixed time default within ten seconds of now: `check --deploy`
failed at 15:00:05)."""

import datetime as dt

import pytest

from apps.farms.milkings import DEFAULT_STARTS
from apps.farms.models import Farm


@pytest.mark.parametrize("session", ["morning", "midday", "evening"])
def test_the_check_is_quiet_at_the_very_time_a_session_starts(time_machine, session):
    start = DEFAULT_STARTS[session]
    time_machine.move_to(dt.datetime.combine(dt.date(2026, 12, 7), start, tzinfo=dt.UTC) + dt.timedelta(seconds=3), tick=False)
    field = Farm._meta.get_field(f"{session}_starts")
    assert [w.id for w in field.check()] == []
    assert field.get_default() == start
