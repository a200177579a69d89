"""The milk that leaves the farm: its buyers and their price schedules, each delivery, the declaration
that goes with it (which cows' milk must not go), and the buyer's monthly statement."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel, TimeStamped


class Measure(models.TextChoices):
    LITRES = "L", _("litres")
    KG = "kg", _("kg")


class Buyer(TenantModel, TimeStamped):
    """Who takes the milk: a co-operative, a processor, a hotel, neighbours. Its contact holds the name
    the books use."""

    contact = models.ForeignKey("finance.Contact", verbose_name=_("contact"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(verbose_name=_("name"), max_length=120)
    collection_point = models.CharField(verbose_name=_("collection point"), max_length=120, blank=True)
    measures = models.CharField(verbose_name=_("measures in"), max_length=2, choices=Measure.choices, default=Measure.LITRES)
    is_active = models.BooleanField(verbose_name=_("is active"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="buyer_tenant_name_uniq")]
        ordering = ["name"]

    def __str__(self):
        return self.name


class PriceSchedule(TenantModel, TimeStamped):
    """What a buyer pays from a date: a base price per litre or kg, moved up or down by the milk's
    quality, less deductions. Bands are [upper limit, change per litre or kg], lowest first."""

    buyer = models.ForeignKey(Buyer, verbose_name=_("buyer"), on_delete=models.CASCADE, related_name="schedules")
    valid_from = models.DateField(verbose_name=_("from"))
    valid_to = models.DateField(verbose_name=_("to"), null=True, blank=True)
    base_price = models.DecimalField(verbose_name=_("base price"), max_digits=10, decimal_places=2)
    base_fat = models.DecimalField(_("base fat %"), max_digits=4, decimal_places=2, null=True, blank=True)
    fat_step = models.DecimalField(_("fat change per 0.1 %"), max_digits=8, decimal_places=2, default=Decimal("0"))
    base_protein = models.DecimalField(_("base protein %"), max_digits=4, decimal_places=2, null=True, blank=True)
    protein_step = models.DecimalField(_("protein change per 0.1 %"), max_digits=8, decimal_places=2, default=Decimal("0"))
    scc_bands = models.JSONField(verbose_name=_("somatic cell bands"), default=list, blank=True)
    bacteria_bands = models.JSONField(verbose_name=_("bacteria bands"), default=list, blank=True)
    water_limit = models.DecimalField(_("added water refused above %"), max_digits=4, decimal_places=1, null=True, blank=True)
    reject_antibiotics = models.BooleanField(verbose_name=_("refuses milk that tests positive for antibiotics"), default=True)
    transport_per_unit = models.DecimalField(verbose_name=_("transport per litre or kg"), max_digits=8, decimal_places=2, default=Decimal("0"))
    checkoff_per_unit = models.DecimalField(verbose_name=_("check-off per litre or kg"), max_digits=8, decimal_places=2, default=Decimal("0"))
    monthly_fee = models.DecimalField(verbose_name=_("fixed deduction per month"), max_digits=10, decimal_places=2, default=Decimal("0"))

    class Meta:
        indexes = [models.Index(fields=["tenant", "buyer", "valid_from"], name="schedule_tenant_buyer_idx")]
        ordering = ["-valid_from"]

    def __str__(self):
        return f"{self.buyer_id} from {self.valid_from}"


class Antibiotics(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")


class Delivery(TenantModel, TimeStamped):
    """Milk handed to a buyer: what the farm measured and what the buyer's slip and tests say."""

    farm = models.ForeignKey("farms.Farm", verbose_name=_("farm"), on_delete=models.PROTECT, related_name="+")
    buyer = models.ForeignKey(Buyer, verbose_name=_("buyer"), on_delete=models.PROTECT, related_name="deliveries")
    date = models.DateField(verbose_name=_("date"))
    sessions = models.JSONField(verbose_name=_("sessions"), default=list)
    quantity = models.DecimalField(verbose_name=_("quantity (farm)"), max_digits=9, decimal_places=2)
    slip_quantity = models.DecimalField(verbose_name=_("quantity (buyer's slip)"), max_digits=9, decimal_places=2, null=True, blank=True)
    fat = models.DecimalField(_("fat %"), max_digits=4, decimal_places=2, null=True, blank=True)
    protein = models.DecimalField(_("protein %"), max_digits=4, decimal_places=2, null=True, blank=True)
    scc = models.PositiveIntegerField(_("somatic cells per mL"), null=True, blank=True)
    bacteria = models.PositiveIntegerField(_("bacteria per mL"), null=True, blank=True)
    antibiotics = models.CharField(verbose_name=_("antibiotics test"), max_length=8, choices=Antibiotics.choices, blank=True)
    added_water = models.DecimalField(_("added water %"), max_digits=4, decimal_places=1, null=True, blank=True)
    rejected_quantity = models.DecimalField(verbose_name=_("rejected quantity"), max_digits=9, decimal_places=2, default=Decimal("0"))
    rejection_reason = models.CharField(verbose_name=_("rejection reason"), max_length=200, blank=True)
    over_reason = models.CharField(verbose_name=_("why more than the saleable milk"), max_length=200, blank=True)
    recorded_by = models.ForeignKey("accounts.Membership", verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")
    voided_at = models.DateTimeField(verbose_name=_("voided at"), null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "farm", "date"], name="delivery_tenant_farm_date_idx"),
                   models.Index(fields=["tenant", "buyer", "date"], name="delivery_tenant_buyer_date_idx")]
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"delivery {self.pk} on {self.date}"


