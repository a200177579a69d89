"""Contacts, expenses, sales, invoices and payments."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Literal

from django.core.exceptions import ValidationError as ServiceError
from django.urls import reverse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

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
from .common import ERRORS, Exact, Page, Paging, amount, farm_of, filtered

router = Router()


# Money -----------------------------------------------------------------------------------------------


class ContactOut(Schema):
    id: int
    kind: str
    name: str
    email: str
    phone: str


class ContactPage(Page):
    items: list[ContactOut]


@router.get("/contacts", response={200: ContactPage, **ERRORS}, summary="List customers and suppliers", tags=["money"])
def list_contacts(request, paging: Query[Paging]):
    require(request, "finance.view")
    return page_of(contacts_of(request.membership), paging.cursor, paging.limit)


class ExpenseOut(Schema):
    id: int
    farm_id: int
    date: dt.date
    category_id: int
    amount: Exact
    description: str
    status: str


class ExpensePage(Page):
    items: list[ExpenseOut]


class ExpenseFilters(Paging):
    farm: int | None = None
    status: Literal["pending", "approved", "rejected"] | None = None


@router.get("/expenses", response={200: ExpensePage, **ERRORS}, summary="List expenses", tags=["money"])
def list_expenses(request, filters: Query[ExpenseFilters]):
    require(request, "finance.view")
    return page_of(filtered(expenses_for(request.membership), filters, farm="farm_id", status="status"), filters.cursor, filters.limit)


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
    total: Exact
    invoice_id: int | None
    voided_at: dt.datetime | None


class SalePage(Page):
    items: list[SaleOut]


class SaleFilters(Paging):
    farm: int | None = None


@router.get("/sales", response={200: SalePage, **ERRORS}, summary="List sales", tags=["money"])
def list_sales(request, filters: Query[SaleFilters]):
    require(request, "finance.view")
    return page_of(filtered(sales_for(request.membership), filters, farm="farm_id"), filters.cursor, filters.limit)


@router.get("/sales/{sale_id}", response={200: SaleOut, **ERRORS}, summary="Get a sale", tags=["money"])
def get_sale(request, sale_id: int):
    require(request, "finance.view")
    return get_sale_for(request.membership, sale_id)


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
    subtotal: Exact
    tax_total: Exact
    total: Exact
    paid_total: Exact
    pdf_url: str | None = None

    @staticmethod
    def resolve_pdf_url(invoice) -> str | None:
        return reverse("money:invoice_pdf", args=[invoice.pk]) if invoice.pdf_status == "ready" else None


class InvoicePage(Page):
    items: list[InvoiceOut]


class InvoiceFilters(Paging):
    kind: Literal["sales", "purchase"] | None = None
    status: Literal["draft", "issued", "partly_paid", "paid", "void"] | None = None


@router.get("/invoices", response={200: InvoicePage, **ERRORS}, summary="List invoices", tags=["money"])
def list_invoices(request, filters: Query[InvoiceFilters]):
    require(request, "finance.view")
    return page_of(filtered(invoices_for(request.membership), filters, kind="kind", status="status"), filters.cursor, filters.limit)


@router.get("/invoices/{invoice_id}", response={200: InvoiceOut, **ERRORS}, summary="Get an invoice", tags=["money"])
def get_invoice(request, invoice_id: int):
    require(request, "finance.view")
    return get_invoice_for(request.membership, invoice_id)


class PaymentIn(Strict):
    date: dt.date
    amount: PaymentAmount
    method: Literal["cash", "bank", "mobile", "card", "cheque"]
    reference: str = Field("", max_length=80)


class PaymentOut(Schema):
    id: int
    invoice_id: int
    date: dt.date
    amount: Exact
    method: str
    reference: str


@router.post("/invoices/{invoice_id}/payments", response={201: PaymentOut, **ERRORS}, summary="Record a payment of an invoice",
             tags=["money"])
def create_payment(request, invoice_id: int, payload: PaymentIn):
    invoice = get_invoice_for(request.membership, invoice_id)
    require(request, "finance.manage", invoice)
    return Status(201, money.payment_record(membership=request.membership, key=submission_key(request), invoice=invoice,
                                            **payload.model_dump()))
