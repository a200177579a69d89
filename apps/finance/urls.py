from django.urls import path

from .views import expenses, invoices, reports, sales

app_name = "money"

urlpatterns = [
    path("", expenses.home, name="home"),
    path("expenses/new/", expenses.expense_submit, name="expense_submit"),
    path("expenses/<int:pk>/", expenses.expense_detail, name="expense"),
    path("expenses/<int:pk>/receipt/", expenses.expense_receipt, name="expense_receipt"),
    path("expenses/<int:pk>/receipt/thumbnail/", expenses.expense_receipt_thumb, name="expense_receipt_thumb"),
    path("expenses/<int:pk>/decide/", expenses.expense_decide, name="expense_decide"),
    path("approvals/", expenses.queue, name="queue"),
    path("approvals/approve/", expenses.queue_approve_many, name="queue_approve_many"),
    path("settings/", expenses.settings_page, name="settings"),
    path("contacts/", sales.contacts, name="contacts"),
    path("contacts/new/", sales.contact_edit, name="contact_create"),
    path("contacts/<int:pk>/", sales.contact_edit, name="contact_edit"),
    path("sales/", sales.sales, name="sales"),
    path("sales/new/", sales.sale_create, name="sale_create"),
    path("sales/<int:pk>/", sales.sale_detail, name="sale"),
    path("sales/<int:pk>/void/", sales.sale_void, name="sale_void"),
    path("sales/<int:pk>/invoice/", sales.sale_invoice, name="sale_invoice"),
    path("invoices/", invoices.invoices, name="invoices"),
    path("invoices/new/", invoices.invoice_edit, name="invoice_create"),
    path("invoices/<int:pk>/", invoices.invoice_detail, name="invoice"),
    path("invoices/<int:pk>/edit/", invoices.invoice_edit, name="invoice_edit"),
    path("invoices/<int:pk>/issue/", invoices.invoice_issue, name="invoice_issue"),
    path("invoices/<int:pk>/pdf/", invoices.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:pk>/payments/", invoices.payment_create, name="payment_create"),
    path("invoices/<int:pk>/void/", invoices.invoice_void, name="invoice_void"),
    path("invoices/<int:pk>/credit/", invoices.invoice_credit, name="invoice_credit"),
    path("invoices/<int:pk>/email/", invoices.invoice_send, name="invoice_send"),
    path("reports/", reports.report_page, name="reports"),
    path("reports/<int:pk>/", reports.report_job, name="report_job"),
    path("reports/<int:pk>/download/", reports.report_download, name="report_download"),
]
