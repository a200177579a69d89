"""Writes for money: expenses and their approval, contacts, sales, invoices and payments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from apps.accounts.models import Tenant
from apps.accounts.permissions import can
from apps.audit.services import Actor, audit_append, changed, snapshot
from apps.core.outbox import outbox_enqueue
from apps.herd.models import Animal, Status
from apps.notify.services import notification_create

from .models import (
    BUILTIN_CATEGORIES,
    Contact,
    Expense,
    ExpenseCategory,
    ExpenseTransition,
    IdempotencyKey,
    Invoice,
    InvoiceLine,
    InvoiceSequence,
    Payment,
    ReportJob,
    Sale,
)
from .money import amount_problem

RECEIPT_MAX_BYTES = 10 * 1024 * 1024


class Duplicate(Exception):
    """The same form was submitted before; `result` is what the first submission produced."""

    def __init__(self, result: str):
        self.result = result
        super().__init__(result)


def claim_submission(*, tenant_id: int, key: str, action: str) -> IdempotencyKey:
    """Record a form's one-time key inside the caller's transaction, or raise Duplicate.

    The unique (tenant, key) row is the lock: of two concurrent submissions one inserts it and the
    other waits on the insert, then fails, and reports the first one's result.
    """
    if not key or len(key) > 64:
        raise ValidationError("This form has expired. Reload the page and try again.")
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(tenant_id=tenant_id, key=key, action=action)
    except IntegrityError:
        existing = IdempotencyKey.objects.filter(tenant_id=tenant_id, key=key).first()
        raise Duplicate(existing.result if existing else "") from None


def _today(farm=None) -> dt.date:
    from apps.milk.services import farm_today

    return farm_today(farm) if farm is not None else timezone.localdate()


def _currency(membership) -> str:
    return membership.tenant.currency


# Categories and contacts --------------------------------------------------------------------------


def categories_create_defaults(*, tenant_id: int) -> None:
    ExpenseCategory.objects.bulk_create(
        [ExpenseCategory(tenant_id=tenant_id, key=key, name=name, is_builtin=True) for key, name in BUILTIN_CATEGORIES],
        ignore_conflicts=True,
    )


@transaction.atomic
def category_create(*, membership, name: str) -> ExpenseCategory:
    if not can(membership, "finance.manage"):
        raise PermissionDenied
    name = name.strip()
    key = slugify(name)[:40]
    if not key:
        raise ValidationError({"name": "Give the category a name."})
    if ExpenseCategory.objects.filter(tenant_id=membership.tenant_id, key=key).exists():
        raise ValidationError({"name": f"There is already a category called {name}."})
    category = ExpenseCategory.objects.create(tenant_id=membership.tenant_id, key=key, name=name)
    audit_append(actor=Actor.of(membership), action="finance.category_create", obj=category, after={"name": name})
    return category


CONTACT_FIELDS = ["kind", "name", "contact_person", "phone", "email", "address", "tax_number"]


@transaction.atomic
def contact_save(*, membership, contact: Contact | None = None, **values) -> Contact:
    if not can(membership, "finance.manage"):
        raise PermissionDenied
    if contact is not None and contact.tenant_id != membership.tenant_id:
        raise PermissionDenied
    before = snapshot(contact) if contact else None
    contact = contact or Contact(tenant_id=membership.tenant_id)
    for key in CONTACT_FIELDS:
        if key in values:
            setattr(contact, key, (values[key] or "").strip() if isinstance(values[key], str) else values[key])
    if Contact.objects.filter(tenant_id=membership.tenant_id, name__iexact=contact.name).exclude(pk=contact.pk).exists():
        raise ValidationError({"name": f"There is already a contact called {contact.name}."})
    contact.save()
    b, a = changed(before, snapshot(contact))
    audit_append(actor=Actor.of(membership), action="finance.contact_save", obj=contact, before=b, after=a, permission="finance.manage")
    return contact


# Expenses -----------------------------------------------------------------------------------------


def _check_receipt(receipt) -> str | None:
    if not receipt:
        return None
    if receipt.size > RECEIPT_MAX_BYTES:
        return "The receipt is larger than 10 MB."
    head = receipt.read(8)
    receipt.seek(0)
    if head.startswith(b"%PDF"):
        return None
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(receipt) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return "The receipt must be a photo (JPEG, PNG, WebP) or a PDF."
    finally:
        receipt.seek(0)
    return None


@transaction.atomic
def expense_submit(
    *, membership, key: str, farm, date: dt.date, category, amount: Decimal, description: str,
    supplier=None, supplier_name: str = "", animal=None, receipt=None,
) -> Expense:
    """Submit an expense; an owner's own expense is approved at once (nobody else has to)."""
    if not can(membership, "finance.submit_expense", farm):
        raise PermissionDenied
    claim = claim_submission(tenant_id=membership.tenant_id, key=key, action="expense.submit")
    errors = {}
    tenant_id = membership.tenant_id
    if farm.tenant_id != tenant_id or farm.is_archived:
        errors["farm"] = "Pick an active farm of this organisation."
    if category.tenant_id != tenant_id:
        errors["category"] = "Pick a category of this organisation."
    if supplier is not None and supplier.tenant_id != tenant_id:
        errors["supplier"] = "Pick a supplier of this organisation."
    if animal is not None and (animal.tenant_id != tenant_id or animal.farm_id != farm.pk):
        errors["animal"] = "Pick an animal of this farm."
    if problem := amount_problem(amount, _currency(membership)):
        errors["amount"] = problem
    if date > _today(farm):
        errors["date"] = "This date is in the future."
    if not (description or "").strip():
        errors["description"] = "Say what was bought."
    if problem := _check_receipt(receipt):
        errors["receipt"] = problem
    if errors:
        raise ValidationError(errors)
    expense = Expense.objects.create(
        tenant_id=tenant_id, farm=farm, date=date, category=category, amount=amount, supplier=supplier,
        supplier_name=(supplier.name if supplier else supplier_name.strip()), description=description.strip(), animal=animal,
        receipt=receipt or "", submitted_by=membership,
    )
    ExpenseTransition.objects.create(tenant_id=tenant_id, expense=expense, from_status="", to_status="pending", by=membership)
    audit_append(actor=Actor.of(membership), action="expense.submit", obj=expense, after=snapshot(expense), permission="finance.submit_expense")
    if membership.is_owner:
        _decide(membership, expense, Expense.Status.APPROVED, note="An owner's own expense is approved when submitted.")
    claim.result = f"/money/expenses/{expense.pk}/"
    claim.save(update_fields=["result"])
    return expense


