from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "apps.finance"
    label = "finance"

    def ready(self):
        from apps.accounts.services import tenant_setup_register
        from apps.core import limits

        from . import handlers  # noqa: F401  (registers the outbox handlers)
        from .models import Expense, Invoice, InvoiceLine, Payment, ReportJob, Sale
        from .selectors import MONEY
        from .services import categories_create_defaults

        limits.files_register(Expense, "receipt", "receipt_thumb")
        limits.files_register(ReportJob, "file")
        limits.files_register(Invoice, "pdf")
        tenant_setup_register(lambda tenant: categories_create_defaults(tenant_id=tenant.pk))
        MONEY.follow(Expense, Invoice, InvoiceLine, Sale, Payment)
