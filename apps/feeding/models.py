"""What the cows eat: rations per group (feed from stock, per head or per day), each feeding with the stock it
drew and what that cost, so a litre's feed cost and income over feed cost can be counted."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel, TimeStamped


class Ration(TenantModel, TimeStamped):
    """A group's daily ration. A standing one is fed every day by itself (a morning job draws its stock)."""

    farm = models.ForeignKey("farms.Farm", verbose_name=_("farm"), on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey("herd.AnimalGroup", verbose_name=_("group"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    name = models.CharField(verbose_name=_("name"), max_length=80)
    standing = models.BooleanField(verbose_name=_("fed every day by itself"), default=False)
    starts_on = models.DateField(verbose_name=_("from"))
    ends_on = models.DateField(verbose_name=_("to"), null=True, blank=True)
    created_by = models.ForeignKey("accounts.Membership", verbose_name=_("set up by"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["tenant", "farm"], name="ration_tenant_farm_idx")]
        ordering = ["name"]

    def __str__(self):
        return self.name


class RationLine(TenantModel):
    ration = models.ForeignKey(Ration, verbose_name=_("ration"), on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey("stock.StockItem", verbose_name=_("feed"), on_delete=models.PROTECT, related_name="+")
    per_head = models.DecimalField(verbose_name=_("per head per day"), max_digits=8, decimal_places=3, null=True, blank=True)
    per_day = models.DecimalField(verbose_name=_("for the group per day"), max_digits=10, decimal_places=3, null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "ration"], name="rationline_tenant_ration_idx")]


class Feeding(TenantModel, TimeStamped):
    """One day's feeding of a group (or of the whole farm when no group is named)."""

    farm = models.ForeignKey("farms.Farm", verbose_name=_("farm"), on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey("herd.AnimalGroup", verbose_name=_("group"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    date = models.DateField(verbose_name=_("date"))
    ration = models.ForeignKey(Ration, verbose_name=_("ration"), on_delete=models.SET_NULL, null=True, blank=True, related_name="feedings")
    head_count = models.PositiveIntegerField(verbose_name=_("head"), default=0)
    automatic = models.BooleanField(verbose_name=_("fed by the morning job"), default=False)
    recorded_by = models.ForeignKey("accounts.Membership", verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["tenant", "farm", "date"], name="feeding_tenant_farm_date_idx")]
        constraints = [models.UniqueConstraint(fields=["tenant", "ration", "date"], condition=Q(ration__isnull=False),
                                               name="feeding_tenant_ration_day_uniq")]
        ordering = ["-date", "-id"]


class FeedingLine(TenantModel):
    """A feed as fed: the quantity, what the farm's batches gave of it, and its cost at the batches' cost. When the
    batches held less than was fed, the rest is the shortfall, costed at the feed's latest batch cost."""

    feeding = models.ForeignKey(Feeding, verbose_name=_("feeding"), on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey("stock.StockItem", verbose_name=_("feed"), on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(verbose_name=_("quantity fed"), max_digits=10, decimal_places=3)
    drawn = models.DecimalField(verbose_name=_("drawn from stock"), max_digits=10, decimal_places=3, default=Decimal("0"))
    shortfall = models.DecimalField(verbose_name=_("not in stock"), max_digits=10, decimal_places=3, default=Decimal("0"))
    cost = models.DecimalField(verbose_name=_("cost"), max_digits=12, decimal_places=2, default=Decimal("0"))

    class Meta:
        indexes = [models.Index(fields=["tenant", "feeding"], name="feedingline_tenant_feeding_idx")]