def approval_problem(membership, expense: Expense) -> str | None:
    """Why this member may not decide this expense, or None when they may."""
    if not can(membership, "finance.approve_expense", expense):
        return "You cannot approve expenses."
    if expense.submitted_by.user_id == membership.user_id:
        return "Nobody approves their own expense."
    if not membership.is_owner and expense.amount > membership.tenant.expense_approval_limit:
        return "Above your approval limit: this one waits for an owner."
    return None


def _decide(membership, expense: Expense, status: str, note: str = "") -> Expense:
    previous = expense.status
    expense.status = status
    expense.decided_by = membership
    expense.decided_at = timezone.now()
    expense.rejection_reason = note if status == Expense.Status.REJECTED else ""
    expense.save(update_fields=["status", "decided_by", "decided_at", "rejection_reason", "updated_at"])
    ExpenseTransition.objects.create(
        tenant_id=expense.tenant_id, expense=expense, from_status=previous, to_status=status, by=membership, note=note
    )
    audit_append(
        actor=Actor.of(membership), action=f"expense.{'approve' if status == 'approved' else 'reject'}", obj=expense,
        before={"status": previous}, after={"status": status, "note": note}, permission="finance.approve_expense",
    )
    if expense.submitted_by.user_id != membership.user_id:
        verb = "approved" if status == Expense.Status.APPROVED else "rejected"
        notification_create(
            tenant_id=expense.tenant_id, user_id=expense.submitted_by.user_id,
            title=f"Your expense was {verb}: {expense.description}",
            body=note or f"{expense.amount} {membership.tenant.currency} on {expense.date:%d %b %Y}",
            url=f"/money/expenses/{expense.pk}/",
        )
    return expense


