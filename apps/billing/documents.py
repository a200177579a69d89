"""The platform's invoices as PDF, through the farm invoices' renderer."""

from django.conf import settings

from apps.core.exports import pdf_from_template
from apps.core.money import places


def platform_invoice_pdf(invoice) -> bytes:
    return pdf_from_template("billing/invoice_pdf.html", {
        "invoice": invoice, "tenant": invoice.subscription.tenant, "decimals": f"{places(invoice.currency)}g",
        "charges": list(invoice.charges.order_by("attempt")), "bank_details": settings.BILLING_BANK_DETAILS,
        "mobile_details": settings.BILLING_MOBILE_DETAILS}, language=invoice.subscription.tenant.language)
