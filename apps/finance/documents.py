"""Invoice PDFs with WeasyPrint."""

from __future__ import annotations

from django.template.loader import render_to_string

from .money import places


def invoice_pdf_bytes(invoice) -> bytes:
    from weasyprint import HTML

    tenant = invoice.tenant
    html = render_to_string(
        "finance/invoice_pdf.html",
        {"invoice": invoice, "tenant": tenant, "lines": list(invoice.lines.all()), "payments": list(invoice.payments.all()),
         "decimals": places(invoice.currency)},
    )
    return HTML(string=html).write_pdf()


def invoice_pdf_name(invoice) -> str:
    # One name per invoice: rendering again replaces the file instead of adding another.
    return f"invoices/{invoice.tenant_id}/{invoice.number}.pdf"
