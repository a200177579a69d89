from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("", views.home, name="home"),
    path("plan/", views.change, name="change"),
    path("cancel/", views.cancel, name="cancel"),
    path("resume/", views.resume, name="resume"),
    path("payment-method/", views.payment_method, name="payment_method"),
    path("card/", views.card_start, name="card_start"),
    path("card/done/", views.card_done, name="card_done"),
    path("invoices/<int:pk>.pdf", views.invoice_pdf, name="invoice_pdf"),
    path("webhooks/stripe/", views.stripe_webhook, name="stripe_webhook"),
    path("webhooks/payments/", views.payment_webhook, name="payment_webhook"),
]
