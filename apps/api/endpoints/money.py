"""Contacts, expenses, sales, invoices and payments."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from django.core.exceptions import ValidationError as ServiceError
from django.http import Http404
from django.urls import reverse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from apps.core.money import places
from apps.core.storage import file_response
from apps.finance import services as money
from apps.finance.selectors import (
    categories_of,
    contacts_of,
    expenses_for,
    get_expense_for,
    get_invoice_for,
    get_sale_for,
    invoices_for,
    sales_for,
)

from ..framework import Strict, page_of, require
from .common import ERRORS, Exact, Page, Paging, Since, amount, animal_of, farm_of, filtered, since

router = Router()


def in_currency(value: Decimal | None, currency: str) -> str | None:
    """An amount as its currency writes it: KES 1000 is "1000.00", UGX "1000", KWD "1000.000"."""
    return None if value is None else f"{value.quantize(Decimal(1).scaleb(-places(currency)), ROUND_HALF_UP):f}"


def _currency(context) -> str:
    return context["request"].membership.tenant.currency


MONEY = "Written in the currency's form (its minor unit's decimals)."


# Money -----------------------------------------------------------------------------------------------


class ContactOut(Schema):
    id: int
    kind: str
    name: str
    contact_person: str
    email: str
    phone: str
    address: str
    tax_number: str
    updated_at: dt.datetime


class ContactPage(Page):
    items: list[ContactOut]


@router.get("/contacts", response={200: ContactPage, **ERRORS}, summary="List customers and suppliers", tags=["money"])
def list_contacts(request, filters: Query[Since]):
    require(request, "finance.view")
    return page_of(since(contacts_of(request.membership), filters), filters.cursor, filters.limit)


class ContactIn(Strict):
    kind: Literal["customer", "supplier", "both"] = "customer"
    name: str = Field(min_length=1, max_length=120)
    contact_person: str = Field("", max_length=120)
    phone: str = Field("", max_length=32)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=250)
    tax_number: str = Field("", max_length=40)


class ContactPatch(Strict):
    kind: Literal["customer", "supplier", "both"] | None = None
    name: str | None = Field(None, min_length=1, max_length=120)
    contact_person: str | None = Field(None, max_length=120)
    phone: str | None = Field(None, max_length=32)
    email: str | None = Field(None, max_length=254)
    address: str | None = Field(None, max_length=250)
    tax_number: str | None = Field(None, max_length=40)


def _contact(request, contact_id: int):
    contact = contacts_of(request.membership).filter(pk=contact_id).first()
    if contact is None:
        raise Http404
    return contact


@router.get("/contacts/{contact_id}", response={200: ContactOut, **ERRORS}, summary="Get a contact", tags=["money"])
def get_contact(request, contact_id: int):
    require(request, "finance.view")
    return _contact(request, contact_id)


@router.post("/contacts", response={201: ContactOut, **ERRORS}, summary="Add a customer or supplier", tags=["money"])
def create_contact(request, payload: ContactIn):
    require(request, "finance.manage")
    return Status(201, money.contact_save(membership=request.membership, **payload.model_dump()))


@router.patch("/contacts/{contact_id}", response={200: ContactOut, **ERRORS}, summary="Change a contact", tags=["money"])
def update_contact(request, contact_id: int, payload: ContactPatch):
    contact = _contact(request, contact_id)
    require(request, "finance.manage")
    return money.contact_save(membership=request.membership, contact=contact, **payload.model_dump(exclude_none=True))


class CategoryOut(Schema):
    id: int
    key: str
    name: str
    is_builtin: bool


class CategoryPage(Page):
    items: list[CategoryOut]


@router.get("/expense-categories", response={200: CategoryPage, **ERRORS}, summary="List expense categories", tags=["money"])
def list_expense_categories(request, paging: Query[Paging]):
    require(request, "finance.view")
    return page_of(categories_of(request.membership), paging.cursor, paging.limit)


class ExpenseOut(Schema):
    id: int
    farm_id: int
    date: dt.date
    category_id: int
    amount: Exact = Field(description=MONEY)
    description: str
    status: str
    updated_at: dt.datetime

    @staticmethod
    def resolve_amount(expense, context) -> str:
        return in_currency(expense.amount, _currency(context))


class ExpensePage(Page):
    items: list[ExpenseOut]


class ExpenseFilters(Since):
    farm: int | None = None
    status: Literal["pending", "approved", "rejected"] | None = None


@router.get("/expenses", response={200: ExpensePage, **ERRORS}, summary="List expenses", tags=["money"])
def list_expenses(request, filters: Query[ExpenseFilters]):
    require(request, "finance.view")
    expenses = filtered(since(expenses_for(request.membership), filters), filters, farm="farm_id", status="status")
    return page_of(expenses, filters.cursor, filters.limit)


@router.get("/expenses/{expense_id}", response={200: ExpenseOut, **ERRORS}, summary="Get an expense", tags=["money"])
def get_expense(request, expense_id: int):
    require(request, "finance.view")
    return get_expense_for(request.membership, expense_id)


ExpenseAmount = amount(12, 2, "In the organisation's currency.", gt=0)
PaymentAmount = amount(14, 2, "In the invoice's currency.", gt=0)


class ExpenseIn(Strict):
    farm_id: int
    date: dt.date
    category_id: int
    amount: ExpenseAmount
    description: str = Field(min_length=1, max_length=250)
    supplier_name: str = Field("", max_length=120)


def submission_key(request) -> str:
    """The one-time key the money services keep (unique in the organisation): the caller's Idempotency-Key,
    scoped to the key's membership and hashed to a fixed length, so two programs of one organisation that
    happen to pick the same key never meet (the API guard replays repeats of one program before this)."""
    given = request.headers.get("Idempotency-Key", "").strip() or uuid.uuid4().hex
    return f"api:{request.membership.pk}:" + hashlib.sha256(given.encode()).hexdigest()[:40]


@router.post("/expenses", response={201: ExpenseOut, **ERRORS}, tags=["money"],
             summary="Submit an expense, with its receipt (multipart: the fields, and a receipt file)")
def create_expense(request, payload: Form[ExpenseIn], receipt: File[UploadedFile] = None):
    farm = farm_of(request, payload.farm_id)
    require(request, "finance.submit_expense", farm)
    category = categories_of(request.membership).filter(pk=payload.category_id).first()
    if category is None:
        raise ServiceError({"category_id": "Pick a category of this organisation."})
    values = payload.model_dump(exclude={"farm_id", "category_id"})
    return Status(201, money.expense_submit(membership=request.membership, key=submission_key(request), farm=farm, category=category,
                                            receipt=receipt, **values))


class SaleOut(Schema):
    id: int
    kind: str
    farm_id: int
    date: dt.date
    buyer_id: int
    animal_id: int | None
    product: str
    quantity: Exact
    unit: str
    unit_price: Exact
    total: Exact = Field(description=MONEY)
    invoice_id: int | None
    voided_at: dt.datetime | None
    updated_at: dt.datetime

    @staticmethod
    def resolve_total(sale, context) -> str:
        return in_currency(sale.total, _currency(context))


class SalePage(Page):
    items: list[SaleOut]


class SaleFilters(Since):
    farm: int | None = None


@router.get("/sales", response={200: SalePage, **ERRORS}, summary="List sales", tags=["money"])
def list_sales(request, filters: Query[SaleFilters]):
    require(request, "finance.view")
    return page_of(filtered(since(sales_for(request.membership), filters), filters, farm="farm_id"), filters.cursor, filters.limit)


@router.get("/sales/{sale_id}", response={200: SaleOut, **ERRORS}, summary="Get a sale", tags=["money"])
def get_sale(request, sale_id: int):
    require(request, "finance.view")
    return get_sale_for(request.membership, sale_id)


UnitPrice = amount(12, 2, "In the organisation's currency, with no more decimals than it has.", ge=0)
Measure = amount(12, 3, "", gt=0)
LiveWeight = amount(7, 1, "Kilograms.", gt=0)
TaxRate = amount(5, 2, "Percent.", ge=0, le=100)


class SaleIn(Strict):
    kind: Literal["animal", "milk", "other"]
    farm_id: int
    date: dt.date
    buyer_id: int
    unit_price: UnitPrice
    quantity: Measure | None = Field(None, description="Litres or kilograms of milk, or the unit's count; 1 head for an animal.")
    unit: str = Field("", max_length=20)
    animal_id: int | None = None
    live_weight: LiveWeight | None = None
    product: str = Field("", max_length=120)
    purpose: Literal["", "slaughter", "alive"] = ""
    withdrawal_acknowledged: bool = False


@router.post("/sales", response={201: SaleOut, **ERRORS}, summary="Record a sale (an animal sold leaves the herd)", tags=["money"])
def create_sale(request, payload: SaleIn):
    farm = farm_of(request, payload.farm_id)
    require(request, "finance.manage", farm)
    buyer = _contact(request, payload.buyer_id)
    animal = animal_of(request, payload.animal_id) if payload.animal_id is not None else None
    values = payload.model_dump(exclude={"farm_id", "buyer_id", "animal_id"}, exclude_none=True)
    return Status(201, money.sale_record(membership=request.membership, key=submission_key(request), farm=farm, buyer=buyer,
                                         animal=animal, **values))


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
    subtotal: Exact = Field(description=MONEY)
    tax_total: Exact = Field(description=MONEY)
    total: Exact = Field(description=MONEY)
    paid_total: Exact = Field(description=MONEY)
    credit_note_for_id: int | None = None
    updated_at: dt.datetime
    pdf_url: str | None = Field(None, description="GET it with the same key (application/pdf); null until the PDF is made.")

    @staticmethod
    def resolve_subtotal(invoice) -> str:
        return in_currency(invoice.subtotal, invoice.currency)

    @staticmethod
    def resolve_tax_total(invoice) -> str:
        return in_currency(invoice.tax_total, invoice.currency)

    @staticmethod
    def resolve_total(invoice) -> str:
        return in_currency(invoice.total, invoice.currency)

    @staticmethod
    def resolve_paid_total(invoice) -> str:
        return in_currency(invoice.paid_total, invoice.currency)

    @staticmethod
    def resolve_pdf_url(invoice) -> str | None:
        return reverse("api-v1:get_invoice_pdf", args=[invoice.pk]) if invoice.pdf_status == "ready" else None


class InvoicePage(Page):
    items: list[InvoiceOut]


class InvoiceFilters(Since):
    kind: Literal["sales", "purchase"] | None = None
    status: Literal["draft", "issued", "partly_paid", "paid", "void"] | None = None


@router.get("/invoices", response={200: InvoicePage, **ERRORS}, summary="List invoices", tags=["money"])
def list_invoices(request, filters: Query[InvoiceFilters]):
    require(request, "finance.view")
    invoices = filtered(since(invoices_for(request.membership), filters), filters, kind="kind", status="status")
    return page_of(invoices, filters.cursor, filters.limit)


@router.get("/invoices/{invoice_id}", response={200: InvoiceOut, **ERRORS}, summary="Get an invoice", tags=["money"])
def get_invoice(request, invoice_id: int):
    require(request, "finance.view")
    return get_invoice_for(request.membership, invoice_id)


PDF = {"responses": {"200": {"description": "The invoice as issued.", "content": {"application/pdf": {
    "schema": {"type": "string", "format": "binary"}}}}}}


@router.get("/invoices/{invoice_id}/pdf", response={200: None, **ERRORS}, summary="Download an issued invoice's PDF",
            tags=["money"], openapi_extra=PDF, url_name="get_invoice_pdf")
def get_invoice_pdf(request, invoice_id: int):
    require(request, "finance.view")
    invoice = get_invoice_for(request.membership, invoice_id)
    if invoice.pdf_status != "ready" or not invoice.pdf:
        raise Http404
    return file_response(invoice.pdf.name, storage=invoice.pdf.storage, filename=f"{invoice.number}.pdf", content_type="application/pdf")


class LineIn(Strict):
    description: str = Field(min_length=1, max_length=200)
    quantity: Measure
    unit: str = Field("", max_length=20)
    unit_price: UnitPrice
    tax_rate: TaxRate = Decimal("0")


class InvoiceIn(Strict):
    kind: Literal["sales", "purchase"] = "sales"
    contact_id: int
    farm_id: int
    due_date: dt.date | None = None
    notes: str = Field("", max_length=1000)
    lines: list[LineIn] = Field(min_length=1, max_length=200)


@router.post("/invoices", response={201: InvoiceOut, **ERRORS}, summary="Write a draft invoice (issue it to number and freeze it)",
             tags=["money"])
def create_invoice(request, payload: InvoiceIn):
    require(request, "finance.manage")
    farm = farm_of(request, payload.farm_id)
    contact = _contact(request, payload.contact_id)
    lines = [line.model_dump() for line in payload.lines]
    return Status(201, money.invoice_save_draft(membership=request.membership, kind=payload.kind, contact=contact, farm=farm,
                                                due_date=payload.due_date, notes=payload.notes, lines=lines))


@router.post("/invoices/{invoice_id}/issue", response={200: InvoiceOut, **ERRORS}, summary="Issue a draft: its number, frozen",
             tags=["money"])
def issue_invoice(request, invoice_id: int):
    invoice = get_invoice_for(request.membership, invoice_id)
    require(request, "finance.manage", invoice)
    return money.invoice_issue(membership=request.membership, invoice=invoice)


@router.post("/invoices/{invoice_id}/credit-note", response={201: InvoiceOut, **ERRORS}, tags=["money"],
             summary="Draft a credit note for an issued invoice (its lines; issue it to book it)")
def create_credit_note(request, invoice_id: int):
    invoice = get_invoice_for(request.membership, invoice_id)
    require(request, "finance.manage", invoice)
    return Status(201, money.credit_note_create(membership=request.membership, invoice=invoice))


class PaymentIn(Strict):
    date: dt.date
    amount: PaymentAmount
    method: Literal["cash", "bank", "mobile", "card", "cheque"]
    reference: str = Field("", max_length=80)


class PaymentOut(Schema):
    id: int
    invoice_id: int
    date: dt.date
    amount: Exact = Field(description=MONEY)
    method: str
    reference: str

    @staticmethod
    def resolve_amount(payment, context) -> str:
        return in_currency(payment.amount, _currency(context))


@router.post("/invoices/{invoice_id}/payments", response={201: PaymentOut, **ERRORS}, summary="Record a payment of an invoice",
             tags=["money"])
def create_payment(request, invoice_id: int, payload: PaymentIn):
    invoice = get_invoice_for(request.membership, invoice_id)
    require(request, "finance.manage", invoice)
    return Status(201, money.payment_record(membership=request.membership, key=submission_key(request), invoice=invoice,
                                            **payload.model_dump()))
