"""Expense categories, contacts and expenses with their approval."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from apps.accounts.permissions import can, decision
from apps.audit.services import Actor, audit_append, changed, snapshot
from apps.core.dates import date_problem
from apps.core.events import event_emit
from apps.core.limits import room_problem
from apps.core.money import amount_problem
from apps.core.outbox import handler, outbox_enqueue
from apps.core.uploads import image_problem, rename_by_content
from apps.notify.services import notify, notify_user

from ..models import (
    BUILTIN_CATEGORIES,
    Contact,
    Expense,
    ExpenseCategory,
    ExpenseTransition,
)

RECEIPT_MAX_BYTES = 10 * 1024 * 1024


from .base import claim_submission, currency_of, today_for

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
        raise ValidationError({"name": _("Give the category a name.")})
    if ExpenseCategory.objects.filter(tenant_id=membership.tenant_id, key=key).exists():
        raise ValidationError({"name": _("There is already a category called %(name)s.") % {"name": name}})
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
    if (
        Contact.objects.filter(tenant_id=membership.tenant_id, name__iexact=contact.name)
        .exclude(pk=contact.pk)
        .exists()
    ):
        raise ValidationError({"name": _("There is already a contact called %(name)s.") % {"name": contact.name}})
    contact.save()
    b, a = changed(before, snapshot(contact))
    audit_append(
        actor=Actor.of(membership),
        action="finance.contact_save",
        obj=contact,
        before=b,
        after=a,
        permission="finance.manage",
    )
    return contact


# Expenses -----------------------------------------------------------------------------------------


THUMB_SIZE = (240, 240)


def _is_pdf(upload) -> bool:
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    return head == b"%PDF"


def _thumbnail(upload):
    """A small JPEG of a receipt photo, turned the way the phone held it."""
    import io

    from django.core.files.base import ContentFile
    from PIL import Image, ImageOps

    upload.seek(0)
    with Image.open(upload) as image:
        image = ImageOps.exif_transpose(image).convert("RGB")
        image.thumbnail(THUMB_SIZE)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=75)
    upload.seek(0)
    return ContentFile(out.getvalue())


def _check_receipt(receipt) -> str | None:
    if not receipt:
        return None
    if receipt.size > RECEIPT_MAX_BYTES:
        return _("The receipt is larger than 10 MB.")
    head = receipt.read(8)
    receipt.seek(0)
    if head.startswith(b"%PDF"):
        return None
    return image_problem(receipt, what=_("receipt photo"),
                         not_an_image=_("The receipt must be a photo (JPEG, PNG, WebP) or a PDF."))


@transaction.atomic
def expense_submit(
    *,
    membership,
    key: str,
    farm,
    date: dt.date,
    category,
    amount: Decimal,
    description: str,
    supplier=None,
    supplier_name: str = "",
    animal=None,
    receipt=None,
) -> Expense:
    """Submit an expense; an owner's own expense is approved at once (nobody else has to)."""
    if not can(membership, "finance.submit_expense", farm):
        raise PermissionDenied
    claim = claim_submission(tenant_id=membership.tenant_id, key=key, action="expense.submit")
    errors = {}
    tenant_id = membership.tenant_id
    if farm.tenant_id != tenant_id or farm.is_archived:
        errors["farm"] = _("Pick an active farm of this organisation.")
    if category.tenant_id != tenant_id:
        errors["category"] = _("Pick a category of this organisation.")
    if supplier is not None and supplier.tenant_id != tenant_id:
        errors["supplier"] = _("Pick a supplier of this organisation.")
    if animal is not None and (animal.tenant_id != tenant_id or animal.farm_id != farm.pk):
        errors["animal"] = _("Pick an animal of this farm.")
    if problem := amount_problem(amount, currency_of(membership)):
        errors["amount"] = problem
    if problem := date_problem(date, today=today_for(farm)):
        errors["date"] = problem
    if not (description or "").strip():
        errors["description"] = _("Say what was bought.")
    if problem := _check_receipt(receipt):
        errors["receipt"] = problem
    elif receipt:
        if problem := room_problem(tenant_id, "storage_mb", adding=receipt.size / (1024 * 1024)):
            errors["receipt"] = _("%(problem)s Submit it without the receipt, or ask an owner for a bigger plan.") % {"problem": problem}
        else:
            rename_by_content(receipt, "receipt")
    if errors:
        raise ValidationError(errors)
    expense = Expense.objects.create(
        tenant_id=tenant_id,
        farm=farm,
        date=date,
        category=category,
        amount=amount,
        supplier=supplier,
        supplier_name=(supplier.name if supplier else supplier_name.strip()),
        description=description.strip(),
        animal=animal,
        receipt=receipt or "",
        submitted_by=membership,
    )
    if receipt and not _is_pdf(receipt):
        expense.receipt_thumb.save(f"thumb-{expense.pk}.jpg", _thumbnail(receipt), save=False)
        expense.save(update_fields=["receipt_thumb"])
    ExpenseTransition.objects.create(
        tenant_id=tenant_id, expense=expense, from_status="", to_status="pending", by=membership
    )
    audit_append(
        actor=Actor.of(membership),
        action="expense.submit",
        obj=expense,
        after=snapshot(expense),
        permission="finance.submit_expense",
    )
    event_emit(tenant_id=tenant_id, event="expense.submitted", data={
        "id": expense.pk, "farm_id": expense.farm_id, "date": expense.date, "amount": expense.amount,
        "category_id": expense.category_id, "description": expense.description}, resource=f"expense:{expense.pk}")
    if membership.is_owner:
        _decide(membership, expense, Expense.Status.APPROVED, note="An owner's own expense is approved when submitted.")
    else:
        outbox_enqueue(tenant_id=tenant_id, kind="expense.approval_waiting", payload={"expense_id": expense.pk})
    claim.result = f"/money/expenses/{expense.pk}/"
    claim.save(update_fields=["result"])
    return expense