class Declaration(TenantModel):
    """The farm's word to the driver before a pickup: these cows' milk is not in the can, and why."""

    farm = models.ForeignKey("farms.Farm", verbose_name=_("farm"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(verbose_name=_("date"))
    session = models.CharField(verbose_name=_("session"), max_length=8)
    cows = models.JSONField(verbose_name=_("cows kept out"), default=list)
    declared_by = models.ForeignKey("accounts.Membership", verbose_name=_("declared by"), on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField(verbose_name=_("declared at"))

    class Meta:
        indexes = [models.Index(fields=["tenant", "farm", "date"], name="declaration_tenant_farm_idx")]
        ordering = ["-declared_at"]


class Statement(TenantModel, TimeStamped):
    """A buyer's monthly statement for one farm, and the payment received against it."""

    class Method(models.TextChoices):
        BANK = "bank", _("Bank")
        MPESA = "mpesa", _("M-Pesa")
        CASH = "cash", _("Cash")

    buyer = models.ForeignKey(Buyer, verbose_name=_("buyer"), on_delete=models.PROTECT, related_name="statements")
    farm = models.ForeignKey("farms.Farm", verbose_name=_("farm"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(verbose_name=_("month"))  # its first day
    paid_amount = models.DecimalField(verbose_name=_("amount received"), max_digits=12, decimal_places=2, null=True, blank=True)
    paid_on = models.DateField(verbose_name=_("received on"), null=True, blank=True)
    method = models.CharField(verbose_name=_("paid by"), max_length=5, choices=Method.choices, blank=True)
    reference = models.CharField(verbose_name=_("reference"), max_length=80, blank=True)
    recorded_by = models.ForeignKey("accounts.Membership", verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "buyer", "farm", "month"], name="statement_tenant_buyer_month_uniq")]
        ordering = ["-month"]

    def __str__(self):
        return f"statement {self.pk} for {self.month:%Y-%m}"


class LineKind(models.TextChoices):
    MILK = "milk", _("Milk")
    TRANSPORT = "transport", _("Transport")
    CHECKOFF = "checkoff", _("Check-off")
    FEE = "fee", _("Fixed deduction")
    INPUT = "input", _("Inputs on credit")
    OTHER = "other", _("Other deduction")


class StatementLine(TenantModel):
    """A line as the buyer wrote it: a day's milk (quantity, price, amount) or a deduction (amount)."""

    statement = models.ForeignKey(Statement, verbose_name=_("statement"), on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(verbose_name=_("kind"), max_length=9, choices=LineKind.choices)
    date = models.DateField(verbose_name=_("date"), null=True, blank=True)
    description = models.CharField(verbose_name=_("description"), max_length=200, blank=True)
    quantity = models.DecimalField(verbose_name=_("quantity"), max_digits=9, decimal_places=2, null=True, blank=True)
    price = models.DecimalField(verbose_name=_("price"), max_digits=10, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(verbose_name=_("amount"), max_digits=12, decimal_places=2)
    fat = models.DecimalField(_("fat %"), max_digits=4, decimal_places=2, null=True, blank=True)
    protein = models.DecimalField(_("protein %"), max_digits=4, decimal_places=2, null=True, blank=True)
    scc = models.PositiveIntegerField(_("somatic cells per mL"), null=True, blank=True)
    bacteria = models.PositiveIntegerField(_("bacteria per mL"), null=True, blank=True)
    expense = models.ForeignKey("finance.Expense", verbose_name=_("expense"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["tenant", "statement"], name="stline_tenant_statement_idx")]
        ordering = ["kind", "date", "id"]
