"""Writes for money: expenses and their approval, contacts, sales, invoices and payments."""

from .base import Duplicate, claim_submission
from .expenses import (
    approval_problem,
    categories_create_defaults,
    category_create,
    contact_save,
    expense_decide,
    expense_submit,
    expenses_approve_many,
)
from .invoices import (
    credit_note_create,
    invoice_email,
    invoice_from_sales,
    invoice_issue,
    invoice_save_draft,
    invoice_void,
    overdue_invoices_announce,
    payment_record,
    report_request,
    tenant_set_milk_price,
)
from .sales import sale_record, sale_void

__all__ = [
    "overdue_invoices_announce",
    "Duplicate",
    "approval_problem",
    "categories_create_defaults",
    "category_create",
    "claim_submission",
    "contact_save",
    "credit_note_create",
    "expense_decide",
    "expense_submit",
    "expenses_approve_many",
    "invoice_email",
    "invoice_from_sales",
    "invoice_issue",
    "invoice_save_draft",
    "invoice_void",
    "payment_record",
    "report_request",
    "sale_record",
    "sale_void",
    "tenant_set_milk_price",
]
