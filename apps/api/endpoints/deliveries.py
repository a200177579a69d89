"""Buyers, deliveries, statements and rations: the milk that leaves the farm and what the cows eat."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import Http404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from apps.deliveries import selectors as deliveries
from apps.deliveries import services
from apps.feeding.selectors import rations_for

from ..framework import Strict, page_of, require
from .common import ERRORS, Exact, Page, SessionName, Since, amount, farm_of, filtered, since
from .money import MONEY, _currency, in_currency

router = Router()


class BuyerOut(Schema):
    id: int
    name: str
    contact_id: int
    collection_point: str
    measures: Literal["L", "kg"]
    is_active: bool
    updated_at: dt.datetime


class BuyerPage(Page):
    items: list[BuyerOut]


@router.get("/buyers", response={200: BuyerPage, **ERRORS}, summary="List the buyers of the farms' milk", tags=["deliveries"])
def list_buyers(request, filters: Query[Since]):
    require(request, "milk.view")
    return page_of(since(deliveries.buyers_of(request.membership, active_only=False), filters), filters.cursor, filters.limit)


class BuyerIn(Strict):
    name: str = Field(min_length=1, max_length=120)
    collection_point: str = Field("", max_length=120)
    measures: Literal["L", "kg"] = "L"


@router.post("/buyers", response={201: BuyerOut, **ERRORS}, summary="Add a buyer (a customer in the books)", tags=["deliveries"])
def create_buyer(request, payload: BuyerIn):
    require(request, "finance.manage")
    return Status(201, services.buyer_save(membership=request.membership, **payload.model_dump()))


Quantity = amount(9, 2, "In the buyer's unit (L or kg).", gt=0)
Percent = amount(4, 2, "A percentage.", ge=0, le=15)


class DeliveryOut(Schema):
    id: int
    farm_id: int
    buyer_id: int
    date: dt.date
    sessions: list[SessionName]
    quantity: Exact = Field(description="As the farm measured, in the buyer's unit.")
    slip_quantity: Exact | None = Field(description="As the buyer's slip says.")
    fat: Exact | None
    protein: Exact | None
    scc: int | None = Field(description="Somatic cells per mL.")
    bacteria: int | None = Field(description="Bacteria per mL.")
    antibiotics: Literal["", "negative", "positive"]
    added_water: Exact | None
    rejected_quantity: Exact
    rejection_reason: str
    over_reason: str
    expected_value: Exact | None = Field(description=f"What the buyer's price schedule pays for it. {MONEY}")
    updated_at: dt.datetime

    @staticmethod
    def resolve_expected_value(delivery, context) -> str | None:
        paid = deliveries.expected_pay(delivery, deliveries.schedule_on(delivery.buyer, delivery.date))
        return in_currency(paid.value, _currency(context)) if paid else None


class DeliveryPage(Page):
    items: list[DeliveryOut]


class DeliveryFilters(Since):
    farm: int | None = None
    buyer: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@router.get("/deliveries", response={200: DeliveryPage, **ERRORS}, summary="List deliveries", tags=["deliveries"])
def list_deliveries(request, filters: Query[DeliveryFilters]):
    require(request, "milk.view")
    found = filtered(since(deliveries.deliveries_for(request.membership), filters), filters, farm="farm_id", buyer="buyer_id",
                     date_from="date__gte", date_to="date__lte")
    return page_of(found, filters.cursor, filters.limit)


@router.get("/deliveries/{delivery_id}", response={200: DeliveryOut, **ERRORS}, summary="Get a delivery", tags=["deliveries"])
def get_delivery(request, delivery_id: int):
    require(request, "milk.view")
    return deliveries.get_delivery_for(request.membership, delivery_id)


class DeliveryIn(Strict):
    farm_id: int
    buyer_id: int
    date: dt.date = Field(description="The farm's own calendar day, not in the future.")
    sessions: list[SessionName] = Field(min_length=1, max_length=3)
    quantity: Quantity
    over_reason: str = Field("", max_length=200, description="Needed when the quantity is more than the sessions' saleable milk.")
    slip_quantity: amount(9, 2, "As the buyer's slip says.", ge=0) | None = None
    fat: Percent | None = None
    protein: Percent | None = None
    scc: int | None = Field(None, ge=0, le=10_000_000)
    bacteria: int | None = Field(None, ge=0, le=100_000_000)
    antibiotics: Literal["", "negative", "positive"] = ""
    added_water: amount(4, 1, "A percentage.", ge=0, le=100) | None = None
    rejected_quantity: amount(9, 2, "", ge=0) | None = None
    rejection_reason: str = Field("", max_length=200)


def _buyer(request, buyer_id: int):
    buyer = deliveries.buyers_of(request.membership, active_only=False).filter(pk=buyer_id).first()
    if buyer is None:
        raise Http404
    return buyer


@router.post("/deliveries", response={201: DeliveryOut, **ERRORS}, tags=["deliveries"],
             summary="Record a delivery (refused when its sessions hold milk of a cow under withdrawal)")
def create_delivery(request, payload: DeliveryIn):
    farm = farm_of(request, payload.farm_id)
    require(request, "milk.record", farm)
    values = payload.model_dump(exclude={"farm_id", "buyer_id"})
    delivery = services.delivery_record(membership=request.membership, farm=farm, buyer=_buyer(request, payload.buyer_id), **values)
    return Status(201, delivery)


class StatementOut(Schema):
    id: int
    farm_id: int
    buyer_id: int
    month: dt.date
    net: Exact = Field(description=f"What the statement says is due. {MONEY}")
    expected_net: Exact = Field(description=f"What the deliveries and the price schedule give. {MONEY}")
    at_stake: Exact = Field(description=f"net less expected_net: below zero, the farm is paid less than its records give. {MONEY}")
    differences: int = Field(description="Lines that differ from the farm's records.")
    paid_amount: Exact | None = Field(description=MONEY)
    paid_on: dt.date | None
    updated_at: dt.datetime


def _statement_out(statement, currency: str) -> dict:
    result = deliveries.reconciliation_of(statement)
    return {"id": statement.pk, "farm_id": statement.farm_id, "buyer_id": statement.buyer_id, "month": statement.month,
            "net": in_currency(result.net, currency), "expected_net": in_currency(result.expected_net, currency),
            "at_stake": in_currency(result.at_stake, currency), "differences": len(result.flagged),
            "paid_amount": in_currency(statement.paid_amount, currency), "paid_on": statement.paid_on,
            "updated_at": statement.updated_at}


class StatementPage(Page):
    items: list[StatementOut]


@router.get("/statements", response={200: StatementPage, **ERRORS}, summary="List buyers' statements", tags=["deliveries"])
def list_statements(request, filters: Query[Since]):
    require(request, "finance.view")
    page = page_of(since(deliveries.statements_for(request.membership), filters), filters.cursor, filters.limit)
    currency = request.membership.tenant.currency
    return {**page, "items": [_statement_out(statement, currency) for statement in page["items"]]}


@router.get("/statements/{statement_id}", response={200: StatementOut, **ERRORS}, summary="Get a statement, checked",
            tags=["deliveries"])
def get_statement(request, statement_id: int):
    require(request, "finance.view")
    return _statement_out(deliveries.get_statement_for(request.membership, statement_id), request.membership.tenant.currency)


class StatementLineIn(Strict):
    kind: Literal["milk", "transport", "checkoff", "fee", "input", "other"]
    date: dt.date | None = None
    description: str = Field("", max_length=200)
    quantity: amount(9, 2, "", ge=0) | None = None
    price: amount(10, 2, "", ge=0) | None = None
    amount: amount(12, 2, "", ge=0)
    fat: amount(4, 2, "The buyer's test of the day, %.", ge=0, le=15) | None = None
    protein: amount(4, 2, "The buyer's test of the day, %.", ge=0, le=15) | None = None
    scc: int | None = Field(None, ge=0, le=10_000_000, description="The buyer's test of the day, cells per mL.")
    bacteria: int | None = Field(None, ge=0, le=100_000_000, description="The buyer's test of the day, per mL.")


class StatementIn(Strict):
    farm_id: int
    buyer_id: int
    month: str = Field(pattern=r"^(19[5-9]\d|2\d{3})-(0[1-9]|1[0-2])$", description="The statement's month, 2026-11.")
    lines: list[StatementLineIn] = Field(min_length=1, max_length=200)


@router.post("/statements", response={201: StatementOut, **ERRORS}, tags=["deliveries"],
             summary="Enter a buyer's monthly statement; it is checked against the deliveries")
def create_statement(request, payload: StatementIn):
    from django.core.exceptions import ValidationError

    farm = farm_of(request, payload.farm_id)
    require(request, "finance.manage", farm)
    buyer = _buyer(request, payload.buyer_id)
    month = dt.date.fromisoformat(payload.month + "-01")
    days: dict[dt.date, int] = {}
    problems = [problem for number, line in enumerate(payload.lines, start=1) if (problem := services.statement_line_problem(
        number, line.kind, line.date, line.quantity, month=month, days=days))]
    lines = [line.model_dump() for line in payload.lines]
    if problems:
        raise ValidationError({"lines": problems})
    statement = services.statement_save(membership=request.membership, buyer=buyer, farm=farm, month=month, lines=lines)
    return Status(201, _statement_out(statement, request.membership.tenant.currency))


class RationLineOut(Schema):
    item_id: int
    per_head: Exact | None = Field(description="Per head per day, in the feed's unit.")
    per_day: Exact | None = Field(description="For the group per day, in the feed's unit.")


class RationOut(Schema):
    id: int
    farm_id: int
    group_id: int | None
    name: str
    standing: bool = Field(description="Fed every day by a morning job.")
    starts_on: dt.date
    ends_on: dt.date | None
    lines: list[RationLineOut]
    updated_at: dt.datetime

    @staticmethod
    def resolve_lines(ration) -> list:
        return list(ration.lines.all())


class RationPage(Page):
    items: list[RationOut]


@router.get("/rations", response={200: RationPage, **ERRORS}, summary="List rations", tags=["deliveries"])
def list_rations(request, filters: Query[Since]):
    require(request, "herd.view")
    return page_of(since(rations_for(request.membership), filters), filters.cursor, filters.limit)
