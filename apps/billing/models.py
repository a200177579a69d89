"""Plans (platform data, edited by staff), each organisation's subscription, its platform invoices,
the charges made against them, and the usage measured against the plan's limits."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel

LIMITS = {
    # kind: (plan field, what one of them is called, the plural)
    "animals": ("max_animals", "animal", "animals"),
    "farms": ("max_farms", "farm", "farms"),
    "members": ("max_members", "member", "members"),
    "storage_mb": ("max_storage_mb", "MB of files", "MB of files"),
    "api_calls": ("max_api_calls", "API call this month", "API calls this month"),
}

FEATURES = {
    "api": "The JSON API and API keys",
    "webhooks": "Webhooks",
    "sso": "Single sign-on",
    "background_reports": "Large reports prepared in the background",
}


class Plan(models.Model):
    key = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=60)
    description = models.CharField(max_length=200, blank=True)
    sort = models.PositiveSmallIntegerField(default=0)
    is_public = models.BooleanField("offered to organisations", default=True)
    is_trial = models.BooleanField("the plan a new organisation tries", default=False,
                                   help_text="One plan at most; a new organisation starts a 30-day trial of it.")
    max_animals = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: no limit.")
    max_farms = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: no limit.")
    max_members = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: no limit.")
    max_storage_mb = models.PositiveIntegerField("storage (MB)", null=True, blank=True, help_text="Empty: no limit.")
    max_api_calls = models.PositiveIntegerField("API calls a month", null=True, blank=True, help_text="Empty: no limit.")
    feature_api = models.BooleanField("API", default=False)
    feature_webhooks = models.BooleanField("webhooks", default=False)
    feature_sso = models.BooleanField("single sign-on", default=False)
    feature_background_reports = models.BooleanField("reports in the background", default=False)

    class Meta:
        ordering = ["sort", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["is_trial"], condition=Q(is_trial=True), name="plan_one_trial_plan"),
            *(models.CheckConstraint(condition=Q(**{f"{field}__gte": 0}) | Q(**{f"{field}__isnull": True}),
                                     name=f"plan_{field}_not_negative") for field, _, _ in LIMITS.values()),
        ]

    def __str__(self):
        return self.name

    def limit(self, kind: str) -> int | None:
        return getattr(self, LIMITS[kind][0])

    def has(self, feature: str) -> bool:
        return getattr(self, f"feature_{feature}")


class PlanPrice(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="prices")
    currency = models.CharField(max_length=3, help_text="ISO 4217, e.g. KES")
    monthly = models.DecimalField(max_digits=12, decimal_places=3, validators=[MinValueValidator(Decimal(0))])
    yearly = models.DecimalField(max_digits=12, decimal_places=3, validators=[MinValueValidator(Decimal(0))])

    class Meta:
        ordering = ["currency"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "currency"], name="planprice_plan_currency_uniq"),
            models.CheckConstraint(condition=Q(monthly__gte=0) & Q(yearly__gte=0), name="planprice_not_negative"),
        ]

    def __str__(self):
        return f"{self.plan}: {self.monthly} / {self.yearly} {self.currency}"

    def for_period(self, period: str) -> Decimal:
        return self.yearly if period == Subscription.Period.YEAR else self.monthly


class Subscription(TenantModel):
    """An organisation's plan, period and standing. One per organisation."""

    class Period(models.TextChoices):
        MONTH = "month", _("Monthly")
        YEAR = "year", _("Yearly")

    class Status(models.TextChoices):
        TRIALING = "trialing", _("Trial")
        ACTIVE = "active", _("Active")
        PAST_DUE = "past_due", _("Payment due")
        UNPAID = "unpaid", _("Unpaid: read-only")
        TRIAL_ENDED = "trial_ended", _("Trial ended: read-only")
        ENDED = "ended", _("Cancelled: read-only")

    class Provider(models.TextChoices):
        NONE = "", _("Not chosen yet")
        BANK = "bank", _("Bank transfer")
        MOBILE = "mobile", _("Mobile money")
        STRIPE = "stripe", _("Card (Stripe)")

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=5, choices=Period.choices, default=Period.MONTH)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.TRIALING)
    trial_ends_on = models.DateField(null=True, blank=True)
    current_period_start = models.DateField()
    current_period_end = models.DateField(help_text="The next renewal: the first day not covered.")
    anchor_day = models.PositiveSmallIntegerField(help_text="The day of the month renewals fall on (the 31st falls "
                                                            "on the month's last day).")
    cancel_at_period_end = models.BooleanField(default=False)
    next_plan = models.ForeignKey(Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    next_period = models.CharField(max_length=5, choices=Period.choices, blank=True)
    provider = models.CharField(max_length=8, choices=Provider.choices, blank=True)
    mobile_number = models.CharField(max_length=16, blank=True)
    stripe_customer = models.CharField(max_length=64, blank=True)
    stripe_payment_method = models.CharField(max_length=64, blank=True)
    card_label = models.CharField(max_length=40, blank=True)
    due_since = models.DateField(null=True, blank=True, help_text="The first unpaid day of the current invoice.")
    failures = models.PositiveSmallIntegerField(default=0)
    next_retry_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant"], name="subscription_one_per_tenant")]

    def __str__(self):
        return f"{self.plan} ({self.get_status_display()})"

    @property
    def is_read_only(self) -> bool:
        return self.status in (self.Status.UNPAID, self.Status.TRIAL_ENDED, self.Status.ENDED)


class PlatformInvoiceSequence(models.Model):
    """The platform's own invoice numbers, per year, in order and without gaps."""

    year = models.PositiveSmallIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)