@transaction.atomic
def expense_decide(*, membership, expense: Expense, approve: bool, note: str = "") -> Expense:
    """Approve or reject a pending expense; deciding twice, or someone's own, is refused."""
    expense = Expense.objects.select_for_update().select_related("submitted_by").get(pk=expense.pk, tenant_id=membership.tenant_id)
    if expense.status != Expense.Status.PENDING:
        raise ValidationError(f"This expense was already {expense.get_status_display().lower()}.")
    if problem := approval_problem(membership, expense):
        raise PermissionDenied(problem)
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"reason": "Say why the expense is rejected."})
    return _decide(membership, expense, Expense.Status.APPROVED if approve else Expense.Status.REJECTED, note)


def expenses_approve_many(*, membership, expenses) -> tuple[int, list[str]]:
    """Approve each expense in its own transaction; return how many went through and why others did not."""
    approved, problems = 0, []
    for expense in expenses:
        try:
            expense_decide(membership=membership, expense=expense, approve=True)
            approved += 1
        except (ValidationError, PermissionDenied) as error:
            problems.append(f"{expense.description}: {' '.join(getattr(error, 'messages', [str(error)]))}")
    return approved, problems


# Sales --------------------------------------------------------------------------------------------


@transaction.atomic
def sale_record(
    *, membership, key: str, kind: str, farm, date: dt.date, buyer: Contact, unit_price: Decimal, quantity: Decimal = Decimal("1"),
    unit: str = "", animal: Animal | None = None, live_weight: Decimal | None = None, product: str = "",
) -> Sale:
    """Record a sale; an animal sold leaves the active herd."""
    if not can(membership, "finance.manage", farm):
        raise PermissionDenied
    claim = claim_submission(tenant_id=membership.tenant_id, key=key, action="sale.record")
    errors = {}
    tenant_id = membership.tenant_id
    if farm.tenant_id != tenant_id:
        errors["farm"] = "Pick a farm of this organisation."
    if buyer.tenant_id != tenant_id:
        errors["buyer"] = "Pick a buyer of this organisation."
    if date > _today(farm):
        errors["date"] = "This date is in the future."
    if problem := amount_problem(unit_price, _currency(membership)):
        errors["unit_price"] = problem
    if quantity is None or quantity <= 0:
        errors["quantity"] = "Enter a quantity above zero."
    if live_weight is not None and not (Decimal("0") < live_weight <= Decimal("2000")):
        errors["live_weight"] = "Enter a live weight between 0 and 2,000 kg."
    if kind == Sale.Kind.ANIMAL:
        if animal is None:
            errors["animal"] = "Pick the animal sold."
        else:
            animal = Animal.objects.select_for_update().get(pk=animal.pk)
            if animal.tenant_id != tenant_id or animal.farm_id != farm.pk:
                errors["animal"] = "Pick an animal of this farm."
            elif animal.status != Status.ACTIVE:
                errors["animal"] = f"{animal.tag} is already {animal.get_status_display().lower()}."
        quantity, unit = Decimal("1"), "head"
    elif not (product or "").strip() and kind == Sale.Kind.OTHER:
        errors["product"] = "Say what was sold."
    if errors:
        raise ValidationError(errors)
    total = (quantity * unit_price).quantize(Decimal("0.01"))
    sale = Sale.objects.create(
        tenant_id=tenant_id, kind=kind, farm=farm, date=date, buyer=buyer, animal=animal if kind == Sale.Kind.ANIMAL else None,
        live_weight=live_weight, product=product.strip() or ("Milk" if kind == Sale.Kind.MILK else ""), quantity=quantity,
        unit=unit, unit_price=unit_price, total=total, recorded_by=membership,
    )
    if kind == Sale.Kind.ANIMAL:
        before = {"status": animal.status}
        animal.status, animal.status_on, animal.status_reason = Status.SOLD, date, f"Sold to {buyer.name}"
        animal.save(update_fields=["status", "status_on", "status_reason", "updated_at"])
        audit_append(actor=Actor.of(membership), action="animal.sold", obj=animal, before=before, after={"status": "sold", "sale": sale.pk})
    audit_append(actor=Actor.of(membership), action="sale.record", obj=sale, after=snapshot(sale), permission="finance.manage")
    claim.result = f"/money/sales/{sale.pk}/"
    claim.save(update_fields=["result"])
    return sale


