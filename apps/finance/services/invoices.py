"""Invoices, credit notes, payments, emailing, settings and background reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from apps.accounts.models import Tenant
from apps.accounts.people import tenant_people_changed
from apps.accounts.permissions import can
from apps.audit.services import Actor, audit_append
from apps.core.dates import date_problem
from apps.core.events import event_emit
from apps.core.money import amount_problem
from apps.core.outbox import outbox_enqueue
from apps.core.words import amount, day

from ..models import (
    Contact,
    Invoice,
    InvoiceLine,
    InvoiceSequence,
    Payment,
    ReportJob,
    Sale,
)
from .base import claim_submission, currency_of, today_for

# Invoices -----------------------------------------------------------------------------------------


def _validate_lines(lines: list[dict], currency: str) -> dict:
    errors = {}
    if not lines:
        errors["lines"] = _("Add at least one line.")
    for n, line in enumerate(lines, start=1):
        if not (line.get("description") or "").strip():
            errors[f"line {n}"] = _("Describe the line.")
        elif line.get("quantity") is None or line["quantity"] <= 0:
            errors[f"line {n}"] = _("The quantity must be above zero.")
        elif (problem := amount_problem(line.get("unit_price"), currency, allow_zero=True)) is not None:
            errors[f"line {n}"] = _("Unit price: %(problem)s") % {"problem": problem}
        elif not (Decimal("0") <= (line.get("tax_rate") or Decimal("0")) <= Decimal("100")):
            errors[f"line {n}"] = _("The tax rate is between 0 and 100 %.")
    return errors


def _set_lines(invoice: Invoice, lines: list[dict]) -> None:
    invoice.lines.all().delete()
    objects = [
        InvoiceLine(
            tenant_id=invoice.tenant_id,
            invoice=invoice,
            position=n,
            description=line["description"].strip(),
            quantity=line["quantity"],
            unit=(line.get("unit") or "").strip(),
            unit_price=line["unit_price"],
            tax_rate=line.get("tax_rate") or Decimal("0"),
        )
        for n, line in enumerate(lines)
    ]
    InvoiceLine.objects.bulk_create(objects)
    invoice.subtotal = sum((line.net for line in objects), Decimal("0"))
    invoice.tax_total = sum((line.tax for line in objects), Decimal("0"))
    invoice.total = invoice.subtotal + invoice.tax_total


@transaction.atomic
def invoice_save_draft(
    *,
    membership,
    invoice: Invoice | None = None,
    kind: str,
    contact: Contact,
    due_date: dt.date | None,
    notes: str,
    lines: list[dict],
    farm=None,
    credit_for: Invoice | None = None,
) -> Invoice:
    if not can(membership, "finance.manage"):
        raise PermissionDenied
    if invoice is not None:
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk, tenant_id=membership.tenant_id)
        if not invoice.is_editable:
            raise ValidationError(_("An issued invoice cannot be changed; void it or issue a credit note."))
    errors = _validate_lines(lines, currency_of(membership))
    if contact.tenant_id != membership.tenant_id:
        errors["contact"] = _("Pick a contact of this organisation.")
    # An invoice belongs to a farm, so a member limited to some farms sees only theirs. Invoices
    # written before that rule have none; they stay tenant-wide (seen by members of all farms), and
    # so does a credit note for one of them.
    if farm is None:
        if not (credit_for is not None and credit_for.farm_id is None):
            errors["farm"] = _("Pick the farm this invoice belongs to.")
    elif farm.tenant_id != membership.tenant_id or not can(membership, "finance.manage", farm):
        errors["farm"] = _("Pick a farm of this organisation that you have access to.")
    if errors:
        raise ValidationError(errors)
    invoice = invoice or Invoice(
        tenant_id=membership.tenant_id, kind=kind, currency=currency_of(membership), created_by=membership
    )
    invoice.contact, invoice.due_date, invoice.notes, invoice.farm = contact, due_date, notes.strip(), farm
    invoice.save()
    _set_lines(invoice, lines)
    invoice.save(update_fields=["subtotal", "tax_total", "total", "updated_at"])
    audit_append(
        actor=Actor.of(membership),
        action="invoice.save_draft",
        obj=invoice,
        after={"total": invoice.total, "lines": len(lines)},
    )
    return invoice


@transaction.atomic
def invoice_from_sales(*, membership, sales: list[Sale], due_date: dt.date | None = None) -> Invoice:
    buyers = {sale.buyer_id for sale in sales}
    if len(buyers) != 1:
        raise ValidationError(_("Invoice the sales of one buyer at a time."))
    if len({sale.farm_id for sale in sales}) != 1:
        raise ValidationError(_("Invoice the sales of one farm at a time."))
    if any(sale.invoice_id or sale.voided_at or sale.tenant_id != membership.tenant_id for sale in sales):
        raise ValidationError(_("Some of these sales are invoiced or voided already."))
    # A line is written once, in the words of the organisation whose invoice it is (its PDF is in that language too).
    with translation.override(membership.tenant.language or None):
        lines = [
            {"description": _sale_line(sale), "quantity": sale.quantity, "unit": sale.unit, "unit_price": sale.unit_price}
            for sale in sales
        ]
    invoice = invoice_save_draft(
        membership=membership,
        kind=Invoice.Kind.SALES,
        contact=sales[0].buyer,
        due_date=due_date,
        notes="",
        lines=lines,
        farm=sales[0].farm,
    )
    Sale.objects.filter(pk__in=[s.pk for s in sales]).update(invoice=invoice)
    return invoice


def _sale_line(sale: Sale) -> str:
    if sale.kind == Sale.Kind.ANIMAL:
        what = f"{sale.animal.get_species_display()} {sale.animal.tag}"
        if sale.live_weight:
            what += ", " + _("%(weight)s kg live") % {"weight": amount(sale.live_weight)}
        return f"{what}, {day(sale.date)}"
    return f"{sale.product or sale.get_kind_display()}, {day(sale.date)}"


def _next_number(tenant_id: int, kind: str, year: int) -> str:
    """The next number of the tenant's sequence: the row lock makes concurrent issues take turns."""
    InvoiceSequence.objects.bulk_create(
        [InvoiceSequence(tenant_id=tenant_id, kind=kind, year=year)], ignore_conflicts=True
    )
    sequence = InvoiceSequence.objects.select_for_update().get(tenant_id=tenant_id, kind=kind, year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    prefix = {"sales": "INV", "purchase": "BILL", "credit": "CN"}[kind]
    return f"{prefix}-{year}-{sequence.last_number:04d}"


@transaction.atomic
def invoice_issue(*, membership, invoice: Invoice) -> Invoice:
    """Give the draft its number, freeze it, and have its PDF made in the background."""
    if not can(membership, "finance.manage"):
        raise PermissionDenied
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk, tenant_id=membership.tenant_id)
    if invoice.status != Invoice.Status.DRAFT:
        raise ValidationError(_("Invoice %(number)s is already issued.") % {"number": invoice.number})
    if not invoice.lines.exists():
        raise ValidationError(_("Add at least one line before issuing."))
    today = today_for(invoice.farm)
    sequence_kind = "credit" if invoice.credit_note_for_id else invoice.kind
    invoice.number = _next_number(invoice.tenant_id, sequence_kind, today.year)
    invoice.issue_date = today
    invoice.due_date = invoice.due_date or today + dt.timedelta(days=30)
    invoice.status = Invoice.Status.ISSUED
    invoice.pdf_status = Invoice.Pdf.PREPARING
    invoice.save(update_fields=["number", "issue_date", "due_date", "status", "pdf_status", "updated_at"])
    outbox_enqueue(tenant_id=invoice.tenant_id, kind="invoice.pdf", payload={"invoice_id": invoice.pk})
    audit_append(
        actor=Actor.of(membership),
        action="invoice.issue",
        obj=invoice,
        after={"number": invoice.number, "total": invoice.total},
        permission="finance.manage",
    )
    event_emit(tenant_id=invoice.tenant_id, event="invoice.issued", data={
        "id": invoice.pk, "kind": invoice.kind, "number": invoice.number, "contact_id": invoice.contact_id, "farm_id": invoice.farm_id,
        "issue_date": invoice.issue_date, "due_date": invoice.due_date, "total": invoice.total, "currency": invoice.currency},
        resource=f"invoice:{invoice.pk}")
    return invoice


