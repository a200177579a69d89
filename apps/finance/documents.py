"""Invoice PDFs with WeasyPrint."""

from __future__ import annotations

from apps.core.exports import pdf_from_template
from apps.core.money import places


def invoice_pdf_bytes(invoice) -> bytes:
    return pdf_from_template(
        "finance/invoice_pdf.html",
        {"invoice": invoice, "tenant": invoice.tenant, "lines": list(invoice.lines.all()),
         "payments": list(invoice.payments.all()), "decimals": f"{places(invoice.currency)}g"},
        language=invoice.tenant.language,  # the organisation's, whoever (or whichever worker) renders it
    )


def invoice_pdf_name(invoice) -> str:
    # One name per invoice: rendering again replaces the file instead of adding another.
    return f"invoices/{invoice.tenant_id}/{invoice.number}.pdf"
