"""Outbox handlers for money: each may run more than once and still has one effect."""

import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _

from apps.core.outbox import handler
from apps.core.words import day, money

from .documents import invoice_pdf_bytes, invoice_pdf_name
from .models import Invoice, ReportJob

log = logging.getLogger(__name__)


def ensure_invoice_pdf(invoice: Invoice) -> Invoice:
    """Render and store the invoice's PDF unless it is there already."""
    if invoice.pdf_status == Invoice.Pdf.READY and invoice.pdf and default_storage.exists(invoice.pdf.name):
        return invoice
    name = invoice_pdf_name(invoice)
    if default_storage.exists(name):
        default_storage.delete(name)  # a render that died before it was recorded
    stored = default_storage.save(name, ContentFile(invoice_pdf_bytes(invoice)))
    Invoice.objects.filter(pk=invoice.pk).update(pdf=stored, pdf_status=Invoice.Pdf.READY)
    invoice.pdf.name, invoice.pdf_status = stored, Invoice.Pdf.READY
    return invoice


@handler("invoice.pdf")
def render_invoice_pdf(message):
    invoice = Invoice.objects.select_related("tenant", "contact").get(pk=message.payload["invoice_id"], tenant_id=message.tenant_id)
    ensure_invoice_pdf(invoice)


@handler("invoice.email")
def email_invoice(message):
    invoice = Invoice.objects.select_related("tenant", "contact").get(pk=message.payload["invoice_id"], tenant_id=message.tenant_id)
    invoice = ensure_invoice_pdf(invoice)
    # The buyer has no profile here: the organisation's language, else the sender's when they sent it.
    with translation.override(invoice.tenant.language or message.payload.get("language") or settings.LANGUAGE_CODE):
        values = {"number": invoice.number, "organisation": invoice.tenant.name, "contact": invoice.contact.name,
                  "amount": money(invoice.total, invoice.currency),
                  "day": day(invoice.due_date)}
        email = EmailMessage(
            subject=_("Invoice %(number)s from %(organisation)s") % values,
            body=_("Dear %(contact)s,\n\nPlease find invoice %(number)s attached: %(amount)s due on %(day)s.\n\n"
                   "%(organisation)s") % values,
            to=[message.payload["to"]],
        )
    with default_storage.open(invoice.pdf.name, "rb") as pdf:
        email.attach(f"{invoice.number}.pdf", pdf.read(), "application/pdf")
    email.send()


@handler("report.build")
def build_report(message):
    from .reports import build_report_job

    job = ReportJob.objects.get(pk=message.payload["job_id"], tenant_id=message.tenant_id)
    if job.status != ReportJob.Status.READY:
        build_report_job(job)
