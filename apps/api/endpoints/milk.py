"""Lactations, milk records, bulk ingest from parlour software, daily summaries and the bulk tank."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import Http404
from ninja import Query, Router, Schema, Status
from pydantic import Field, WithJsonSchema

from apps.accounts.selectors import farms_visible_to
from apps.herd.selectors import animals_visible_to
from apps.milk import services as milk
from apps.milk.models import BulkTankReading, FarmDaySummary, Lactation, MilkRecord
from apps.milk.selectors import records_for

from .. import ingest
from ..framework import Strict, page_of, require
from .common import (
    ERRORS,
    MILK_UNIT,
    Exact,
    Page,
    Paging,
    SessionName,
    Since,
    amount,
    animal_of,
    farm_of,
    filtered,
    since,
)

router = Router()
BY_FARM_AND_DATE = {"farm": "farm_id", "date_from": "date__gte", "date_to": "date__lte"}


# Lactations ------------------------------------------------------------------------------------------


class LactationOut(Schema):
    id: int
    animal_id: int
    number: int
    calving_date: dt.date
    dried_off_on: dt.date | None


class LactationPage(Page):
    items: list[LactationOut]


class LactationFilters(Since):
    animal: int | None = None
    open: bool | None = None


@router.get("/lactations", response={200: LactationPage, **ERRORS}, summary="List lactations", tags=["milk"])
def list_lactations(request, filters: Query[LactationFilters]):
    require(request, "milk.view")
    lactations = Lactation.objects.filter(tenant_id=request.membership.tenant_id,
                                          animal__in=animals_visible_to(request.membership).values("pk"))
    return page_of(filtered(since(lactations, filters), filters, animal="animal_id", open="dried_off_on__isnull"), filters.cursor,
                   filters.limit)


# Milk records ----------------------------------------------------------------------------------------


Quantity = amount(5, 2, MILK_UNIT, ge=0, le=80)
Percent15 = amount(4, 2, "Percent.", ge=0, le=15)
Percent10 = amount(4, 2, "Percent.", ge=0, le=10)
TankQuantity = amount(8, 2, MILK_UNIT, ge=0, le=100_000)


class MilkOut(Schema):
    id: int
    farm_id: int
    animal_id: int
    date: dt.date
    session: str
    quantity: Exact
    fat: Exact | None
    protein: Exact | None
    scc: int | None
    discarded: bool
    discard_reason: str
    notes: str


class MilkPage(Page):
    items: list[MilkOut]


class MilkFilters(Since):
    farm: int | None = None
    animal: int | None = None
    session: SessionName | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


class MilkIn(Strict):
    animal_id: int
    date: dt.date
    session: SessionName
    quantity: Quantity
    fat: Percent15 | None = None
    protein: Percent10 | None = None
    scc: int | None = Field(None, ge=0, le=10_000_000, description="Somatic cells per mL.")
    notes: str = Field("", max_length=300)


class MilkPatch(Strict):
    quantity: Quantity | None = None
    fat: Percent15 | None = None
    protein: Percent10 | None = None
    scc: int | None = Field(None, ge=0, le=10_000_000, description="Somatic cells per mL.")
    notes: str | None = Field(None, max_length=300)


def _record(request, record_id: int) -> MilkRecord:
    record = records_for(request.membership).select_related("farm", "animal").filter(pk=record_id).first()
    if record is None:
        raise Http404
    return record


@router.get("/milk/records", response={200: MilkPage, **ERRORS}, summary="List milk records", tags=["milk"])
def list_milk(request, filters: Query[MilkFilters]):
    require(request, "milk.view")
    records = filtered(since(records_for(request.membership), filters), filters, farm="farm_id", animal="animal_id", session="session",
                       date_from="date__gte", date_to="date__lte")
    return page_of(records, filters.cursor, filters.limit)


@router.post("/milk/records", response={201: MilkOut, **ERRORS}, summary="Record one milking: the cow's session total", tags=["milk"],
             description=("One record per cow, day and session. Sent again for the same session, it updates that record: "
                          "the fields sent replace theirs, the fields left out keep their stored values. A session made "
                          "of milking visits (POST /icar/events, or timestamped items of POST /milk/ingest) cannot be "
                          "typed over: correct its visits."))
def create_milk(request, payload: MilkIn):
    animal = animal_of(request, payload.animal_id)
    require(request, "milk.record", animal)
    values = payload.model_dump(exclude={"animal_id"}, exclude_none=True)
    record = milk.milking_record_save(membership=request.membership, farm=animal.farm, animal=animal, **values)
    record.refresh_from_db()
    return Status(201, record)


@router.patch("/milk/records/{record_id}", response={200: MilkOut, **ERRORS}, summary="Correct a milk record", tags=["milk"])
def update_milk(request, record_id: int, payload: MilkPatch):
    record = _record(request, record_id)
    require(request, "milk.record", record)
    values = {"quantity": record.quantity, "fat": record.fat, "protein": record.protein, "scc": record.scc, "notes": record.notes,
              **payload.model_dump(exclude_unset=True)}
    values = {k: v for k, v in values.items() if v is not None}
    values.setdefault("quantity", record.quantity)
    saved = milk.milking_record_save(membership=request.membership, farm=record.farm, animal=record.animal, date=record.date,
                                     session=record.session, **values)
    saved.refresh_from_db()
    return saved


@router.delete("/milk/records/{record_id}", response={204: None, **ERRORS}, summary="Delete a milk record", tags=["milk"])
def delete_milk(request, record_id: int):
    record = _record(request, record_id)
    require(request, "milk.record", record)
    milk.milking_record_delete(membership=request.membership, record=record)
    return Status(204, None)


class IngestIn(Strict):
    format: Literal["ifarm", "icar"] = Field("ifarm", description=(
        "ifarm: iFarm's own items; icar: ICAR ADE resources (milking visits, test-day results, dry-offs), as "
        "POST /icar/events takes them."))
    farm_id: int | None = Field(None, description="The farm the milkings belong to (needed for the icar format).")
    items: list[Annotated[Any, WithJsonSchema({"anyOf": [ingest.IFARM_REF, ingest.ICAR_REF]})]] = Field(
        max_length=ingest.MAX_ITEMS, description="Milkings in the chosen format; each is checked on its own.")


class IngestResult(Schema):
    index: int
    result: Literal["created", "updated", "refused"]
    id: int | None = Field(None, description="The milk record (a session's), test-day result or lactation saved.")
    visit_id: int | None = Field(None, description="For a timestamped milking: the visit kept.")
    ignored: list[str] = Field([], description="What the item sent that iFarm keeps no column for, or sent empty.")
    reason: str = ""
    field: str = ""


class IngestOut(Schema):
    created: int
    updated: int
    refused: int
    results: list[IngestResult]


@router.post("/milk/ingest", response={200: IngestOut, **ERRORS}, tags=["milk"],
             summary="Bulk milkings from parlour software (up to 5,000; each item created, updated or refused)")
def ingest_milk(request, payload: IngestIn):
    require(request, "milk.record")
    farm = farm_of(request, payload.farm_id) if payload.farm_id is not None else None
    return ingest.ingest(membership=request.membership, items=payload.items, shape=payload.format, farm=farm)


class SummaryOut(Schema):
    """A farm's day of milk, counted three ways: produced (all that was milked), discarded (withheld
    or spoilt) and saleable (produced less discarded)."""

    farm_id: int
    date: dt.date
    morning: Exact = Field(description="Produced in the morning session, discarded milk included.")
    midday: Exact = Field(description="Produced in the midday session, discarded milk included.")
    evening: Exact = Field(description="Produced in the evening session, discarded milk included.")
    total: Exact = Field(description="Produced in the day, discarded milk included.")
    discarded: Exact = Field(description="Discarded in the day (under withdrawal, colostrum, abnormal...).")
    morning_discarded: Exact
    midday_discarded: Exact
    evening_discarded: Exact
    saleable: Exact = Field(description="Produced less discarded: what could go in the tank.")
    records: int
    cows_milked: int


class SummaryPage(Page):
    items: list[SummaryOut]


class SummaryFilters(Paging):
    farm: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


class TankFilters(SummaryFilters, Since):
    pass


@router.get("/milk/summaries", response={200: SummaryPage, **ERRORS}, summary="Daily milk totals per farm", tags=["milk"])
def list_summaries(request, filters: Query[SummaryFilters]):
    require(request, "milk.view")
    summaries = FarmDaySummary.objects.filter(tenant_id=request.membership.tenant_id,
                                              farm__in=farms_visible_to(request.membership, include_archived=True).values("pk"))
    return page_of(filtered(summaries, filters, **BY_FARM_AND_DATE), filters.cursor, filters.limit)


class TankOut(Schema):
    id: int
    farm_id: int
    date: dt.date
    session: str
    quantity: Exact
    scc: int | None


class TankPage(Page):
    items: list[TankOut]


class TankIn(Strict):
    farm_id: int
    date: dt.date
    session: SessionName
    quantity: TankQuantity
    scc: int | None = Field(None, ge=0, le=10_000_000)


@router.get("/milk/tank", response={200: TankPage, **ERRORS}, summary="List bulk tank readings", tags=["milk"])
def list_tank(request, filters: Query[TankFilters]):
    require(request, "milk.view")
    readings = BulkTankReading.objects.filter(tenant_id=request.membership.tenant_id,
                                              farm__in=farms_visible_to(request.membership, include_archived=True).values("pk"))
    return page_of(filtered(since(readings, filters), filters, **BY_FARM_AND_DATE), filters.cursor, filters.limit)


@router.post("/milk/tank", response={201: TankOut, **ERRORS}, summary="Record a bulk tank reading (or replace that session's)",
             tags=["milk"])
def create_tank(request, payload: TankIn):
    farm = farm_of(request, payload.farm_id)
    require(request, "milk.record", farm)
    values = payload.model_dump(exclude={"farm_id"})
    return Status(201, milk.bulk_tank_save(membership=request.membership, farm=farm, **values))
