"""What the API's operations share: error responses, paging, filters, and finding what the caller may reach."""

from __future__ import annotations

from typing import Literal

from django.http import Http404
from ninja import Schema
from pydantic import Field

from apps.farms.selectors import farms_visible_to
from apps.herd.selectors import animals_visible_to

from ..framework import Problem

ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem, 429: Problem}
Species = Literal["cattle", "goat", "sheep", "pig", "camel", "horse", "donkey", "rabbit", "other"]
SessionName = Literal["morning", "midday", "evening"]


class Page(Schema):
    next_cursor: str | None = None

class Paging(Schema):
    cursor: str | None = Field(None, description="The next_cursor of the previous page.")
    limit: int = Field(50, ge=1, le=500)

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