@transaction.atomic
def sale_void(*, membership, sale: Sale) -> Sale:
    """Cancel a sale; a sold animal comes back to the herd."""
    sale = Sale.objects.select_for_update().get(pk=sale.pk, tenant_id=membership.tenant_id)
    if not can(membership, "finance.manage", sale):
        raise PermissionDenied
    if sale.voided_at:
        raise ValidationError("This sale was already voided.")
    if sale.invoice_id and sale.invoice.status not in (Invoice.Status.DRAFT, Invoice.Status.VOID):
        raise ValidationError("Void its invoice first (or issue a credit note).")
    sale.voided_at = timezone.now()
    sale.save(update_fields=["voided_at", "updated_at"])
    if sale.animal_id:
        animal = Animal.objects.select_for_update().get(pk=sale.animal_id)
        if Animal.objects.filter(tenant_id=animal.tenant_id, tag__iexact=animal.tag, status=Status.ACTIVE).exclude(pk=animal.pk).exists():
            raise ValidationError(f"Tag {animal.tag} is now worn by another animal; retag it before voiding this sale.")
        animal.status, animal.status_on, animal.status_reason = Status.ACTIVE, None, ""
        animal.save(update_fields=["status", "status_on", "status_reason", "updated_at"])
        audit_append(actor=Actor.of(membership), action="animal.sale_voided", obj=animal, after={"status": "active"})
    audit_append(actor=Actor.of(membership), action="sale.void", obj=sale, permission="finance.manage")
    return sale


# Invoices -----------------------------------------------------------------------------------------


def _validate_lines(lines: list[dict], currency: str) -> dict:
    errors = {}
    if not lines:
        errors["lines"] = "Add at least one line."
    for n, line in enumerate(lines, start=1):
        if not (line.get("description") or "").strip():
            errors[f"line {n}"] = "Describe the line."
        elif line.get("quantity") is None or line["quantity"] <= 0:
            errors[f"line {n}"] = "The quantity must be above zero."
        elif (problem := amount_problem(line.get("unit_price"), currency, allow_zero=True)) is not None:
            errors[f"line {n}"] = f"Unit price: {problem}"
        elif not (Decimal("0") <= (line.get("tax_rate") or Decimal("0")) <= Decimal("100")):
            errors[f"line {n}"] = "The tax rate is between 0 and 100 %."
    return errors


def _set_lines(invoice: Invoice, lines: list[dict]) -> None:
    invoice.lines.all().delete()
    objects = [
        InvoiceLine(
            tenant_id=invoice.tenant_id, invoice=invoice, position=n, description=line["description"].strip(),
            quantity=line["quantity"], unit=(line.get("unit") or "").strip(), unit_price=line["unit_price"],
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
    *, membership, invoice: Invoice | None = None, kind: str, contact: Contact, due_date: dt.date | None, notes: str,
    lines: list[dict], farm=None,
) -> Invoice:
    if not can(membership, "finance.manage"):
        raise PermissionDenied
    if invoice is not None:
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk, tenant_id=membership.tenant_id)
        if not invoice.is_editable:
            raise ValidationError("An issued invoice cannot be changed; void it or issue a credit note.")
    errors = _validate_lines(lines, _currency(membership))
    if contact.tenant_id != membership.tenant_id:
        errors["contact"] = "Pick a contact of this organisation."
    if farm is not None and farm.tenant_id != membership.tenant_id:
        errors["farm"] = "Pick a farm of this organisation."
    if errors:
        raise ValidationError(errors)
    invoice = invoice or Invoice(tenant_id=membership.tenant_id, kind=kind, currency=_currency(membership), created_by=membership)
    invoice.contact, invoice.due_date, invoice.notes, invoice.farm = contact, due_date, notes.strip(), farm
    invoice.save()
    _set_lines(invoice, lines)
    invoice.save(update_fields=["subtotal", "tax_total", "total", "updated_at"])
    audit_append(actor=Actor.of(membership), action="invoice.save_draft", obj=invoice, after={"total": invoice.total, "lines": len(lines)})
    return invoice


