"""Words built from values, in the reader's language: dates, quantities, lists, and messages read later.

A refusal shown on the page is translated at once (`gettext`); a notification written now and read by
someone else is kept lazy (`later`) and put into words in that person's language when it is rendered.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import formats, translation
from django.utils.functional import Promise, lazy


def _interpolate(message, values: dict) -> str:
    def word(value):
        if isinstance(value, dt.datetime):
            return moment(value)
        if isinstance(value, dt.date):
            return day(value)
        return str(value) if isinstance(value, Promise) else value

    return message % {key: word(value) for key, value in values.items()}


_later = lazy(_interpolate, str)


def later(message, **values):
    """`message % values`, put into words only when read (so in the reader's language, not the writer's).

    `message` is lazy (gettext_lazy, or ngettext_lazy keyed by a value's name); dates among the values are
    written in the reader's language too."""
    return _later(message, values)


def day(value: dt.date | dt.datetime, *, year: bool = True) -> str:
    """A date as people write it in the active language: 5 Jan 2027, 5 janv. 2027, 5 Januari 2027 (ifarm/formats)."""
    return formats.date_format(value, "DATE_FORMAT" if year else "MONTH_DAY_FORMAT")


def moment(value: dt.datetime) -> str:
    """A date and time of day in the active language (the value already in the reader's zone)."""
    return formats.date_format(value, "DATETIME_FORMAT")


def day_time(value: dt.datetime) -> str:
    """A day of this year and a time of day in the active language (the value already in the reader's zone)."""
    return formats.date_format(value, "DAY_TIME_FORMAT")


def amount(value: Decimal) -> str:
    """A quantity without trailing zeros, with the language's decimal mark: 2.5 or 2,5."""
    return formats.number_format(Decimal(f"{value.normalize():f}") if isinstance(value, Decimal) else value, use_l10n=True)


def money(value, currency: str) -> str:
    """An amount of money as the reader's language writes it, to the currency's own minor units:
    KES 2,089.29 in English, 2 089,29 KES in French, Ksh 2,089.29 in Kiswahili; UGX without decimals."""
    from babel.numbers import format_currency

    if value is None or value == "":
        return ""
    language = translation.get_language() or "en"
    try:
        if language.startswith("en"):  # the code, not a symbol: "$" alone says nothing to a farm in Kenya
            return format_currency(Decimal(value), currency, format="¤¤\xa0#,##0.00", locale="en", currency_digits=True)
        return format_currency(Decimal(value), currency, locale=language.replace("-", "_"), currency_digits=True)
    except (ValueError, ArithmeticError, LookupError):
        return f"{value} {currency}"


def listing(values) -> str:
    return ", ".join(str(v) for v in values)


_LABELS: dict[tuple[type, str], dict] = {}


def label(choices, value) -> str:
    """A choice's label in the active language, e.g. label(Sex, "female"): what get_FOO_display gives,
    without rebuilding the choices on every call (a list of 50 animals asked it 150 times)."""
    key = (choices, translation.get_language() or "")
    labels = _LABELS.get(key)
    if labels is None:
        labels = _LABELS[key] = {member.value: str(member.label) for member in choices}
    return labels.get(value, value)