class PlatformInvoice(TenantModel):
    """What iFarm bills an organisation: a period of its plan, or the prorated part of an upgrade."""

    class Kind(models.TextChoices):
        RENEWAL = "renewal", _("Subscription")
        PRORATION = "proration", _("Upgrade (prorated)")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PAID = "paid", _("Paid")
        VOID = "void", _("Void")

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(max_length=20)
    # One invoice per subscription period (or per upgrade): a second billing run finds it and stops.
    period_key = models.CharField(max_length=80)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    description = models.CharField(max_length=200)
    period_start = models.DateField()
    period_end = models.DateField()
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=12, decimal_places=3)
    status = models.CharField(max_length=5, choices=Status.choices, default=Status.OPEN)
    issued_on = models.DateField()
    due_on = models.DateField()
    paid_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="platforminvoice_tenant_number_uniq"),
            models.UniqueConstraint(fields=["tenant", "period_key"], name="platforminvoice_tenant_period_uniq"),
        ]

    def __str__(self):
        return self.number


class Charge(TenantModel):
    """One attempt to collect an invoice, and what the provider said."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being charged")
        AWAITING = "awaiting", _("Awaiting the transfer")
        SUCCEEDED = "succeeded", _("Paid")
        FAILED = "failed", _("Failed")

    invoice = models.ForeignKey(PlatformInvoice, on_delete=models.PROTECT, related_name="charges")
    attempt = models.PositiveSmallIntegerField(default=1)
    # Sent to the provider as its Idempotency-Key: a worker killed after the call and run again is one charge.
    idempotency_key = models.CharField(max_length=80)
    provider = models.CharField(max_length=8, choices=Subscription.Provider.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=3)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    provider_ref = models.CharField(max_length=80, blank=True)
    answer = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "idempotency_key"], name="charge_tenant_key_uniq"),
            models.UniqueConstraint(fields=["tenant", "invoice", "attempt"], name="charge_tenant_invoice_attempt_uniq"),
        ]
        indexes = [models.Index(fields=["tenant", "provider_ref"], name="charge_tenant_ref_idx")]

    def __str__(self):
        return f"{self.invoice} #{self.attempt}: {self.get_status_display()}"


class PaymentEvent(models.Model):
    """Every payment notification received (Stripe, a transfer webhook, staff), with what came of it.

    The unique event id makes a replayed notification a no-op."""

    provider = models.CharField(max_length=8)
    event_id = models.CharField(max_length=120)
    kind = models.CharField(max_length=60, blank=True)
    outcome = models.CharField(max_length=200)
    tenant_id = models.BigIntegerField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="paymentevent_provider_event_uniq")]

    def __str__(self):
        return f"{self.provider} {self.event_id}: {self.outcome}"


class Usage(TenantModel):
    """What an organisation uses, measured every half hour, one row per month."""

    month = models.DateField(help_text="The month's first day.")
    animals = models.PositiveIntegerField(default=0)
    farms = models.PositiveIntegerField(default=0)
    members = models.PositiveIntegerField(default=0)
    storage_mb = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    api_calls = models.PositiveIntegerField(default=0)
    measured_at = models.DateTimeField()

    class Meta:
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["tenant", "month"], name="usage_tenant_month_uniq")]
