"""Invoice PDFs with WeasyPrint."""

from __future__ import annotations

from django.template.loader import render_to_string

from .money import places


def pdf_from_template(template: str, context: dict) -> bytes:
    """The one PDF renderer: farm invoices and the platform's own invoices alike."""
    from weasyprint import HTML

    return HTML(string=render_to_string(template, context)).write_pdf()


def invoice_pdf_bytes(invoice) -> bytes:
    return pdf_from_template(
        "finance/invoice_pdf.html",
        {"invoice": invoice, "tenant": invoice.tenant, "lines": list(invoice.lines.all()),
         "payments": list(invoice.payments.all()), "decimals": places(invoice.currency)},
    )


def invoice_pdf_name(invoice) -> str:
    # One name per invoice: rendering again replaces the file instead of adding another.
    return f"invoices/{invoice.tenant_id}/{invoice.number}.pdf"
