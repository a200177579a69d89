"""What the API's operations share: error responses, paging, filters, and finding what the caller may reach."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.http import Http404
from ninja import Schema
from pydantic import AfterValidator, Field, WithJsonSchema

from apps.accounts.selectors import farms_visible_to
from apps.herd.selectors import animals_visible_to

from ..framework import Problem

ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem, 429: Problem}
Species = Literal["cattle", "goat", "sheep", "pig", "camel", "horse", "donkey", "rabbit", "other"]
SessionName = Literal["morning", "midday", "evening"]


CURSOR = r"^[A-Za-z0-9_\-:.]{1,500}$"
CURSOR_TEXT = "Opaque: hand back the next_cursor of the previous page as it came. A cursor stays valid while the data changes."


def amount(digits: int, places: int, text: str = "", **limits):
    """A decimal number sent as a string (a JSON number is taken too) with at most `places` decimals; the
    document states the pattern, its bounds and precision."""
    pattern = rf"^-?\d{{1,{digits - places}}}(\.\d{{1,{places}}})?$"
    bounds = ", ".join(f"{'at least' if k in ('ge', 'gt') else 'at most'} {v}" for k, v in limits.items())
    described = " ".join(filter(None, [text, f"A decimal string with at most {places} decimals" + (f", {bounds}" if bounds else "") + "."]))
    return Annotated[Decimal, Field(max_digits=digits, decimal_places=places, **limits),
                     WithJsonSchema({"type": "string", "pattern": pattern, "description": described, "examples": ["12.50"]})]


def _in_utc(value: dt.datetime) -> dt.datetime:
    """A moment in UTC (a moment without an offset is read as UTC): the database takes any of them."""
    try:
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("The moment is out of range.") from None


Moment = Annotated[dt.datetime, AfterValidator(_in_utc)]

# A decimal the server sends: an exact string, never a binary float.
Exact = Annotated[Decimal, WithJsonSchema({"type": "string", "pattern": r"^-?\d+(\.\d+)?$",
                                           "description": "A decimal number written as a string, exact."})]
MILK_UNIT = "In the organisation's milk unit (L or kg, as GET /organisation says)."


class Page(Schema):
    next_cursor: str | None = Field(None, pattern=CURSOR, description="Give it as `cursor` for the next page; null on the last.")


class Paging(Schema):
    cursor: str | None = Field(None, pattern=CURSOR, description=CURSOR_TEXT)
    limit: int = Field(50, ge=1, le=500)


class Since(Paging):
    updated_since: Moment | None = Field(None, description=(
        "Only what was created or changed at or after this moment (RFC 3339): a nightly sync asks for what changed "
        "since the start of its last run. A paid or voided invoice, a voided sale, an approved expense come back."))


def since(queryset, filters):
    return queryset if filters.updated_since is None else queryset.filter(updated_at__gte=filters.updated_since)


def filtered(queryset, filters, **lookups):
    """Apply the filters that were given (None means not given): filter name -> ORM lookup."""
    for name, lookup in lookups.items():
        value = getattr(filters, name)
        if value is not None:
            queryset = queryset.filter(**{lookup: value})
    return queryset


def farm_of(request, farm_id: int):
    farm = farms_visible_to(request.membership, include_archived=True).filter(pk=farm_id).first()
    if farm is None:
        raise Http404
    return farm


def animal_of(request, animal_id: int):
    animal = animals_visible_to(request.membership).select_related("farm").filter(pk=animal_id).first()
    if animal is None:
        raise Http404
    return animal
