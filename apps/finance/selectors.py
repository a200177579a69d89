"""Reads for money, each scoped to the member's organisation and farms."""

from django.db.models import Count, Q, Sum
from django.http import Http404
from django.utils import timezone

from apps.accounts.permissions import visible_to
from apps.core.fragments import Source

from .models import Contact, Expense, ExpenseCategory, Invoice, ReportJob, Sale

# The organisation's money as the home page sums it (this month's spending and sales, what is owed).
MONEY = Source("money")


def categories_of(membership):
    return ExpenseCategory.objects.filter(tenant_id=membership.tenant_id)


def contacts_of(membership, kind: str | None = None):
    contacts = Contact.objects.filter(tenant_id=membership.tenant_id)
    if kind:
        contacts = contacts.filter(kind__in=[kind, Contact.Kind.BOTH])
    return contacts


def get_contact_for(membership, pk: int) -> Contact:
    contact = contacts_of(membership).filter(pk=pk).first()
    if contact is None:
        raise Http404
    return contact


def expenses_for(membership):
    return visible_to(Expense.objects.select_related("farm", "category", "submitted_by__user__profile", "decided_by__user__profile"), membership)


def my_expenses(membership):
    return expenses_for(membership).filter(submitted_by__user_id=membership.user_id)


def get_expense_for(membership, pk: int) -> Expense:
    """An expense the member submitted, or may see as someone who handles money."""
    from apps.accounts.permissions import can

    expense = expenses_for(membership).filter(pk=pk).first()
    if expense is None or not (expense.submitted_by.user_id == membership.user_id or can(membership, "finance.view")):
        raise Http404
    return expense


def approval_queue(membership, *, farm=None, category=None, submitted_by=None):
    """Pending expenses, oldest first, with their farm, category and submitter. Nobody has decided them yet: their
    decider's three tables are not joined (eight tables cost the planner more than the rows)."""
    queue = visible_to(Expense.objects.select_related("farm", "category", "submitted_by__user__profile"), membership).filter(
        status=Expense.Status.PENDING).order_by("date", "id")
    if farm:
        queue = queue.filter(farm=farm)
    if category:
        queue = queue.filter(category=category)
    if submitted_by:
        queue = queue.filter(submitted_by=submitted_by)
    return queue


def queue_counts(membership) -> dict:
    today = timezone.localdate()
    return expenses_for(membership).aggregate(
        pending=Count("id", filter=Q(status=Expense.Status.PENDING)),
        pending_amount=Sum("amount", filter=Q(status=Expense.Status.PENDING)),
        decided_today=Count("id", filter=Q(decided_at__date=today)),
    )


def sales_for(membership):
    return visible_to(Sale.objects.select_related("farm", "buyer", "animal", "invoice"), membership)


def get_sale_for(membership, pk: int) -> Sale:
    sale = sales_for(membership).filter(pk=pk).first()
    if sale is None:
        raise Http404
    return sale


def invoices_for(membership):
    """Invoices of the member's farms; one with no farm (written before invoices had one) is
    tenant-wide and seen only by members of all farms."""
    return visible_to(Invoice.objects.select_related("contact"), membership)


def get_invoice_for(membership, pk: int) -> Invoice:
    invoice = invoices_for(membership).select_related("tenant", "credit_note_for").filter(pk=pk).first()
    if invoice is None:
        raise Http404
    return invoice


def get_report_job_for(membership, pk: int) -> ReportJob:
    job = ReportJob.objects.filter(tenant_id=membership.tenant_id, requested_by__user_id=membership.user_id, pk=pk).first()
    if job is None:
        raise Http404
    return job


def money_overview(membership) -> dict:
    """This month's approved spending and sales for the money home page."""
    today = timezone.localdate()
    start = today.replace(day=1)
    spent = expenses_for(membership).filter(status=Expense.Status.APPROVED, date__range=(start, today)).aggregate(s=Sum("amount"))["s"]
    sold = sales_for(membership).filter(voided_at=None, date__range=(start, today)).aggregate(s=Sum("total"))["s"]
    receivable = invoices_for(membership).filter(
        kind=Invoice.Kind.SALES, status__in=[Invoice.Status.ISSUED, Invoice.Status.PARTLY_PAID]
    ).aggregate(total=Sum("total"), paid=Sum("paid_total"))
    overdue = invoices_for(membership).filter(
        kind=Invoice.Kind.SALES, status__in=[Invoice.Status.ISSUED, Invoice.Status.PARTLY_PAID], due_date__lt=today
    ).count()
    return {
        "spent": spent or 0, "sold": sold or 0, "net": (sold or 0) - (spent or 0),
        "receivable": (receivable["total"] or 0) - (receivable["paid"] or 0), "overdue": overdue,
    }
