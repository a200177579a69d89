"""The operations of API v1. Each reads through the same selectors and writes through the same
services as the pages, with the caller's membership (a key's own, or the signed-in member's)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError as ServiceError
from django.http import Http404
from django.urls import reverse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from apps.breeding import services as breeding
from apps.breeding.selectors import services_for
from apps.farms.selectors import farms_visible_to
from apps.finance import services as money
from apps.finance.selectors import categories_of, contacts_of, expenses_for, get_invoice_for, invoices_for, sales_for
from apps.health.selectors import treatments_for, under_withdrawal
from apps.herd import services as herd
from apps.herd.selectors import animals_visible_to
from apps.milk import services as milk
from apps.milk.models import BulkTankReading, FarmDaySummary, Lactation, MilkRecord
from apps.milk.selectors import records_for

from . import ingest
from .framework import Problem, Strict, page_of, require

ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem, 429: Problem}
ERRORS_READ = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem, 429: Problem}
router = Router()
Species = Literal["cattle", "goat", "sheep", "pig", "camel", "other"]
SessionName = Literal["morning", "midday", "evening"]


def _farm(request, farm_id: int):
    farm = farms_visible_to(request.membership, include_archived=True).filter(pk=farm_id).first()
    if farm is None:
        raise Http404
    return farm


# Farms -----------------------------------------------------------------------------------------------


class FarmOut(Schema):
    id: int
    name: str
    farm_type: str
    time_zone: str
    milking_sessions_per_day: int
    archived: bool = Field(alias="is_archived")


class Page(Schema):
    next_cursor: str | None = None


class FarmPage(Page):
    items: list[FarmOut]


class Paging(Schema):
    cursor: str | None = Field(None, description="The next_cursor of the previous page.")
    limit: int = Field(50, ge=1, le=500)


@router.get("/farms", response={200: FarmPage, **ERRORS_READ}, summary="List the farms within reach", tags=["farms"])
def list_farms(request, paging: Query[Paging]):
    require(request, "farms.view")
    return page_of(farms_visible_to(request.membership), paging.cursor, paging.limit)


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


class AnimalFilters(Paging):
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


def _animal(request, animal_id: int):
    animal = animals_visible_to(request.membership).select_related("farm").filter(pk=animal_id).first()
    if animal is None:
        raise Http404
    return animal


def _parents(request, values: dict) -> dict:
    for field in ("dam_id", "sire_id"):
        if values.get(field) is not None:
            values[field.removesuffix("_id")] = _animal(request, values.pop(field))
        else:
            values.pop(field, None)
    return values


@router.get("/animals", response={200: AnimalPage, **ERRORS_READ}, summary="List animals", tags=["animals"])
def list_animals(request, filters: Query[AnimalFilters]):
    require(request, "herd.view")
    animals = animals_visible_to(request.membership)
    for field in ("farm", "status", "species", "sex"):
        if (value := getattr(filters, field)) is not None:
            animals = animals.filter(**{f"{field}_id" if field == "farm" else field: value})
    if filters.tag:
        animals = animals.filter(tag__iexact=filters.tag)
    if filters.eid:
        animals = animals.filter(eid=filters.eid)
    return page_of(animals, filters.cursor, filters.limit)


@router.get("/animals/{animal_id}", response={200: AnimalOut, **ERRORS_READ}, summary="Get an animal", tags=["animals"])
def get_animal(request, animal_id: int):
    require(request, "herd.view")
    return _animal(request, animal_id)


@router.get("/animals/by-tag/{tag}", response={200: AnimalOut, **ERRORS_READ}, summary="Get the live animal wearing a tag",
            tags=["animals"])
def animal_by_tag(request, tag: str):
    require(request, "herd.view")
    animal = animals_visible_to(request.membership).filter(tag__iexact=tag, status="active").first()
    if animal is None:
        raise Http404
    return animal


@router.get("/animals/by-eid/{eid}", response={200: AnimalOut, **ERRORS_READ}, summary="Get the live animal with an EID",
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
    values["farm"] = _farm(request, values.pop("farm_id"))
    return Status(201, herd.animal_create(membership=request.membership, **values))


@router.patch("/animals/{animal_id}", response={200: AnimalOut, **ERRORS}, summary="Change an animal", tags=["animals"])
def update_animal(request, animal_id: int, payload: AnimalPatch):
    animal = _animal(request, animal_id)
    require(request, "herd.manage", animal)
    values = payload.model_dump(exclude_unset=True)
    if "farm_id" in values:
        if values["farm_id"] is None:
            values.pop("farm_id")
        else:
            values["farm"] = _farm(request, values.pop("farm_id"))
    for field in ("tag", "name", "eid"):
        if field in values and values[field] is None:
            values.pop(field)
    return herd.animal_update(membership=request.membership, animal=animal, **values)


# Lactations ------------------------------------------------------------------------------------------


class LactationOut(Schema):
    id: int
    animal_id: int
    number: int
    calving_date: dt.date
    dried_off_on: dt.date | None


class LactationPage(Page):
    items: list[LactationOut]


class LactationFilters(Paging):
    animal: int | None = None
    open: bool | None = None


@router.get("/lactations", response={200: LactationPage, **ERRORS_READ}, summary="List lactations", tags=["milk"])
def list_lactations(request, filters: Query[LactationFilters]):
    require(request, "milk.view")
    lactations = Lactation.objects.filter(tenant_id=request.membership.tenant_id,
                                          animal__in=animals_visible_to(request.membership).values("pk"))
    if filters.animal is not None:
        lactations = lactations.filter(animal_id=filters.animal)
    if filters.open is not None:
        lactations = lactations.filter(dried_off_on__isnull=filters.open)
    return page_of(lactations, filters.cursor, filters.limit)


# Milk records ----------------------------------------------------------------------------------------


class MilkOut(Schema):
    id: int
    farm_id: int
    animal_id: int
    date: dt.date
    session: str
    quantity: Decimal
    fat: Decimal | None
    protein: Decimal | None
    scc: int | None
    discarded: bool
    discard_reason: str
    notes: str


class MilkPage(Page):
    items: list[MilkOut]


class MilkFilters(Paging):
    farm: int | None = None
    animal: int | None = None
    session: SessionName | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


class MilkIn(Strict):
    animal_id: int
    date: dt.date
    session: SessionName
    quantity: Decimal = Field(ge=0, le=80, max_digits=5, decimal_places=2)
    fat: Decimal | None = Field(None, ge=0, le=15, max_digits=4, decimal_places=2)
    protein: Decimal | None = Field(None, ge=0, le=10, max_digits=4, decimal_places=2)
    scc: int | None = Field(None, ge=0, le=10_000_000)
    notes: str = Field("", max_length=300)


class MilkPatch(Strict):
    quantity: Decimal | None = Field(None, ge=0, le=80, max_digits=5, decimal_places=2)
    fat: Decimal | None = Field(None, ge=0, le=15, max_digits=4, decimal_places=2)
    protein: Decimal | None = Field(None, ge=0, le=10, max_digits=4, decimal_places=2)
    scc: int | None = Field(None, ge=0, le=10_000_000)
    notes: str | None = Field(None, max_length=300)


def _record(request, record_id: int) -> MilkRecord:
    record = records_for(request.membership).select_related("farm", "animal").filter(pk=record_id).first()
    if record is None:
        raise Http404
    return record


@router.get("/milk/records", response={200: MilkPage, **ERRORS_READ}, summary="List milk records", tags=["milk"])
def list_milk(request, filters: Query[MilkFilters]):
    require(request, "milk.view")
    records = records_for(request.membership)
    if filters.farm is not None:
        records = records.filter(farm_id=filters.farm)
    if filters.animal is not None:
        records = records.filter(animal_id=filters.animal)
    if filters.session is not None:
        records = records.filter(session=filters.session)
    if filters.date_from is not None:
        records = records.filter(date__gte=filters.date_from)
    if filters.date_to is not None:
        records = records.filter(date__lte=filters.date_to)
    return page_of(records, filters.cursor, filters.limit)


@router.post("/milk/records", response={201: MilkOut, **ERRORS}, summary="Record one milking (or replace that session's record)",
             tags=["milk"])
def create_milk(request, payload: MilkIn):
    animal = _animal(request, payload.animal_id)
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
    format: Literal["ifarm", "icar"] = Field("ifarm", description="ifarm: iFarm's own items; icar: ICAR ADE milking visit events.")
    farm_id: int | None = Field(None, description="The farm the milkings belong to (needed for the icar format).")
    items: list[Any] = Field(max_length=ingest.MAX_ITEMS, description="Milkings in the chosen format; each is checked on its own.")


class IngestResult(Schema):
    index: int
    result: Literal["created", "updated", "refused"]
    id: int | None = None
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
    farm = _farm(request, payload.farm_id) if payload.farm_id is not None else None
    return ingest.ingest(membership=request.membership, items=payload.items, shape=payload.format, farm=farm)


class SummaryOut(Schema):
    farm_id: int
    date: dt.date
    morning: Decimal
    midday: Decimal
    evening: Decimal
    total: Decimal
    discarded: Decimal
    records: int
    cows_milked: int


class SummaryPage(Page):
    items: list[SummaryOut]


class SummaryFilters(Paging):
    farm: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@router.get("/milk/summaries", response={200: SummaryPage, **ERRORS_READ}, summary="Daily milk totals per farm", tags=["milk"])
def list_summaries(request, filters: Query[SummaryFilters]):
    require(request, "milk.view")
    summaries = FarmDaySummary.objects.filter(tenant_id=request.membership.tenant_id,
                                              farm__in=farms_visible_to(request.membership, include_archived=True).values("pk"))
    if filters.farm is not None:
        summaries = summaries.filter(farm_id=filters.farm)
    if filters.date_from is not None:
        summaries = summaries.filter(date__gte=filters.date_from)
    if filters.date_to is not None:
        summaries = summaries.filter(date__lte=filters.date_to)
    return page_of(summaries, filters.cursor, filters.limit)


class TankOut(Schema):
    id: int
    farm_id: int
    date: dt.date
    session: str
    quantity: Decimal
    scc: int | None


class TankPage(Page):
    items: list[TankOut]


class TankIn(Strict):
    farm_id: int
    date: dt.date
    session: SessionName
    quantity: Decimal = Field(ge=0, le=100_000, max_digits=8, decimal_places=2)
    scc: int | None = Field(None, ge=0, le=10_000_000)


@router.get("/milk/tank", response={200: TankPage, **ERRORS_READ}, summary="List bulk tank readings", tags=["milk"])
def list_tank(request, filters: Query[SummaryFilters]):
    require(request, "milk.view")
    readings = BulkTankReading.objects.filter(tenant_id=request.membership.tenant_id,
                                              farm__in=farms_visible_to(request.membership, include_archived=True).values("pk"))
    if filters.farm is not None:
        readings = readings.filter(farm_id=filters.farm)
    if filters.date_from is not None:
        readings = readings.filter(date__gte=filters.date_from)
    if filters.date_to is not None:
        readings = readings.filter(date__lte=filters.date_to)
    return page_of(readings, filters.cursor, filters.limit)


@router.post("/milk/tank", response={201: TankOut, **ERRORS}, summary="Record a bulk tank reading (or replace that session's)",
             tags=["milk"])
def create_tank(request, payload: TankIn):
    farm = _farm(request, payload.farm_id)
    require(request, "milk.record", farm)
    values = payload.model_dump(exclude={"farm_id"})
    return Status(201, milk.bulk_tank_save(membership=request.membership, farm=farm, **values))


# Money -----------------------------------------------------------------------------------------------


class ContactOut(Schema):
    id: int
    kind: str
    name: str
    email: str
    phone: str


class ContactPage(Page):
    items: list[ContactOut]


@router.get("/contacts", response={200: ContactPage, **ERRORS_READ}, summary="List customers and suppliers", tags=["money"])
def list_contacts(request, paging: Query[Paging]):
    require(request, "finance.view")
    return page_of(contacts_of(request.membership), paging.cursor, paging.limit)


class ExpenseOut(Schema):
    id: int
    farm_id: int
    date: dt.date
    category_id: int
    amount: Decimal
    description: str
    status: str


class ExpensePage(Page):
    items: list[ExpenseOut]


class ExpenseFilters(Paging):
    farm: int | None = None
    status: Literal["pending", "approved", "rejected"] | None = None


@router.get("/expenses", response={200: ExpensePage, **ERRORS_READ}, summary="List expenses", tags=["money"])
def list_expenses(request, filters: Query[ExpenseFilters]):
    require(request, "finance.view")
    expenses = expenses_for(request.membership)
    if filters.farm is not None:
        expenses = expenses.filter(farm_id=filters.farm)
    if filters.status is not None:
        expenses = expenses.filter(status=filters.status)
    return page_of(expenses, filters.cursor, filters.limit)


class ExpenseIn(Strict):
    farm_id: int
    date: dt.date
    category_id: int
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    description: str = Field(min_length=1, max_length=250)
    supplier_name: str = Field("", max_length=120)


@router.post("/expenses", response={201: ExpenseOut, **ERRORS}, tags=["money"],
             summary="Submit an expense, with its receipt (multipart: the fields, and a receipt file)")
def create_expense(request, payload: Form[ExpenseIn], receipt: File[UploadedFile] = None):
    farm = _farm(request, payload.farm_id)
    require(request, "finance.submit_expense", farm)
    category = categories_of(request.membership).filter(pk=payload.category_id).first()
    if category is None:
        raise ServiceError({"category_id": "Pick a category of this organisation."})
    key = request.headers.get("Idempotency-Key") or uuid.uuid4().hex
    values = payload.model_dump(exclude={"farm_id", "category_id"})
    return Status(201, money.expense_submit(membership=request.membership, key=f"api:{key}"[:100], farm=farm, category=category,
                                            receipt=receipt, **values))


class SaleOut(Schema):
    id: int
    kind: str
    farm_id: int
    date: dt.date
    buyer_id: int
    animal_id: int | None
    product: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    total: Decimal
    invoice_id: int | None
    voided_at: dt.datetime | None


class SalePage(Page):
    items: list[SaleOut]


class SaleFilters(Paging):
    farm: int | None = None


@router.get("/sales", response={200: SalePage, **ERRORS_READ}, summary="List sales", tags=["money"])
def list_sales(request, filters: Query[SaleFilters]):
    require(request, "finance.view")
    sales = sales_for(request.membership)
    if filters.farm is not None:
        sales = sales.filter(farm_id=filters.farm)
    return page_of(sales, filters.cursor, filters.limit)


class InvoiceOut(Schema):
    id: int
    kind: str
    number: str
    contact_id: int
    farm_id: int | None
    issue_date: dt.date | None
    due_date: dt.date | None
    status: str
    currency: str
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal
    paid_total: Decimal
    pdf_url: str | None = None

    @staticmethod
    def resolve_pdf_url(invoice) -> str | None:
        return reverse("money:invoice_pdf", args=[invoice.pk]) if invoice.pdf_status == "ready" else None


class InvoicePage(Page):
    items: list[InvoiceOut]


class InvoiceFilters(Paging):
    kind: Literal["sales", "purchase"] | None = None
    status: Literal["draft", "issued", "partly_paid", "paid", "void"] | None = None


@router.get("/invoices", response={200: InvoicePage, **ERRORS_READ}, summary="List invoices", tags=["money"])
def list_invoices(request, filters: Query[InvoiceFilters]):
    require(request, "finance.view")
    invoices = invoices_for(request.membership)
    if filters.kind is not None:
        invoices = invoices.filter(kind=filters.kind)
    if filters.status is not None:
        invoices = invoices.filter(status=filters.status)
    return page_of(invoices, filters.cursor, filters.limit)


@router.get("/invoices/{invoice_id}", response={200: InvoiceOut, **ERRORS_READ}, summary="Get an invoice", tags=["money"])
def get_invoice(request, invoice_id: int):
    require(request, "finance.view")
    return get_invoice_for(request.membership, invoice_id)


class PaymentIn(Strict):
    date: dt.date
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    method: Literal["cash", "bank", "mobile", "card", "cheque"]
    reference: str = Field("", max_length=80)


class PaymentOut(Schema):
    id: int
    invoice_id: int
    date: dt.date
    amount: Decimal
    method: str
    reference: str


@router.post("/invoices/{invoice_id}/payments", response={201: PaymentOut, **ERRORS}, summary="Record a payment of an invoice",
             tags=["money"])
def create_payment(request, invoice_id: int, payload: PaymentIn):
    invoice = get_invoice_for(request.membership, invoice_id)
    require(request, "finance.manage", invoice)
    key = request.headers.get("Idempotency-Key") or uuid.uuid4().hex
    return Status(201, money.payment_record(membership=request.membership, key=f"api:{key}"[:100], invoice=invoice, **payload.model_dump()))


# Health and breeding -----------------------------------------------------------------------------------


class TreatmentOut(Schema):
    id: int
    kind: str
    animal_id: int
    farm_id: int
    diagnosis: str
    product_name: str
    first_given_at: dt.datetime | None
    milk_withdrawal_ends_at: dt.datetime | None
    meat_withdrawal_ends_on: dt.date | None
    voided_at: dt.datetime | None


class TreatmentPage(Page):
    items: list[TreatmentOut]


class TreatmentFilters(Paging):
    animal: int | None = None
    under_withdrawal: bool = False


@router.get("/treatments", response={200: TreatmentPage, **ERRORS_READ}, summary="List treatments and vaccinations",
            tags=["health"])
def list_treatments(request, filters: Query[TreatmentFilters]):
    require(request, "health.view")
    treatments = under_withdrawal(request.membership) if filters.under_withdrawal else treatments_for(request.membership)
    if filters.animal is not None:
        treatments = treatments.filter(animal_id=filters.animal)
    return page_of(treatments, filters.cursor, filters.limit)


class ServiceIn(Strict):
    animal_id: int
    served_on: dt.date
    method: Literal["ai", "natural", "embryo"]
    sire_id: int | None = None
    outside_sire: str = Field("", max_length=120)
    straw: str = Field("", max_length=60)
    technician: str = Field("", max_length=120)


class ServiceOut(Schema):
    id: int
    animal_id: int
    served_on: dt.date
    method: str
    sire_id: int | None
    outside_sire: str
    inbreeding: Decimal | None


@router.post("/breeding/services", response={201: ServiceOut, **ERRORS}, summary="Record a service (AI or natural)",
             tags=["breeding"])
def create_service(request, payload: ServiceIn):
    animal = _animal(request, payload.animal_id)
    require(request, "herd.manage", animal)
    values = payload.model_dump(exclude={"animal_id", "sire_id"})
    sire = _animal(request, payload.sire_id) if payload.sire_id is not None else None
    return Status(201, breeding.service_record(membership=request.membership, animal=animal, sire=sire, **values))


class OffspringIn(Strict):
    sex: Literal["female", "male"]
    outcome: Literal["alive", "stillborn", "died"] = "alive"
    tag: str = Field("", max_length=40)
    weight: Decimal | None = Field(None, gt=0, le=200, max_digits=5, decimal_places=1)


class BirthIn(Strict):
    dam_id: int
    born_on: dt.date
    ease: int = Field(ge=1, le=5)
    premature: bool = False
    aborted: bool = False
    offspring: list[OffspringIn] = Field(default_factory=list, max_length=20)


class BirthOut(Schema):
    id: int
    animal_id: int
    born_on: dt.date
    ease: int
    aborted: bool
    offspring: list[dict]


@router.post("/breeding/births", response={201: BirthOut, **ERRORS}, tags=["breeding"],
             summary="Record a birth: live offspring join the herd, a dairy dam starts her lactation")
def create_birth(request, payload: BirthIn):
    dam = _animal(request, payload.dam_id)
    require(request, "herd.manage", dam)
    values = payload.model_dump(exclude={"dam_id"})
    return Status(201, breeding.birth_record(membership=request.membership, animal=dam, **values))


class CheckIn(Strict):
    checked_on: dt.date
    method: Literal["palpation", "ultrasound", "blood", "milk"]
    result: Literal["pregnant", "open", "recheck"]
    foetal_age_days: int | None = Field(None, ge=1, le=400)


class CheckOut(Schema):
    id: int
    service_id: int
    checked_on: dt.date
    result: str
    expected_birth_on: dt.date | None


@router.post("/breeding/services/{service_id}/checks", response={201: CheckOut, **ERRORS}, summary="Record a pregnancy check",
             tags=["breeding"])
def create_check(request, service_id: int, payload: CheckIn):
    service = services_for(request.membership).select_related("animal__farm").filter(pk=service_id).first()
    if service is None:
        raise Http404
    require(request, "herd.manage", service)
    return Status(201, breeding.pregnancy_check_record(membership=request.membership, service=service, **payload.model_dump()))