@transaction.atomic
def invoice_from_sales(*, membership, sales: list[Sale], due_date: dt.date | None = None) -> Invoice:
    buyers = {sale.buyer_id for sale in sales}
    if len(buyers) != 1:
        raise ValidationError("Invoice the sales of one buyer at a time.")
    if any(sale.invoice_id or sale.voided_at or sale.tenant_id != membership.tenant_id for sale in sales):
        raise ValidationError("Some of these sales are invoiced or voided already.")
    lines = [
        {"description": _sale_line(sale), "quantity": sale.quantity, "unit": sale.unit, "unit_price": sale.unit_price}
        for sale in sales
    ]
    invoice = invoice_save_draft(
        membership=membership, kind=Invoice.Kind.SALES, contact=sales[0].buyer, due_date=due_date, notes="", lines=lines,
        farm=sales[0].farm,
    )
    Sale.objects.filter(pk__in=[s.pk for s in sales]).update(invoice=invoice)
    return invoice


def _sale_line(sale: Sale) -> str:
    if sale.kind == Sale.Kind.ANIMAL:
        weight = f", {sale.live_weight} kg live" if sale.live_weight else ""
        return f"{sale.animal.get_species_display()} {sale.animal.tag}{weight}, {sale.date:%d %b %Y}"
    return f"{sale.product or sale.get_kind_display()}, {sale.date:%d %b %Y}"


def _next_number(tenant_id: int, kind: str, year: int) -> str:
    """The next number of the tenant's sequence: the row lock makes concurrent issues take turns."""
    InvoiceSequence.objects.bulk_create([InvoiceSequence(tenant_id=tenant_id, kind=kind, year=year)], ignore_conflicts=True)
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
        raise ValidationError(f"Invoice {invoice.number} is already issued.")
    if not invoice.lines.exists():
        raise ValidationError("Add at least one line before issuing.")
    today = _today()
    sequence_kind = "credit" if invoice.credit_note_for_id else invoice.kind
    invoice.number = _next_number(invoice.tenant_id, sequence_kind, today.year)
    invoice.issue_date = today
    invoice.due_date = invoice.due_date or today + dt.timedelta(days=30)
    invoice.status = Invoice.Status.ISSUED
    invoice.pdf_status = Invoice.Pdf.PREPARING
    invoice.save(update_fields=["number", "issue_date", "due_date", "status", "pdf_status", "updated_at"])
    outbox_enqueue(tenant_id=invoice.tenant_id, kind="invoice.pdf", payload={"invoice_id": invoice.pk})
    audit_append(
        actor=Actor.of(membership), action="invoice.issue", obj=invoice, after={"number": invoice.number, "total": invoice.total},
        permission="finance.manage",
    )
    return invoice


@transaction.atomic
def invoice_void(*, membership, invoice: Invoice, reason: str) -> Invoice:
    if not can(membership, "finance.manage"):
        raise PermissionDenied
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk, tenant_id=membership.tenant_id)
    if invoice.status == Invoice.Status.VOID:
        raise ValidationError("This invoice is already void.")
    if invoice.paid_total > 0:
        raise ValidationError("Payments were recorded against this invoice; issue a credit note instead.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the invoice is void."})
    previous = invoice.status
    invoice.status = Invoice.Status.VOID
    invoice.notes = (invoice.notes + f"\nVoid: {reason.strip()}").strip()
    invoice.save(update_fields=["status", "notes", "updated_at"])
    invoice.sales.update(invoice=None)
    audit_append(actor=Actor.of(membership), action="invoice.void", obj=invoice, before={"status": previous}, after={"status": "void", "reason": reason})
    return invoice


