"""Medicines, vaccines, feed and supplies: items, batches on a farm, and every movement of stock."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel, TimeStamped


class ItemKind(models.TextChoices):
    MEDICINE = "medicine", _("Medicine")
    VACCINE = "vaccine", _("Vaccine")
    FEED = "feed", _("Feed")
    SUPPLEMENT = "supplement", _("Supplement")
    OTHER = "other", _("Other")


class StockItem(TenantModel, TimeStamped):
    kind = models.CharField(verbose_name=_("kind"), max_length=10, choices=ItemKind.choices)
    name = models.CharField(verbose_name=_("name"), max_length=120)
    unit = models.CharField(verbose_name=_("unit"), max_length=20, help_text=_("mL, tube, dose, kg, bag…"))
    reorder_level = models.DecimalField(verbose_name=_("reorder level"), max_digits=12, decimal_places=3, default=Decimal("0"))
    active_substance = models.CharField(verbose_name=_("active substance"), max_length=120, blank=True)
    lactating_allowed = models.BooleanField(
        _("may be used on lactating animals"), default=True,
        help_text=_("Untick when the label forbids use in animals producing milk for people."),
    )
    booster_days = models.PositiveSmallIntegerField(_("booster after (days)"), null=True, blank=True)
    is_active = models.BooleanField(verbose_name=_("is active"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="stockitem_tenant_name_uniq")]
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_medicinal(self) -> bool:
        return self.kind in (ItemKind.MEDICINE, ItemKind.VACCINE)


class WithdrawalPeriod(TenantModel):
    """The label's withdrawal for one species; a species absent from the label has no row."""

    item = models.ForeignKey(StockItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="withdrawals")
    species = models.CharField(verbose_name=_("species"), max_length=10)
    milk_hours = models.PositiveIntegerField(verbose_name=_("milk hours"), null=True, blank=True, help_text=_("Empty: not for milk-producing animals."))
    meat_days = models.PositiveIntegerField(verbose_name=_("meat days"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "item", "species"], name="withdrawal_tenant_item_species_uniq")]


class Batch(TenantModel, TimeStamped):
    item = models.ForeignKey(StockItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="batches")
    farm = models.ForeignKey("farms.Farm", verbose_name=_("farm"), on_delete=models.PROTECT, related_name="+")
    lot = models.CharField(_("lot number"), max_length=60, blank=True)
    expires_on = models.DateField(verbose_name=_("expires on"), null=True, blank=True)
    quantity = models.DecimalField(_("on hand"), max_digits=12, decimal_places=3, default=Decimal("0"))
    unit_cost = models.DecimalField(verbose_name=_("unit cost"), max_digits=12, decimal_places=2, default=Decimal("0"))
    supplier = models.ForeignKey("finance.Contact", verbose_name=_("supplier"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["tenant", "farm", "item"], name="batch_tenant_farm_item_idx")]
        # The database refuses what the services also refuse: stock below zero.
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=0), name="batch_quantity_not_negative")]
        ordering = ["expires_on", "id"]

    def __str__(self):
        return f"{self.item.name} {self.lot}".strip() if "item" in self._state.fields_cache else f"batch {self.lot or self.pk}"


class MovementKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    USED = "used", _("Used")
    ADJUSTED = "adjusted", _("Adjusted")
    MOVED_OUT = "moved_out", _("Moved to another farm")
    MOVED_IN = "moved_in", _("Moved from another farm")


class StockMovement(TenantModel):
    batch = models.ForeignKey(Batch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(verbose_name=_("kind"), max_length=10, choices=MovementKind.choices)
    quantity = models.DecimalField(verbose_name=_("quantity"), max_digits=12, decimal_places=3, help_text=_("Positive in, negative out."))
    at = models.DateTimeField(verbose_name=_("at"))
    by = models.ForeignKey("accounts.Membership", verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(verbose_name=_("reason"), max_length=200, blank=True)
    expense = models.ForeignKey("finance.Expense", verbose_name=_("expense"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    invoice = models.ForeignKey("finance.Invoice", verbose_name=_("invoice"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    administration = models.ForeignKey("health.Administration", verbose_name=_("administration"), on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="movements")

    class Meta:
        indexes = [models.Index(fields=["tenant", "batch", "at"], name="movement_tenant_batch_at_idx")]
        ordering = ["-at", "-id"]
