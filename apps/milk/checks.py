"""The one rule for what a milking record may hold, asked by the entry page's row save and by the ingest.

Each says why a record of `animal` on `farm` for one day and session cannot be saved, field by field, in the
same words wherever it came from. Who may record is asked by each caller its own way (a page refuses the
request; a batch refuses the item).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core import words
from apps.core.dates import date_problem
from apps.herd.models import Sex, Status

from .models import Session

# Ranges that make sense on a farm: a value outside is a typo, not a measurement.
RANGES = {
    "quantity": (Decimal("0"), Decimal("80"), gettext_lazy("Enter a value between 0 and 80.")),
    "fat": (Decimal("0"), Decimal("15"), gettext_lazy("Enter a value between 0 and 15 %.")),
    "protein": (Decimal("0"), Decimal("10"), gettext_lazy("Enter a value between 0 and 10 %.")),
    "lactose": (Decimal("0"), Decimal("10"), gettext_lazy("Enter a value between 0 and 10 %.")),
    "scc": (0, 10_000_000, gettext_lazy("Enter a value between 0 and 10,000,000 cells/mL.")),
    "ph": (Decimal("5"), Decimal("8"), gettext_lazy("Enter a value between 5 and 8.")),
    "temperature": (Decimal("0"), Decimal("45"), gettext_lazy("Enter a value between 0 and 45 °C.")),
    "duration_minutes": (0, 120, gettext_lazy("Enter a value between 0 and 120 minutes.")),
}


def session_word(session: str) -> str:
    """A session as a word in a sentence, in the reader's language: "morning", "matin"."""
    return str(Session(session).label).lower() if session in Session.values else session


def range_problems(values: dict) -> dict[str, str]:
    return {field: str(text) for field, (low, high, text) in RANGES.items()
            if values.get(field) is not None and not low <= values[field] <= high}


def record_problems(*, farm, animal, day: dt.date, session: str, values: dict, in_milk: Callable[[], bool],
                    date_checked: str | None = None) -> dict[str, str]:
    """Why the record cannot be saved, by field (empty: it can). `in_milk()` is asked only of a live female on
    the farm; `date_checked` passes a date's problem the caller already has for the whole farm-day."""
    errors: dict[str, str] = {}
    if farm.is_archived:
        errors["farm"] = _("This farm is archived.")
    if session not in farm.milkings.sessions:
        errors["session"] = _("%(name)s does not milk in the %(session)s.") % {"name": farm.name, "session": session_word(session)}
    if problem := (date_checked if date_checked is not None else date_problem(day, today=farm.local_today())):
        errors["date"] = problem
    if animal.tenant_id != farm.tenant_id or animal.farm_id != farm.pk:
        errors["animal"] = _("This animal is not on this farm.")
    elif animal.sex != Sex.FEMALE:
        errors["animal"] = _("%(tag)s is male.") % {"tag": animal.tag}
    elif animal.status != Status.ACTIVE:
        errors["animal"] = _("%(tag)s is %(status)s.") % {"tag": animal.tag, "status": animal.get_status_display().lower()}
    elif not in_milk():
        errors["animal"] = _("%(tag)s was not in milk on %(day)s.") % {"tag": animal.tag, "day": words.day(day)}
    return errors | range_problems(values)