@transaction.atomic
def invoice_void(*, membership, invoice: Invoice, reason: str) -> Invoice:
    if not can(membership, "finance.manage"):
        raise PermissionDenied
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk, tenant_id=membership.tenant_id)
    if invoice.status == Invoice.Status.VOID:
        raise ValidationError(_("This invoice is already void."))
    if invoice.paid_total > 0:
        raise ValidationError(_("Payments were recorded against this invoice; issue a credit note instead."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the invoice is void.")})
    previous = invoice.status
    invoice.status = Invoice.Status.VOID
    invoice.notes = (invoice.notes + f"\nVoid: {reason.strip()}").strip()
    invoice.save(update_fields=["status", "notes", "updated_at"])
    invoice.sales.update(invoice=None)
    audit_append(
        actor=Actor.of(membership),
        action="invoice.void",
        obj=invoice,
        before={"status": previous},
        after={"status": "void", "reason": reason},
    )
    return invoice


@transaction.atomic
def credit_note_create(*, membership, invoice: Invoice) -> Invoice:
    """A draft credit note with the invoice's lines, to correct an issued invoice."""
    if invoice.tenant_id != membership.tenant_id or invoice.status in (Invoice.Status.DRAFT, Invoice.Status.VOID):
        raise ValidationError(_("Only an issued invoice can be credited."))
    lines = [
        {
            "description": f"Credit: {line.description}",
            "quantity": line.quantity,
            "unit": line.unit,
            "unit_price": line.unit_price,
            "tax_rate": line.tax_rate,
        }
        for line in invoice.lines.all()
    ]
    note = invoice_save_draft(
        membership=membership,
        kind=invoice.kind,
        contact=invoice.contact,
        due_date=None,
        notes=_("Credit note for %(number)s") % {"number": invoice.number},
        lines=lines,
        farm=invoice.farm,
        credit_for=invoice,
    )
    note.credit_note_for = invoice
    note.save(update_fields=["credit_note_for"])
    return note


@transaction.atomic
def payment_record(
    *, membership, key: str, invoice: Invoice, date: dt.date, amount: Decimal, method: str, reference: str = ""
) -> Payment:
    """Record money received against a sales invoice, or paid against a purchase invoice."""
    if not can(membership, "finance.manage"):
        raise PermissionDenied
    claim = claim_submission(tenant_id=membership.tenant_id, key=key, action="payment.record")
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk, tenant_id=membership.tenant_id)
    errors = {}
    if invoice.status not in (Invoice.Status.ISSUED, Invoice.Status.PARTLY_PAID):
        errors["amount"] = (
            _("Payments go against issued, unpaid invoices; this one is %(status)s.") % {
                "status": invoice.get_status_display().lower()}
        )
    elif problem := amount_problem(amount, invoice.currency):
        errors["amount"] = problem
    elif amount > invoice.balance:
        errors["amount"] = _("The balance due is %(balance)s; a payment cannot be larger.") % {"balance": invoice.balance}
    if problem := date_problem(date, today=today_for(invoice.farm)):
        errors["date"] = problem
    elif invoice.issue_date and date < invoice.issue_date:
        errors["date"] = _("The payment date is before the invoice was issued.")
    if method not in Payment.Method.values:
        errors["method"] = _("Pick how it was paid.")
    if errors:
        raise ValidationError(errors)
    payment = Payment.objects.create(
        tenant_id=invoice.tenant_id,
        invoice=invoice,
        date=date,
        amount=amount,
        method=method,
        reference=reference.strip(),
        recorded_by=membership,
    )
    invoice.paid_total += amount
    invoice.status = Invoice.Status.PAID if invoice.paid_total >= invoice.total else Invoice.Status.PARTLY_PAID
    invoice.save(update_fields=["paid_total", "status", "updated_at"])
    audit_append(
        actor=Actor.of(membership),
        action="payment.record",
        obj=payment,
        farm_id=invoice.farm_id,
        after={"invoice": invoice.number, "amount": amount, "method": method},
        permission="finance.manage",
    )
    event_emit(tenant_id=invoice.tenant_id, event="payment.recorded", data={
        "id": payment.pk, "invoice_id": invoice.pk, "invoice_number": invoice.number, "date": payment.date, "amount": amount,
        "method": method, "invoice_status": invoice.status}, resource=f"invoice:{invoice.pk}")
    claim.result = f"/money/invoices/{invoice.pk}/"
    claim.save(update_fields=["result"])
    return payment


@transaction.atomic
def invoice_email(*, membership, invoice: Invoice, to: str) -> None:
    if not can(membership, "finance.manage") or invoice.tenant_id != membership.tenant_id:
        raise PermissionDenied
    if invoice.status in (Invoice.Status.DRAFT, Invoice.Status.VOID):
        raise ValidationError(_("Only an issued invoice can be emailed."))
    outbox_enqueue(tenant_id=invoice.tenant_id, kind="invoice.email", payload={"invoice_id": invoice.pk, "to": to,
                                                                                  "language": translation.get_language() or ""})
    audit_append(actor=Actor.of(membership), action="invoice.email", obj=invoice, after={"to": to})


@transaction.atomic
def tenant_set_milk_price(*, membership, price: Decimal | None) -> None:
    """The price the organisation gets for its milk, per litre or kg (empty: none set)."""
    if not can(membership, "finance.manage"):
        raise PermissionDenied
    if price is not None and (problem := amount_problem(price, currency_of(membership), allow_zero=True)):
        raise ValidationError({"price": problem})
    Tenant.objects.filter(pk=membership.tenant_id).update(milk_price=price)
    tenant_people_changed(membership.tenant_id)
    audit_append(actor=Actor.of(membership), action="finance.milk_price", obj=membership.tenant, after={"price": price})


@transaction.atomic
def report_request(*, membership, kind: str, file_format: str, params: dict) -> ReportJob:
    if not can(membership, "reports.view"):
        raise PermissionDenied
    from apps.core.limits import feature_problem

    if problem := feature_problem(membership.tenant_id, "background_reports"):
        raise ValidationError(_("%(problem)s Choose a period of at most six months, or ask an owner for a bigger plan.") % {"problem": problem})
    job = ReportJob.objects.create(
        tenant_id=membership.tenant_id, kind=kind, file_format=file_format, params=params, requested_by=membership
    )
    outbox_enqueue(tenant_id=membership.tenant_id, kind="report.build", payload={"job_id": job.pk})
    return job


def overdue_invoices_announce(*, tenant_id: int, today: dt.date) -> int:
    """Tell the people who manage the money of each sales invoice that has passed its due date unpaid (once each)."""
    from apps.accounts.models import Membership
    from apps.notify.services import notify

    overdue = list(Invoice.objects.filter(tenant_id=tenant_id, kind=Invoice.Kind.SALES, due_date__lt=today,
                                          status__in=[Invoice.Status.ISSUED, Invoice.Status.PARTLY_PAID])
                   .select_related("contact", "farm"))
    if not overdue:
        return 0
    members = list(Membership.objects.filter(tenant_id=tenant_id, is_active=True, is_service=False)
                   .select_related("role", "tenant", "user__profile"))
    told = 0
    for invoice in overdue:
        for member in members:
            if can(member, "finance.manage", invoice.farm):
                told += bool(notify(
                    membership=member, kind="invoice_overdue", url=f"/money/invoices/{invoice.pk}/",
                    key=f"overdue:{invoice.pk}",
                    context={"number": invoice.number, "customer": invoice.contact.name, "balance": invoice.balance,
                             "currency": invoice.currency, "due_on": invoice.due_date}))
    return told
