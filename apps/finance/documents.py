"""Invoice PDFs with WeasyPrint."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from .money import places


def pdf_from_template(template: str, context: dict, *, language: str) -> bytes:
    """The one PDF renderer: farm invoices and the platform's own invoices alike. A document is written in
    the organisation's language, whoever (or whichever worker) renders it."""
    from weasyprint import HTML

    with translation.override(language or settings.LANGUAGE_CODE):
        return HTML(string=render_to_string(template, context)).write_pdf()


def invoice_pdf_bytes(invoice) -> bytes:
    return pdf_from_template(
        "finance/invoice_pdf.html",
        {"invoice": invoice, "tenant": invoice.tenant, "lines": list(invoice.lines.all()),
         "payments": list(invoice.payments.all()), "decimals": f"{places(invoice.currency)}g"},
        language=invoice.tenant.language,
    )


def invoice_pdf_name(invoice) -> str:
    # One name per invoice: rendering again replaces the file instead of adding another.
    return f"invoices/{invoice.tenant_id}/{invoice.number}.pdf"