def approval_problem(membership, expense: Expense) -> str | None:
    """Why this member may not decide this expense, or None when they may."""
    allowed = decision(membership, "finance.approve_expense", expense)
    if not allowed:
        return allowed.reason if allowed.policy else _("You cannot approve expenses.")
    if expense.submitted_by.user_id == membership.user_id:
        return _("Nobody approves their own expense.")
    allowed = decision(membership, "finance.approve_expense", expense, amount=expense.amount)
    if not allowed:
        return _("%(reason)s This one waits for an owner.") % {"reason": allowed.reason}
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
        actor=Actor.of(membership),
        action=f"expense.{'approve' if status == 'approved' else 'reject'}",
        obj=expense,
        before={"status": previous},
        after={"status": status, "note": note},
        permission="finance.approve_expense",
    )
    event_emit(tenant_id=expense.tenant_id, event="expense.decided", data={
        "id": expense.pk, "farm_id": expense.farm_id, "status": status, "amount": expense.amount, "note": note},
        resource=f"expense:{expense.pk}")
    if expense.submitted_by.user_id != membership.user_id:
        notify_user(tenant_id=expense.tenant_id, user_id=expense.submitted_by.user_id, kind="expense_decided",
                    context={"approved": status == Expense.Status.APPROVED, "description": expense.description,
                             "amount": expense.amount, "currency": membership.tenant.currency, "note": note,
                             "decider": membership.user.display_name},
                    url=f"/money/expenses/{expense.pk}/")
    return expense


@transaction.atomic
def expense_decide(*, membership, expense: Expense, approve: bool, note: str = "") -> Expense:
    """Approve or reject a pending expense; deciding twice, or someone's own, is refused."""
    expense = (
        Expense.objects.select_for_update()
        .select_related("submitted_by")
        .get(pk=expense.pk, tenant_id=membership.tenant_id)
    )
    if expense.status != Expense.Status.PENDING:
        raise ValidationError(_("This expense was already %(status)s.") % {"status": expense.get_status_display().lower()})
    if problem := approval_problem(membership, expense):
        raise PermissionDenied(problem)
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"reason": _("Say why the expense is rejected.")})
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


@handler("expense.approval_waiting")
def _tell_approvers(message) -> None:
    """Everyone who may decide a newly submitted expense hears of it (after the submission committed)."""
    from apps.accounts.models import Membership

    expense = (Expense.objects.select_related("farm", "submitted_by__user")
               .filter(pk=message.payload["expense_id"], status=Expense.Status.PENDING).first())
    if expense is None:
        return
    members = (Membership.objects.filter(tenant_id=expense.tenant_id, is_active=True, is_service=False)
               .exclude(pk=expense.submitted_by_id).select_related("role", "tenant", "user__profile"))
    for member in members:
        if can(member, "finance.approve_expense", expense) and approval_problem(member, expense) is None:
            notify(membership=member, kind="approval_waiting", url=f"/money/expenses/{expense.pk}/",
                   key=f"approval:{expense.pk}",
                   context={"submitter": expense.submitted_by.user.display_name, "description": expense.description,
                            "amount": expense.amount, "currency": member.tenant.currency, "farm": expense.farm.name})
