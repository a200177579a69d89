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
    # kind: the plan's field
    "animals": "max_animals",
    "farms": "max_farms",
    "members": "max_members",
    "storage_mb": "max_storage_mb",
    "api_calls": "max_api_calls",
}
LIMIT_LABELS = {
    "animals": _("Animals"), "farms": _("Farms"), "members": _("Members"), "storage_mb": _("MB of files"),
    "api_calls": _("API calls this month"),
}


def amount_of(kind: str, n) -> str:
    """"30 animals", "1 farm", "250 MB of files", in the reader's language."""
    from django.utils.translation import ngettext

    count = int(n) if float(n).is_integer() else n
    number = f"{n:g}" if isinstance(n, float) else str(n)
    forms = {
        "animals": ngettext("%(n)s animal", "%(n)s animals", count),
        "farms": ngettext("%(n)s farm", "%(n)s farms", count),
        "members": ngettext("%(n)s member", "%(n)s members", count),
        "storage_mb": ngettext("%(n)s MB of files", "%(n)s MB of files", count),
        "api_calls": ngettext("%(n)s API call this month", "%(n)s API calls this month", count),
    }
    return forms[kind] % {"n": number}


FEATURES = {
    "api": _("The JSON API and API keys"),
    "webhooks": _("Webhooks"),
    "sso": _("Single sign-on"),
    "background_reports": _("Large reports prepared in the background"),
}


class Plan(models.Model):
    key = models.SlugField(verbose_name=_("key"), max_length=40, unique=True)
    name = models.CharField(verbose_name=_("name"), max_length=60)
    description = models.CharField(verbose_name=_("description"), max_length=200, blank=True)
    sort = models.PositiveSmallIntegerField(verbose_name=_("sort"), default=0)
    is_public = models.BooleanField(_("offered to organisations"), default=True)
    is_trial = models.BooleanField(_("the plan a new organisation tries"), default=False,
                                   help_text=_("One plan at most; a new organisation starts a 30-day trial of it."))
    max_animals = models.PositiveIntegerField(verbose_name=_("max animals"), null=True, blank=True, help_text=_("Empty: no limit."))
    max_farms = models.PositiveIntegerField(verbose_name=_("max farms"), null=True, blank=True, help_text=_("Empty: no limit."))
    max_members = models.PositiveIntegerField(verbose_name=_("max members"), null=True, blank=True, help_text=_("Empty: no limit."))
    max_storage_mb = models.PositiveIntegerField(_("storage (MB)"), null=True, blank=True, help_text=_("Empty: no limit."))
    max_api_calls = models.PositiveIntegerField(_("API calls a month"), null=True, blank=True, help_text=_("Empty: no limit."))
    feature_api = models.BooleanField(_("API"), default=False)
    feature_webhooks = models.BooleanField(_("webhooks"), default=False)
    feature_sso = models.BooleanField(_("single sign-on"), default=False)
    feature_background_reports = models.BooleanField(_("reports in the background"), default=False)

    class Meta:
        ordering = ["sort", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["is_trial"], condition=Q(is_trial=True), name="plan_one_trial_plan"),
            *(models.CheckConstraint(condition=Q(**{f"{field}__gte": 0}) | Q(**{f"{field}__isnull": True}),
                                     name=f"plan_{field}_not_negative") for field in LIMITS.values()),
        ]

    def __str__(self):
        return self.name

    def limit(self, kind: str) -> int | None:
        return getattr(self, LIMITS[kind])

    def has(self, feature: str) -> bool:
        return getattr(self, f"feature_{feature}")


