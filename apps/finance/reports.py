"""Accountant reports: profit and loss, expenses, sales, aged receivables; as CSV, XLSX or PDF."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.permissions import visible_to
from apps.core import exports
from apps.core.exports import Sheet
from apps.core.replicas import replica_reads
from apps.core.words import day
from apps.notify.services import language_of

from .models import Expense, Invoice, ReportJob, Sale

FORMATS = exports.FORMATS
KINDS = {"pnl": gettext_lazy("Profit and loss"), "expenses": gettext_lazy("Expenses"), "sales": gettext_lazy("Sales"),
         "receivables": gettext_lazy("Aged receivables")}
PURCHASE_INVOICES = gettext_lazy("Purchase invoices")
BACKGROUND_AFTER_DAYS = 186  # a longer period is built by a worker, with a progress bar


def scoped(queryset, membership, farm=None):
    queryset = visible_to(queryset, membership)
    if farm is not None:
        queryset = queryset.filter(farm=farm)
    return queryset


def profit_and_loss(membership, since: dt.date, until: dt.date, farm=None, progress=None) -> Sheet:
    """Per farm and month: sales revenue, approved expenses by category, purchase invoices (less
    their credit notes) by issue date, and the net."""
    sales = (
        scoped(Sale.objects.filter(voided_at=None, date__range=(since, until)), membership, farm)
        .annotate(month=TruncMonth("date")).values("farm__name", "month").annotate(amount=Sum("total"))
    )
    if progress:
        progress(40)
    expenses = (
        scoped(Expense.objects.filter(status=Expense.Status.APPROVED, date__range=(since, until)), membership, farm)
        .annotate(month=TruncMonth("date")).values("farm__name", "month", "category__name").annotate(amount=Sum("amount"))
    )
    bills = (
        scoped(Invoice.objects.filter(kind=Invoice.Kind.PURCHASE, issue_date__range=(since, until))
                .exclude(status__in=[Invoice.Status.DRAFT, Invoice.Status.VOID]), membership, farm)
        .annotate(month=TruncMonth("issue_date")).values("farm__name", "month", "credit_note_for").annotate(amount=Sum("total"))
    )
    table: dict[tuple, dict] = defaultdict(lambda: {"revenue": Decimal("0"), "costs": defaultdict(Decimal)})
    categories = set()
    for row in bills:
        categories.add(PURCHASE_INVOICES)
        amount = -row["amount"] if row["credit_note_for"] else row["amount"]
        table[(row["farm__name"] or _("No farm"), month_label(row["month"]))]["costs"][PURCHASE_INVOICES] += amount
    for row in sales:
        table[(row["farm__name"], month_label(row["month"]))]["revenue"] += row["amount"]
    for row in expenses:
        categories.add(row["category__name"])
        table[(row["farm__name"], month_label(row["month"]))]["costs"][row["category__name"]] += row["amount"]
    if progress:
        progress(80)
    categories = sorted(categories - {PURCHASE_INVOICES}) + ([PURCHASE_INVOICES] if PURCHASE_INVOICES in categories else [])
    report = Sheet(
        title=_("Profit and loss"), subtitle=period_of(membership, since, until, farm),
        headers=[_("Farm"), _("Month"), _("Sales revenue"), *(str(c) for c in categories), _("Total expenses"), _("Net")],
    )
    totals = [Decimal("0")] * (len(categories) + 3)
    for (farm_name, month), values in sorted(table.items()):
        costs = [values["costs"].get(c, Decimal("0")) for c in categories]
        spent = sum(costs, Decimal("0"))
        numbers = [values["revenue"], *costs, spent, values["revenue"] - spent]
        report.rows.append([farm_name, month, *numbers])
        totals = [a + b for a, b in zip(totals, numbers)]
    report.total_row = [_("All farms"), _("Total"), *totals]
    return report


def expense_report(membership, since, until, farm=None, progress=None) -> Sheet:
    rows = (
        scoped(Expense.objects.filter(date__range=(since, until)), membership, farm)
        .select_related("farm", "category", "submitted_by__user").order_by("date", "id")
    )
    report = Sheet(_("Expenses"), period_of(membership, since, until, farm),
                   [_("Date"), _("Farm"), _("Category"), _("Description"), _("Supplier"), _("Amount"), _("Status"),
                    _("Submitted by")])
    total = Decimal("0")
    for e in rows.iterator(chunk_size=2000):
        report.rows.append([e.date, e.farm.name, e.category.name, e.description, e.supplier_name, e.amount, e.get_status_display(),
                            e.submitted_by.user.email])
        if e.status == Expense.Status.APPROVED:
            total += e.amount
    report.total_row = ["", "", "", _("Approved total"), "", total, "", ""]
    return report


def sales_report(membership, since, until, farm=None, progress=None) -> Sheet:
    rows = (
        scoped(Sale.objects.filter(date__range=(since, until)), membership, farm)
        .select_related("farm", "buyer", "animal", "invoice").order_by("date", "id")
    )
    report = Sheet(_("Sales"), period_of(membership, since, until, farm),
                   [_("Date"), _("Farm"), _("Kind"), _("What"), _("Buyer"), _("Quantity"), _("Unit price"), _("Total"),
                    _("Invoice"), _("Voided")])
    total = Decimal("0")
    for s in rows.iterator(chunk_size=2000):
        what = s.animal.tag if s.animal_id else s.product
        report.rows.append([s.date, s.farm.name, s.get_kind_display(), what, s.buyer.name, s.quantity, s.unit_price, s.total,
                            s.invoice.number if s.invoice_id else "", _("yes") if s.voided_at else ""])
        if not s.voided_at:
            total += s.total
    report.total_row = ["", "", "", "", _("Total"), "", "", total, "", ""]
    return report


def aged_receivables(membership, since=None, until=None, farm=None, progress=None) -> Sheet:
    """What customers owe on issued sales invoices, by how long past due."""
    today = until or timezone.localdate()
    invoices = (
        scoped(Invoice.objects.filter(kind=Invoice.Kind.SALES, status__in=[Invoice.Status.ISSUED, Invoice.Status.PARTLY_PAID]),
                membership, farm)
        .select_related("contact").order_by("contact__name", "due_date")
    )
    buckets = [_("Not yet due"), _("1-30 days"), _("31-60 days"), _("61-90 days"), _("Over 90 days")]
    report = Sheet(_("Aged receivables"), _("%(organisation)s, as of %(day)s (%(currency)s)") % {
        "organisation": membership.tenant.name, "day": day(today), "currency": membership.tenant.currency},
                   [_("Customer"), _("Invoice"), _("Due"), *buckets, _("Balance")])
    totals = [Decimal("0")] * 6
    for invoice in invoices:
        overdue = (today - invoice.due_date).days if invoice.due_date else 0
        index = 0 if overdue <= 0 else 1 if overdue <= 30 else 2 if overdue <= 60 else 3 if overdue <= 90 else 4
        amounts = [Decimal("0")] * 5
        amounts[index] = invoice.balance
        report.rows.append([invoice.contact.name, invoice.number, invoice.due_date, *amounts, invoice.balance])
        totals = [a + b for a, b in zip(totals, [*amounts, invoice.balance])]
    report.total_row = [_("Total"), "", "", *totals]
    return report


BUILDERS = {"pnl": profit_and_loss, "expenses": expense_report, "sales": sales_report, "receivables": aged_receivables}


def report_register(kind: str, label, build) -> None:
    """A report an app above this one adds to the accountants' list (the milk report): `build(membership,
    since, until, farm=None, progress=None)` returns a Sheet."""
    KINDS[kind] = label
    BUILDERS[kind] = build


def month_label(value) -> str:
    return value.strftime("%Y-%m") if value else ""


def period_of(membership, since, until, farm) -> str:
    return _("%(organisation)s, %(where)s, %(start)s to %(end)s (%(currency)s)") % {
        "organisation": membership.tenant.name, "where": farm.name if farm else _("all farms"), "start": day(since),
        "end": day(until), "currency": membership.tenant.currency}


def build_report_job(job: ReportJob) -> None:
    """Build a background report, reporting progress as it goes, and store the file."""
    from apps.farms.models import Farm

    membership = job.requested_by
    ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.RUNNING, progress=5)

    def progress(value):
        ReportJob.objects.filter(pk=job.pk).update(progress=value)

    params = job.params
    farm = Farm.objects.filter(tenant_id=job.tenant_id, pk=params.get("farm")).first() if params.get("farm") else None
    try:
        # In the words of the one who asked for it (a worker has no request to take a language from).
        with replica_reads(), translation.override(language_of(membership)):
            report = BUILDERS[job.kind](
                membership, dt.date.fromisoformat(params["since"]), dt.date.fromisoformat(params["until"]), farm,
                progress=progress,
            )
            progress(90)
            content = exports.render(report, job.file_format)
        job.file.save(f"{job.kind}-{job.pk}.{job.file_format}", ContentFile(content), save=False)
        ReportJob.objects.filter(pk=job.pk).update(file=job.file.name, status=ReportJob.Status.READY, progress=100)
    except Exception as error:
        ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.FAILED, error=str(error)[:300])
        raise
