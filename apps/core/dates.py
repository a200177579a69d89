"""The dates a farm record may carry: none before 1950, and none in the future unless asked."""

import datetime as dt

from django import forms
from django.utils import timezone

EARLIEST = dt.date(1950, 1, 1)
TOO_EARLY = "Give a date from 1 January 1950 on."
IN_FUTURE = "This date is in the future."


def date_problem(value: dt.date, *, today: dt.date | None = None) -> str | None:
    """What is wrong with a record's date, or None; `today` (the farm's) bounds it above when given."""
    if value < EARLIEST:
        return TOO_EARLY
    if today is not None and value > today:
        return IN_FUTURE
    return None


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class FarmDateField(forms.DateField):
    """A date field bounded like a farm record: from 1950, and up to today unless `future=True`.

    The upper bound here uses the organisation's today; services check against the farm's own.
    """

    widget = DateInput

    def __init__(self, *, future: bool = False, **kwargs):
        self.future = future
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if isinstance(widget, DateInput):
            attrs["min"] = EARLIEST.isoformat()
        return attrs

    def validate(self, value):
        super().validate(value)
        if value in self.empty_values:
            return
        # A day of slack above: the farm's today may be ahead of the organisation's time zone.
        problem = date_problem(value, today=None if self.future else timezone.localdate() + dt.timedelta(days=1))
        if problem:
            raise forms.ValidationError(problem, code="date_range")


def today_in(zone_name: str) -> dt.date:
    """Today's date in a time zone by name (UTC when the name is unknown)."""
    import zoneinfo

    try:
        return timezone.now().astimezone(zoneinfo.ZoneInfo(zone_name)).date()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.now().date()
