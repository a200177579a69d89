"""Farms and animals."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import Http404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from apps.accounts.selectors import farms_visible_to
from apps.herd import services as herd
from apps.herd.selectors import animals_visible_to

from ..framework import Strict, page_of, require
from ..icar import KG_PER_LITRE
from .common import ERRORS, Page, Since, Species, animal_of, farm_of, filtered, since

router = Router()




class OrganisationOut(Schema):
    id: int
    name: str
    country: str = Field(description="ISO 3166 alpha-2.")
    currency: str = Field(description="ISO 4217: every amount of the organisation is in it, with its minor unit's decimals.")
    milk_unit: Literal["L", "kg"] = Field(description="The unit of every milk quantity the API takes and gives.")
    kg_per_litre: str = Field(description="How ICAR weights (kg) become litres here, and back.")
    time_zone: str = Field(description="The organisation's clock; each farm may keep its own (GET /farms).")


@router.get("/organisation", response={200: OrganisationOut, **ERRORS}, summary="The organisation the key belongs to: its units",
            tags=["farms"])
def get_organisation(request):
    tenant = request.membership.tenant
    return {"id": tenant.pk, "name": tenant.name, "country": tenant.country, "currency": tenant.currency,
            "milk_unit": "kg" if tenant.milk_unit == "kg" else "L", "kg_per_litre": str(KG_PER_LITRE), "time_zone": tenant.time_zone}


class FarmOut(Schema):
    id: int
    name: str
    farm_type: str
    time_zone: str
    milking_sessions_per_day: int
    session_starts: dict[str, str] = Field(description="When each of the farm's milking sessions starts, HH:MM on its clock.")
    robot_milking: bool = Field(description="Visits at any hour, kept in the sessions' slots.")
    archived: bool = Field(alias="is_archived")

    @staticmethod
    def resolve_session_starts(farm) -> dict[str, str]:
        return {name: time.strftime("%H:%M") for name, time in farm.milkings.starts}


class FarmPage(Page):
    items: list[FarmOut]



@router.get("/farms", response={200: FarmPage, **ERRORS}, summary="List the farms within reach", tags=["farms"])
def list_farms(request, paging: Query[Since]):
    require(request, "farms.view")
    return page_of(since(farms_visible_to(request.membership), paging), paging.cursor, paging.limit)


# Animals ---------------------------------------------------------------------------------------------


class AnimalOut(Schema):
    id: int
    tag: str
    eid: str
    name: str
    farm_id: int
    group_id: int | None
    species: str
    breed_id: int | None
    sex: str
    date_of_birth: dt.date | None
    dam_id: int | None
    sire_id: int | None
    status: str
    status_on: dt.date | None
    castrated: bool


class AnimalPage(Page):
    items: list[AnimalOut]


class AnimalFilters(Since):
    farm: int | None = None
    status: Literal["active", "sold", "dead", "culled"] | None = None
    species: Species | None = None
    sex: Literal["female", "male"] | None = None
    tag: str | None = Field(None, max_length=40)
    eid: str | None = Field(None, max_length=40)


class AnimalIn(Strict):
    tag: str = Field(min_length=1, max_length=40)
    farm_id: int
    species: Species = "cattle"
    sex: Literal["female", "male"]
    name: str = Field("", max_length=80)
    eid: str = Field("", max_length=40)
    date_of_birth: dt.date | None = None
    dam_id: int | None = None
    sire_id: int | None = None


class AnimalPatch(Strict):
    tag: str | None = Field(None, min_length=1, max_length=40)
    farm_id: int | None = None
    name: str | None = Field(None, max_length=80)
    eid: str | None = Field(None, max_length=40)
    date_of_birth: dt.date | None = None


def _parents(request, values: dict) -> dict:
    for field in ("dam_id", "sire_id"):
        if values.get(field) is not None:
            values[field.removesuffix("_id")] = animal_of(request, values.pop(field))
        else:
            values.pop(field, None)
    return values


@router.get("/animals", response={200: AnimalPage, **ERRORS}, summary="List animals", tags=["animals"])
def list_animals(request, filters: Query[AnimalFilters]):
    require(request, "herd.view")
    animals = filtered(since(animals_visible_to(request.membership), filters), filters, farm="farm_id", status="status", species="species", sex="sex",
                       tag="tag__iexact", eid="eid")
    return page_of(animals, filters.cursor, filters.limit)


@router.get("/animals/{animal_id}", response={200: AnimalOut, **ERRORS}, summary="Get an animal", tags=["animals"])
def get_animal(request, animal_id: int):
    require(request, "herd.view")
    return animal_of(request, animal_id)


@router.get("/animals/by-tag/{tag}", response={200: AnimalOut, **ERRORS}, summary="Get the live animal wearing a tag",
            tags=["animals"])
def animal_by_tag(request, tag: str):
    require(request, "herd.view")
    animal = animals_visible_to(request.membership).filter(tag__iexact=tag, status="active").first()
    if animal is None:
        raise Http404
    return animal


@router.get("/animals/by-eid/{eid}", response={200: AnimalOut, **ERRORS}, summary="Get the live animal with an EID",
            tags=["animals"])
def animal_by_eid(request, eid: str):
    require(request, "herd.view")
    found = list(animals_visible_to(request.membership).filter(eid=eid, status="active")[:2])
    if len(found) != 1:
        raise Http404
    return found[0]


@router.post("/animals", response={201: AnimalOut, **ERRORS}, summary="Add an animal to the register", tags=["animals"])
def create_animal(request, payload: AnimalIn):
    require(request, "herd.manage")
    values = _parents(request, payload.model_dump())
    values["farm"] = farm_of(request, values.pop("farm_id"))
    return Status(201, herd.animal_create(membership=request.membership, **values))


@router.patch("/animals/{animal_id}", response={200: AnimalOut, **ERRORS}, summary="Change an animal", tags=["animals"])
def update_animal(request, animal_id: int, payload: AnimalPatch):
    animal = animal_of(request, animal_id)
    require(request, "herd.manage", animal)
    values = payload.model_dump(exclude_unset=True)
    if "farm_id" in values:
        if values["farm_id"] is None:
            values.pop("farm_id")
        else:
            values["farm"] = farm_of(request, values.pop("farm_id"))
    for field in ("tag", "name", "eid"):
        if field in values and values[field] is None:
            values.pop(field)
    return herd.animal_update(membership=request.membership, animal=animal, **values)
