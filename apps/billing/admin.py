import logging
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from apps.core.money import amount_problem

from . import services
from .models import Charge, PaymentEvent, Plan, PlanPrice, PlatformInvoice, Subscription, Usage

log = logging.getLogger(__name__)


class PlanPriceForm(forms.ModelForm):
    class Meta:
        model = PlanPrice
        fields = ["currency", "monthly", "yearly"]

    def clean(self):
        cleaned = super().clean()
        currency = (cleaned.get("currency") or "").upper()
        cleaned["currency"] = currency
        if len(currency) != 3 or not currency.isalpha():
            self.add_error("currency", "Use the three-letter ISO 4217 code, e.g. KES.")
        for name in ("monthly", "yearly"):
            value = cleaned.get(name)
            if value is not None and (problem := amount_problem(value, currency or "USD", allow_zero=True)):
                self.add_error(name, problem)
        if self.errors:
            log.warning("plan price refused: %s", dict(self.errors))
        return cleaned


class PlanPriceInline(admin.TabularInline):
    model = PlanPrice
    form = PlanPriceForm
    extra = 1


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            log.warning("plan %s refused: %s", cleaned.get("key") or self.instance.key, dict(self.errors))
        return cleaned


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    form = PlanForm
    list_display = ["name", "key", "is_public", "is_trial", "max_animals", "max_farms", "max_members", "max_storage_mb",
                    "max_api_calls", "feature_api", "feature_sso"]
    inlines = [PlanPriceInline]
    fieldsets = [
        (None, {"fields": ["key", "name", "description", "sort", "is_public", "is_trial"]}),
        ("Limits", {"fields": ["max_animals", "max_farms", "max_members", "max_storage_mb", "max_api_calls"]}),
        ("Features", {"fields": ["feature_api", "feature_webhooks", "feature_sso", "feature_background_reports"]}),
    ]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["tenant", "plan", "period", "status", "trial_ends_on", "current_period_end", "provider", "failures"]
    list_filter = ["status", "plan", "provider"]
    search_fields = ["tenant__name"]
    list_select_related = ["tenant", "plan"]
    readonly_fields = ["tenant", "status", "due_since", "failures", "next_retry_on", "stripe_customer",
                       "stripe_payment_method", "card_label"]


class ChargeInline(admin.TabularInline):
    model = Charge
    extra = 0
    can_delete = False
    readonly_fields = ["attempt", "provider", "amount", "currency", "status", "provider_ref", "answer", "created_at",
                       "decided_at"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


class PaymentForm(forms.Form):
    amount = forms.DecimalField(max_digits=12, decimal_places=3, min_value=Decimal("0.001"))
    reference = forms.CharField(label="The payment's reference at the bank or provider", max_length=80)
    provider = forms.ChoiceField(choices=[("bank", "Bank transfer"), ("mobile", "Mobile money")])


@admin.register(PlatformInvoice)
class PlatformInvoiceAdmin(admin.ModelAdmin):
    list_display = ["number", "tenant", "kind", "amount", "currency", "status", "issued_on", "due_on", "paid_on"]
    list_filter = ["status", "kind", "currency"]
    search_fields = ["number", "tenant__name"]
    list_select_related = ["tenant"]
    inlines = [ChargeInline]
    readonly_fields = [f.name for f in PlatformInvoice._meta.fields]

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        return [path("<int:pk>/pay/", self.admin_site.admin_view(self.record_payment), name="billing_record_payment"),
                *super().get_urls()]

    def record_payment(self, request, pk: int):
        invoice = PlatformInvoice.objects.unscoped().get(pk=pk)
        form = PaymentForm(request.POST or None, initial={"amount": invoice.amount})
        if request.method == "POST" and form.is_valid():
            try:
                outcome = services.payment_record(
                    provider=form.cleaned_data["provider"], event_id=f"staff:{form.cleaned_data['reference']}",
                    reference=invoice.number, amount=form.cleaned_data["amount"], currency=invoice.currency,
                    recorded_by=request.user.email)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("%(number)s: %(outcome)s.") % {"number": invoice.number, "outcome": outcome})
                return redirect("admin:billing_platforminvoice_change", pk)
        return render(request, "admin/billing/record_payment.html",
                      {**self.admin_site.each_context(request), "form": form, "invoice": invoice,
                       "title": _("Record a payment for %(number)s") % {"number": invoice.number}, "opts": self.model._meta})


@admin.register(PaymentEvent)
class PaymentEventAdmin(admin.ModelAdmin):
    list_display = ["received_at", "provider", "event_id", "kind", "outcome", "tenant_id"]
    list_filter = ["provider"]
    search_fields = ["event_id", "outcome"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Usage)
class UsageAdmin(admin.ModelAdmin):
    list_display = ["tenant", "month", "animals", "farms", "members", "storage_mb", "api_calls", "measured_at"]
    list_select_related = ["tenant"]
