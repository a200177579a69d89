import datetime as dt
import zoneinfo
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import TIME_ZONE_CHOICES
from apps.core.models import TenantModel, TimeStamped

from .milkings import Milkings, evening_start, midday_start, morning_start


class FarmType(models.TextChoices):
    DAIRY = "dairy", _("Dairy")
    BEEF = "beef", _("Beef")
    MIXED = "mixed", _("Mixed livestock")
    SMALL_RUMINANT = "small_ruminant", _("Goats and sheep")
    PIG = "pig", _("Pigs")
    OTHER = "other", _("Other")


class AreaUnit(models.TextChoices):
    HECTARES = "ha", _("Hectares")
    ACRES = "acre", _("Acres")


class Farm(TenantModel, TimeStamped):
    name = models.CharField(verbose_name=_("name"), max_length=120)
    farm_type = models.CharField(verbose_name=_("farm type"), max_length=20, choices=FarmType.choices, default=FarmType.DAIRY)
    address = models.CharField(verbose_name=_("address"), max_length=250, blank=True)
    latitude = models.DecimalField(verbose_name=_("latitude"), 
        max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(Decimal("-90")), MaxValueValidator(Decimal("90"))],
    )
    longitude = models.DecimalField(verbose_name=_("longitude"), 
        max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(Decimal("-180")), MaxValueValidator(Decimal("180"))],
    )
    area = models.DecimalField(verbose_name=_("area"), 
        max_digits=10, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(Decimal("0.01"))]
    )
    area_unit = models.CharField(verbose_name=_("area unit"), max_length=4, choices=AreaUnit.choices, default=AreaUnit.HECTARES)
    time_zone = models.CharField(verbose_name=_("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="UTC")
    milking_sessions_per_day = models.PositiveSmallIntegerField(verbose_name=_("milking sessions per day"), 
        default=2, validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text=_("How many times a day the cows are milked (1 to 3)."),
    )
    # When each session starts on the farm's clock (the withdrawal rule, the parlour list and the ingest use them).
    morning_starts = models.TimeField(verbose_name=_("morning milking starts"), default=morning_start)
    midday_starts = models.TimeField(verbose_name=_("midday milking starts"), default=midday_start,
                                     help_text=_("Used when the cows are milked three times a day."))
    evening_starts = models.TimeField(verbose_name=_("evening milking starts"), default=evening_start,
                                      help_text=_("Used when the cows are milked two or three times a day."))
    robot_milking = models.BooleanField(verbose_name=_("robot milking"), default=False, help_text=_(
        "The cows visit a robot at any hour: each session holds the visits from its start until the next session starts."))
    archived_at = models.DateTimeField(verbose_name=_("archived at"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="farm_tenant_name_uniq")]
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("farms:detail", args=[self.pk])

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def zone(self) -> dt.tzinfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return dt.UTC

    def local_now(self) -> dt.datetime:
        """The time on the farm's own clock (a farm far east of UTC is already in tomorrow)."""
        return timezone.now().astimezone(self.zone)

    def local_today(self) -> dt.date:
        return self.local_now().date()

    @property
    def milkings(self) -> Milkings:
        return Milkings.of(self)

    def clean(self):
        super().clean()
        if not self.milkings.in_order():
            raise ValidationError({"evening_starts" if self.milking_sessions_per_day > 1 else "morning_starts": _(
                "Each milking must start after the one before it in the day.")})


class ExternalFarm(TenantModel, TimeStamped):
    """A farm outside the organisation: where a hired sire comes from, where animals were bought or went."""

    name = models.CharField(verbose_name=_("name"), max_length=120)
    holding_number = models.CharField(_("herd or holding number"), max_length=60, blank=True)
    contact = models.CharField(_("contact person or phone"), max_length=160, blank=True)
    location = models.CharField(verbose_name=_("location"), max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="external_farm_tenant_name_uniq")]
        ordering = ["name"]

    def __str__(self):
        return self.name

