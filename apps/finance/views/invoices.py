from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.selectors import farms_visible_to
from apps.core.access import member_required
from apps.core.forms import add_service_errors
from apps.core.storage import file_response

from .. import selectors, services
from ..forms import EmailInvoiceForm, InvoiceForm, LineFormSet, PaymentForm, VoidForm
from ..models import Invoice
from .common import run_once


@member_required("finance.view")
def invoices(request):
    kind = request.GET.get("kind") if request.GET.get("kind") in Invoice.Kind.values else "sales"
    rows = selectors.invoices_for(request.membership).filter(kind=kind)[:200]
    return render(request, "finance/invoices.html", {"invoices": rows, "kind": kind, "today": timezone.localdate()})


@member_required("finance.manage")
def invoice_edit(request, pk: int | None = None):
    membership = request.membership
    invoice = selectors.get_invoice_for(membership, pk) if pk else None
    if invoice is not None and not invoice.is_editable:
        messages.error(request, _("An issued invoice cannot be changed; void it or issue a credit note."))
        return redirect("money:invoice", pk=invoice.pk)
    initial = {"kind": request.GET.get("kind", "sales"), "farm": request.session.get("farm_id")}
    lines_initial = None
    if invoice:
        initial = {"kind": invoice.kind, "contact": invoice.contact_id, "farm": invoice.farm_id, "due_date": invoice.due_date,
                   "notes": invoice.notes}
        lines_initial = [{"description": l.description, "quantity": l.quantity, "unit": l.unit, "unit_price": l.unit_price,
                          "tax_rate": l.tax_rate} for l in invoice.lines.all()]
    form = InvoiceForm(request.POST or None, initial=initial, contacts=selectors.contacts_of(membership),
                       farms=farms_visible_to(membership))
    lines = LineFormSet(request.POST or None, initial=lines_initial, prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        rows = [f.cleaned_data for f in lines if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        try:
            invoice = services.invoice_save_draft(
                membership=membership, invoice=invoice, kind=form.cleaned_data["kind"], contact=form.cleaned_data["contact"],
                due_date=form.cleaned_data["due_date"], notes=form.cleaned_data["notes"], lines=rows, farm=form.cleaned_data["farm"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("money:invoice", pk=invoice.pk)
    status = 400 if form.errors or lines.errors or lines.non_form_errors() else 200
    return render(request, "finance/invoice_form.html", {"form": form, "lines": lines, "invoice": invoice}, status=status)


@member_required("finance.view")
def invoice_detail(request, pk: int):
    invoice = selectors.get_invoice_for(request.membership, pk)
    context = {
        "invoice": invoice, "lines": invoice.lines.all(), "payments": invoice.payments.select_related("recorded_by__user"),
        "payment_form": PaymentForm(initial={"date": timezone.localdate(), "amount": invoice.balance}),
        "void_form": VoidForm(), "email_form": EmailInvoiceForm(initial={"to": invoice.contact.email}),
        "overdue": invoice.due_date and invoice.due_date < timezone.localdate() and invoice.balance > 0 and invoice.status != "void",
    }
    template = "finance/invoice_detail.html#pdf" if request.htmx else "finance/invoice_detail.html"
    return render(request, template, context)


@member_required("finance.manage")
@require_POST
def invoice_issue(request, pk: int):
    invoice = selectors.get_invoice_for(request.membership, pk)
    try:
        invoice = services.invoice_issue(membership=request.membership, invoice=invoice)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Invoice %(number)s issued. The PDF is being prepared.") % {"number": invoice.number})
    return redirect("money:invoice", pk=invoice.pk)


@member_required("finance.view")
def invoice_pdf(request, pk: int):
    invoice = selectors.get_invoice_for(request.membership, pk)
    if invoice.pdf_status != Invoice.Pdf.READY or not invoice.pdf:
        raise Http404("The PDF is not ready yet.")
    return file_response(invoice.pdf.name, storage=invoice.pdf.storage, filename=f"{invoice.number}.pdf",
                         content_type="application/pdf")


@member_required("finance.manage")
@require_POST
def payment_create(request, pk: int):
    invoice = selectors.get_invoice_for(request.membership, pk)
    form = PaymentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        payment, repeat = run_once(form, lambda: services.payment_record(
            membership=request.membership, key=data["key"], invoice=invoice, date=data["date"], amount=data["amount"],
            method=data["method"], reference=data["reference"],
        ))
        if repeat:
            return repeat
        if payment:
            messages.success(request, _("Payment of %(amount)s recorded.") % {"amount": payment.amount})
            return redirect("money:invoice", pk=invoice.pk)
    for errors in form.errors.values():
        messages.error(request, " ".join(errors))
    return redirect("money:invoice", pk=invoice.pk)


@member_required("finance.manage")
@require_POST
def invoice_void(request, pk: int):
    invoice = selectors.get_invoice_for(request.membership, pk)
    form = VoidForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say why the invoice is void."))
        services.invoice_void(membership=request.membership, invoice=invoice, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Invoice void."))
    return redirect("money:invoice", pk=invoice.pk)


@member_required("finance.manage")
@require_POST
def invoice_credit(request, pk: int):
    invoice = selectors.get_invoice_for(request.membership, pk)
    try:
        note = services.credit_note_create(membership=request.membership, invoice=invoice)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("money:invoice", pk=invoice.pk)
    messages.success(request, _("Draft credit note made; adjust the lines and issue it."))
    return redirect("money:invoice_edit", pk=note.pk)


@member_required("finance.manage")
@require_POST
def invoice_send(request, pk: int):
    invoice = selectors.get_invoice_for(request.membership, pk)
    form = EmailInvoiceForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Enter a valid email address."))
        services.invoice_email(membership=request.membership, invoice=invoice, to=form.cleaned_data["to"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Invoice %(number)s will be emailed to %(to)s.") % {"number": invoice.number,
                                                                                               "to": form.cleaned_data["to"]})
    return redirect("money:invoice", pk=invoice.pk)