@transaction.atomic
def credit_note_create(*, membership, invoice: Invoice) -> Invoice:
    """A draft credit note with the invoice's lines, to correct an issued invoice."""
    if invoice.tenant_id != membership.tenant_id or invoice.status in (Invoice.Status.DRAFT, Invoice.Status.VOID):
        raise ValidationError("Only an issued invoice can be credited.")
    lines = [
        {"description": f"Credit: {line.description}", "quantity": line.quantity, "unit": line.unit, "unit_price": line.unit_price,
         "tax_rate": line.tax_rate}
        for line in invoice.lines.all()
    ]
    note = invoice_save_draft(
        membership=membership, kind=invoice.kind, contact=invoice.contact, due_date=None,
        notes=f"Credit note for {invoice.number}", lines=lines, farm=invoice.farm,
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
        errors["amount"] = f"Payments go against issued, unpaid invoices; this one is {invoice.get_status_display().lower()}."
    elif problem := amount_problem(amount, invoice.currency):
        errors["amount"] = problem
    elif amount > invoice.balance:
        errors["amount"] = f"The balance due is {invoice.balance}; a payment cannot be larger."
    if date > _today():
        errors["date"] = "This date is in the future."
    elif invoice.issue_date and date < invoice.issue_date:
        errors["date"] = "The payment date is before the invoice was issued."
    if method not in Payment.Method.values:
        errors["method"] = "Pick how it was paid."
    if errors:
        raise ValidationError(errors)
    payment = Payment.objects.create(
        tenant_id=invoice.tenant_id, invoice=invoice, date=date, amount=amount, method=method, reference=reference.strip(),
        recorded_by=membership,
    )
    invoice.paid_total += amount
    invoice.status = Invoice.Status.PAID if invoice.paid_total >= invoice.total else Invoice.Status.PARTLY_PAID
    invoice.save(update_fields=["paid_total", "status", "updated_at"])
    audit_append(
        actor=Actor.of(membership), action="payment.record", obj=payment, farm_id=invoice.farm_id,
        after={"invoice": invoice.number, "amount": amount, "method": method}, permission="finance.manage",
    )
    claim.result = f"/money/invoices/{invoice.pk}/"
    claim.save(update_fields=["result"])
    return payment


@transaction.atomic
def invoice_email(*, membership, invoice: Invoice, to: str) -> None:
    if not can(membership, "finance.manage") or invoice.tenant_id != membership.tenant_id:
        raise PermissionDenied
    if invoice.status in (Invoice.Status.DRAFT, Invoice.Status.VOID):
        raise ValidationError("Only an issued invoice can be emailed.")
    outbox_enqueue(tenant_id=invoice.tenant_id, kind="invoice.email", payload={"invoice_id": invoice.pk, "to": to})
    audit_append(actor=Actor.of(membership), action="invoice.email", obj=invoice, after={"to": to})


@transaction.atomic
def tenant_set_approval_limit(*, membership, limit: Decimal) -> None:
    if not membership.is_owner:
        raise PermissionDenied
    if problem := amount_problem(limit, _currency(membership), allow_zero=True):
        raise ValidationError({"limit": problem})
    Tenant.objects.filter(pk=membership.tenant_id).update(expense_approval_limit=limit)
    audit_append(actor=Actor.of(membership), action="finance.approval_limit", obj=membership.tenant, after={"limit": limit})


@transaction.atomic
def report_request(*, membership, kind: str, file_format: str, params: dict) -> ReportJob:
    if not can(membership, "reports.view"):
        raise PermissionDenied
    job = ReportJob.objects.create(tenant_id=membership.tenant_id, kind=kind, file_format=file_format, params=params, requested_by=membership)
    outbox_enqueue(tenant_id=membership.tenant_id, kind="report.build", payload={"job_id": job.pk})
    return job