class PlanPrice(models.Model):
    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="prices")
    currency = models.CharField(verbose_name=_("currency"), max_length=3, help_text=_("ISO 4217, e.g. KES"))
    monthly = models.DecimalField(verbose_name=_("monthly"), max_digits=12, decimal_places=3, validators=[MinValueValidator(Decimal(0))])
    yearly = models.DecimalField(verbose_name=_("yearly"), max_digits=12, decimal_places=3, validators=[MinValueValidator(Decimal(0))])

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

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="+")
    period = models.CharField(verbose_name=_("period"), max_length=5, choices=Period.choices, default=Period.MONTH)
    currency = models.CharField(verbose_name=_("currency"), max_length=3)
    status = models.CharField(verbose_name=_("status"), max_length=12, choices=Status.choices, default=Status.TRIALING)
    trial_ends_on = models.DateField(verbose_name=_("trial ends on"), null=True, blank=True)
    current_period_start = models.DateField(verbose_name=_("current period start"))
    current_period_end = models.DateField(verbose_name=_("current period end"), help_text=_("The next renewal: the first day not covered."))
    anchor_day = models.PositiveSmallIntegerField(verbose_name=_("anchor day"), help_text=_(
        "The day of the month renewals fall on (the 31st falls on the month's last day)."))
    cancel_at_period_end = models.BooleanField(verbose_name=_("cancel at period end"), default=False)
    next_plan = models.ForeignKey(Plan, verbose_name=_("next plan"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    next_period = models.CharField(verbose_name=_("next period"), max_length=5, choices=Period.choices, blank=True)
    provider = models.CharField(verbose_name=_("provider"), max_length=8, choices=Provider.choices, blank=True)
    mobile_number = models.CharField(verbose_name=_("mobile number"), max_length=16, blank=True)
    stripe_customer = models.CharField(verbose_name=_("stripe customer"), max_length=64, blank=True)
    stripe_payment_method = models.CharField(verbose_name=_("stripe payment method"), max_length=64, blank=True)
    card_label = models.CharField(verbose_name=_("card label"), max_length=40, blank=True)
    due_since = models.DateField(verbose_name=_("due since"), null=True, blank=True, help_text=_("The first unpaid day of the current invoice."))
    failures = models.PositiveSmallIntegerField(verbose_name=_("failures"), default=0)
    next_retry_on = models.DateField(verbose_name=_("next retry on"), null=True, blank=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant"], name="subscription_one_per_tenant")]

    def __str__(self):
        return f"{self.plan} ({self.get_status_display()})"

    @property
    def is_read_only(self) -> bool:
        return self.status in (self.Status.UNPAID, self.Status.TRIAL_ENDED, self.Status.ENDED)


class PlatformInvoiceSequence(models.Model):
    """The platform's own invoice numbers, per year, in order and without gaps."""

    year = models.PositiveSmallIntegerField(verbose_name=_("year"), unique=True)
    last_number = models.PositiveIntegerField(verbose_name=_("last number"), default=0)


class PlatformInvoice(TenantModel):
    """What iFarm bills an organisation: a period of its plan, or the prorated part of an upgrade."""

    class Kind(models.TextChoices):
        RENEWAL = "renewal", _("Subscription")
        PRORATION = "proration", _("Upgrade (prorated)")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PAID = "paid", _("Paid")
        VOID = "void", _("Void")

    subscription = models.ForeignKey(Subscription, verbose_name=_("subscription"), on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(verbose_name=_("number"), max_length=20)
    # One invoice per subscription period (or per upgrade): a second billing run finds it and stops.
    period_key = models.CharField(verbose_name=_("period key"), max_length=80)
    kind = models.CharField(verbose_name=_("kind"), max_length=10, choices=Kind.choices)
    description = models.CharField(verbose_name=_("description"), max_length=200)
    period_start = models.DateField(verbose_name=_("period start"))
    period_end = models.DateField(verbose_name=_("period end"))
    currency = models.CharField(verbose_name=_("currency"), max_length=3)
    amount = models.DecimalField(verbose_name=_("amount"), max_digits=12, decimal_places=3)
    status = models.CharField(verbose_name=_("status"), max_length=5, choices=Status.choices, default=Status.OPEN)
    issued_on = models.DateField(verbose_name=_("issued on"))
    due_on = models.DateField(verbose_name=_("due on"))
    paid_on = models.DateField(verbose_name=_("paid on"), null=True, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

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

    invoice = models.ForeignKey(PlatformInvoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="charges")
    attempt = models.PositiveSmallIntegerField(verbose_name=_("attempt"), default=1)
    # Sent to the provider as its Idempotency-Key: a worker killed after the call and run again is one charge.
    idempotency_key = models.CharField(verbose_name=_("idempotency key"), max_length=80)
    provider = models.CharField(verbose_name=_("provider"), max_length=8, choices=Subscription.Provider.choices)
    amount = models.DecimalField(verbose_name=_("amount"), max_digits=12, decimal_places=3)
    currency = models.CharField(verbose_name=_("currency"), max_length=3)
    status = models.CharField(verbose_name=_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    provider_ref = models.CharField(verbose_name=_("provider ref"), max_length=80, blank=True)
    answer = models.CharField(verbose_name=_("answer"), max_length=500, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    decided_at = models.DateTimeField(verbose_name=_("decided at"), null=True, blank=True)

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

    provider = models.CharField(verbose_name=_("provider"), max_length=8)
    event_id = models.CharField(verbose_name=_("event id"), max_length=120)
    kind = models.CharField(verbose_name=_("kind"), max_length=60, blank=True)
    outcome = models.CharField(verbose_name=_("outcome"), max_length=200)
    tenant_id = models.BigIntegerField(verbose_name=_("tenant id"), null=True, blank=True)
    received_at = models.DateTimeField(verbose_name=_("received at"), auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="paymentevent_provider_event_uniq")]

    def __str__(self):
        return f"{self.provider} {self.event_id}: {self.outcome}"


class Usage(TenantModel):
    """What an organisation uses, measured every half hour, one row per month."""

    month = models.DateField(verbose_name=_("month"), help_text=_("The month's first day."))
    animals = models.PositiveIntegerField(verbose_name=_("animals"), default=0)
    farms = models.PositiveIntegerField(verbose_name=_("farms"), default=0)
    members = models.PositiveIntegerField(verbose_name=_("members"), default=0)
    storage_mb = models.DecimalField(verbose_name=_("storage mb"), max_digits=12, decimal_places=2, default=0)
    api_calls = models.PositiveIntegerField(verbose_name=_("api calls"), default=0)
    measured_at = models.DateTimeField(verbose_name=_("measured at"))

    class Meta:
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["tenant", "month"], name="usage_tenant_month_uniq")]
