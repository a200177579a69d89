from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel, TimeStamped, loaded
from apps.health.models import Quarter  # the udder's quarters, shared with mastitis records


class Session(models.TextChoices):
    MORNING = "morning", _("Morning")
    MIDDAY = "midday", _("Midday")
    EVENING = "evening", _("Evening")


class Method(models.TextChoices):
    HAND = "hand", _("Hand")
    MACHINE = "machine", _("Machine")
    ROBOT = "robot", _("Robot")


class Udder(models.TextChoices):
    NORMAL = "normal", _("Normal")
    SWOLLEN = "swollen", _("Swollen")
    HARD = "hard", _("Hard")
    INJURED = "injured", _("Injured")


class Appearance(models.TextChoices):
    NORMAL = "normal", _("Normal")
    CLOTS = "clots", _("Clots")
    WATERY = "watery", _("Watery")
    BLOODY = "bloody", _("Bloody")
    DISCOLOURED = "discoloured", _("Discoloured")


class Lactation(TenantModel, TimeStamped):
    """From calving to drying off: while open, the cow is in milk."""

    animal = models.ForeignKey("herd.Animal", verbose_name=_("animal"), on_delete=models.CASCADE, related_name="lactations")
    number = models.PositiveSmallIntegerField(verbose_name=_("number"), validators=[MinValueValidator(1), MaxValueValidator(20)])
    calving_date = models.DateField(verbose_name=_("calving date"))
    dried_off_on = models.DateField(verbose_name=_("dried off on"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "animal", "number"], name="lactation_tenant_animal_number_uniq"),
            models.UniqueConstraint(
                fields=["tenant", "animal"], condition=Q(dried_off_on=None), name="lactation_tenant_animal_open_uniq"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "animal", "calving_date"], name="lactation_tenant_animal_idx")]
        ordering = ["-calving_date"]

    def __str__(self):
        animal = loaded(self, "animal")
        return f"lactation {self.number} of {animal.tag if animal else self.animal_id}"

    @property
    def is_open(self) -> bool:
        return self.dried_off_on is None


class MilkRecord(TenantModel, TimeStamped):
    farm = models.ForeignKey("farms.Farm", verbose_name=_("farm"), on_delete=models.PROTECT, related_name="+")
    animal = models.ForeignKey("herd.Animal", verbose_name=_("animal"), on_delete=models.PROTECT, related_name="milk_records")
    lactation = models.ForeignKey(Lactation, verbose_name=_("lactation"), on_delete=models.SET_NULL, null=True, blank=True, related_name="records")
    date = models.DateField(verbose_name=_("date"))
    session = models.CharField(verbose_name=_("session"), max_length=8, choices=Session.choices)
    quantity = models.DecimalField(verbose_name=_("quantity"), max_digits=5, decimal_places=2)
    method = models.CharField(verbose_name=_("method"), max_length=8, choices=Method.choices, default=Method.MACHINE)
    duration_minutes = models.PositiveSmallIntegerField(verbose_name=_("duration minutes"), null=True, blank=True)
    milker = models.ForeignKey("accounts.Membership", verbose_name=_("milker"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    fat = models.DecimalField(_("fat %"), max_digits=4, decimal_places=2, null=True, blank=True)
    protein = models.DecimalField(_("protein %"), max_digits=4, decimal_places=2, null=True, blank=True)
    lactose = models.DecimalField(_("lactose %"), max_digits=4, decimal_places=2, null=True, blank=True)
    scc = models.PositiveIntegerField(_("somatic cells per mL"), null=True, blank=True)
    ph = models.DecimalField(_("pH"), max_digits=3, decimal_places=2, null=True, blank=True)
    temperature = models.DecimalField(_("temperature °C"), max_digits=3, decimal_places=1, null=True, blank=True)
    udder = models.CharField(verbose_name=_("udder"), max_length=8, choices=Udder.choices, default=Udder.NORMAL)
    quarter = models.CharField(verbose_name=_("quarter"), max_length=2, choices=Quarter.choices, blank=True)
    appearance = models.CharField(verbose_name=_("appearance"), max_length=12, choices=Appearance.choices, default=Appearance.NORMAL)
    discarded = models.BooleanField(verbose_name=_("discarded"), default=False)
    discard_reason = models.CharField(verbose_name=_("discard reason"), max_length=120, blank=True)
    notes = models.CharField(verbose_name=_("notes"), max_length=300, blank=True)
    visit_count = models.PositiveSmallIntegerField(verbose_name=_("visits"), default=0, db_default=0)  # >0: the sum of its MilkingVisits

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "animal", "date", "session"], name="milk_tenant_animal_day_session_uniq"),
        ]
        indexes = [
            models.Index(fields=["tenant", "farm", "date"], name="milk_tenant_farm_date_idx"),
            models.Index(fields=["tenant", "date"], name="milk_tenant_date_idx"),
        ]
        ordering = ["-date", "session"]

    def __str__(self):
        animal = loaded(self, "animal")
        return f"{self.quantity.normalize():f} from {animal.tag if animal else self.animal_id}, {self.date:%d %b} {self.session}"


class MilkingVisit(TenantModel):
    """One timestamped milking of one cow, by a robot or a parlour meter. A cow may visit a robot several
    times in a session: her session's record is the sum of its visits, and no visit replaces another."""

    record = models.ForeignKey(MilkRecord, verbose_name=_("milk record"), on_delete=models.CASCADE, related_name="visits")
    farm = models.ForeignKey("farms.Farm", verbose_name=_("farm"), on_delete=models.PROTECT, related_name="+")
    animal = models.ForeignKey("herd.Animal", verbose_name=_("animal"), on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(verbose_name=_("started at"))
    # To the ten-thousandth: a visit weighed in kilograms and kept in litres is not rounded before its session adds up.
    quantity = models.DecimalField(verbose_name=_("quantity"), max_digits=7, decimal_places=4)
    duration_seconds = models.PositiveIntegerField(verbose_name=_("duration in seconds"), null=True, blank=True)
    complete = models.BooleanField(verbose_name=_("complete"), default=True)
    fat = models.DecimalField(_("fat %"), max_digits=4, decimal_places=2, null=True, blank=True)
    protein = models.DecimalField(_("protein %"), max_digits=4, decimal_places=2, null=True, blank=True)
    lactose = models.DecimalField(_("lactose %"), max_digits=4, decimal_places=2, null=True, blank=True)
    scc = models.PositiveIntegerField(_("somatic cells per mL"), null=True, blank=True)
    urea = models.DecimalField(_("urea mg/L"), max_digits=6, decimal_places=1, null=True, blank=True)
    conductivity = models.DecimalField(_("conductivity mS/cm"), max_digits=5, decimal_places=2, null=True, blank=True)
    flow = models.DecimalField(_("average flow kg/min"), max_digits=5, decimal_places=2, null=True, blank=True)
    blood = models.BooleanField(_("blood seen"), null=True, blank=True)
    quarters = models.JSONField(verbose_name=_("quarters"), default=list, blank=True)
    remarks = models.JSONField(verbose_name=_("remarks"), default=list, blank=True)
    device = models.CharField(verbose_name=_("device"), max_length=60, blank=True)
    source_id = models.CharField(verbose_name=_("sender's id"), max_length=100, blank=True)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "animal", "started_at"], name="visit_tenant_animal_start_uniq")]
        indexes = [models.Index(fields=["tenant", "farm", "started_at"], name="visit_tenant_farm_start_idx")]
        ordering = ["started_at"]

    def __str__(self):
        return f"visit of {self.animal_id} at {self.started_at:%Y-%m-%d %H:%M}"


class RecordingCode(models.TextChoices):
    DRY = "Dry", _("Dry")
    SAMPLING_IMPOSSIBLE = "SamplingImpossible", _("Sampling impossible")
    SICK = "Sick", _("Sick")


class MilkRecordingResult(TenantModel, TimeStamped):
    """A milk recording organisation's test day for one cow: her 24-hour yield and her sample's analysis."""

    farm = models.ForeignKey("farms.Farm", verbose_name=_("farm"), on_delete=models.PROTECT, related_name="+")
    animal = models.ForeignKey("herd.Animal", verbose_name=_("animal"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(verbose_name=_("test day"))
    quantity = models.DecimalField(verbose_name=_("24-hour yield"), max_digits=5, decimal_places=2, null=True, blank=True)
    fat = models.DecimalField(_("fat %"), max_digits=4, decimal_places=2, null=True, blank=True)
    protein = models.DecimalField(_("protein %"), max_digits=4, decimal_places=2, null=True, blank=True)
    lactose = models.DecimalField(_("lactose %"), max_digits=4, decimal_places=2, null=True, blank=True)
    scc = models.PositiveIntegerField(_("somatic cells per mL"), null=True, blank=True)
    urea = models.DecimalField(_("urea mg/L"), max_digits=6, decimal_places=1, null=True, blank=True)
    code = models.CharField(verbose_name=_("test day code"), max_length=20, choices=RecordingCode.choices, blank=True)
    source_id = models.CharField(verbose_name=_("sender's id"), max_length=100, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "animal", "date"], name="recording_tenant_animal_date_uniq")]
        indexes = [models.Index(fields=["tenant", "farm", "date"], name="recording_tenant_farm_date_idx")]
        ordering = ["-date"]

    def __str__(self):
        return f"test day of {self.animal_id} on {self.date}"


class BulkTankReading(TenantModel, TimeStamped):
    """What the tank (or the buyer's dip) says a farm gave in a session."""

    farm = models.ForeignKey("farms.Farm", verbose_name=_("farm"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(verbose_name=_("date"))
    session = models.CharField(verbose_name=_("session"), max_length=8, choices=Session.choices)
    quantity = models.DecimalField(verbose_name=_("quantity"), max_digits=8, decimal_places=2)
    scc = models.PositiveIntegerField(_("bulk somatic cells per mL"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "farm", "date", "session"], name="bulk_tenant_farm_day_session_uniq"),
        ]


class SummaryFields(models.Model):
    """Per-session totals and the sums that volume-weighted averages are made from.

    Milk is counted three ways: produced (`total`, and `morning`... per session: all that was milked),
    discarded (withheld or spoilt: `discarded`, `morning_discarded`...), and saleable (produced less
    discarded: what can go in the tank).
    """

    morning = models.DecimalField(verbose_name=_("morning"), max_digits=10, decimal_places=2, default=Decimal("0"))
    midday = models.DecimalField(verbose_name=_("midday"), max_digits=10, decimal_places=2, default=Decimal("0"))
    evening = models.DecimalField(verbose_name=_("evening"), max_digits=10, decimal_places=2, default=Decimal("0"))
    total = models.DecimalField(verbose_name=_("total"), max_digits=10, decimal_places=2, default=Decimal("0"))
    discarded = models.DecimalField(verbose_name=_("discarded"), max_digits=10, decimal_places=2, default=Decimal("0"))
    morning_discarded = models.DecimalField(verbose_name=_("morning discarded"), max_digits=10, decimal_places=2, default=Decimal("0"))
    midday_discarded = models.DecimalField(verbose_name=_("midday discarded"), max_digits=10, decimal_places=2, default=Decimal("0"))
    evening_discarded = models.DecimalField(verbose_name=_("evening discarded"), max_digits=10, decimal_places=2, default=Decimal("0"))
    records = models.PositiveIntegerField(verbose_name=_("records"), default=0)
    morning_count = models.PositiveIntegerField(verbose_name=_("morning count"), default=0)
    midday_count = models.PositiveIntegerField(verbose_name=_("midday count"), default=0)
    evening_count = models.PositiveIntegerField(verbose_name=_("evening count"), default=0)
    # Sum of quantity x value, and the quantity that carried a value, for each quality measure.
    fat_weighted = models.DecimalField(verbose_name=_("fat weighted"), max_digits=14, decimal_places=4, default=Decimal("0"))
    fat_volume = models.DecimalField(verbose_name=_("fat volume"), max_digits=10, decimal_places=2, default=Decimal("0"))
    protein_weighted = models.DecimalField(verbose_name=_("protein weighted"), max_digits=14, decimal_places=4, default=Decimal("0"))
    protein_volume = models.DecimalField(verbose_name=_("protein volume"), max_digits=10, decimal_places=2, default=Decimal("0"))
    scc_weighted = models.DecimalField(verbose_name=_("scc weighted"), max_digits=20, decimal_places=2, default=Decimal("0"))
    scc_volume = models.DecimalField(verbose_name=_("scc volume"), max_digits=10, decimal_places=2, default=Decimal("0"))

    class Meta:
        abstract = True

    @property
    def saleable(self) -> Decimal:
        return self.total - self.discarded

    def session_milk(self, session: str) -> dict:
        """A session's milk: produced, discarded and saleable."""
        produced, discarded = getattr(self, session), getattr(self, f"{session}_discarded")
        return {"produced": produced, "discarded": discarded, "saleable": produced - discarded}

    def _average(self, weighted, volume):
        return (weighted / volume) if volume else None

    @property
    def fat(self):
        return self._average(self.fat_weighted, self.fat_volume)

    @property
    def protein(self):
        return self._average(self.protein_weighted, self.protein_volume)

    @property
    def scc(self):
        return self._average(self.scc_weighted, self.scc_volume)


class FarmDaySummary(TenantModel, SummaryFields):
    farm = models.ForeignKey("farms.Farm", verbose_name=_("farm"), on_delete=models.CASCADE, related_name="+")
    date = models.DateField(verbose_name=_("date"))
    cows_milked = models.PositiveIntegerField(verbose_name=_("cows milked"), default=0)
    # The sessions announced as completed ("morning,evening"): a later change to one is a correction.
    announced = models.CharField(verbose_name=_("sessions announced"), max_length=30, blank=True, default="", db_default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "farm", "date"], name="farmday_tenant_farm_date_uniq")]


class AnimalDaySummary(TenantModel, SummaryFields):
    animal = models.ForeignKey("herd.Animal", verbose_name=_("animal"), on_delete=models.CASCADE, related_name="+")
    farm = models.ForeignKey("farms.Farm", verbose_name=_("farm"), on_delete=models.CASCADE, related_name="+")
    date = models.DateField(verbose_name=_("date"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "animal", "date"], name="animalday_tenant_animal_date_uniq")]
        indexes = [models.Index(fields=["tenant", "farm", "date"], name="animalday_tenant_farm_date_idx")]


class AlertKind(models.TextChoices):
    HIGH_SCC = "high_scc", _("High cell count")
    REPEAT_SCC = "repeat_scc", _("Raised cell count on two tests")
    APPEARANCE = "appearance", _("Abnormal milk")
    UDDER = "udder", _("Udder problem")
    YIELD_DROP = "yield_drop", _("Yield drop")


class QualityAlert(TenantModel):
    animal = models.ForeignKey("herd.Animal", verbose_name=_("animal"), on_delete=models.CASCADE, related_name="+")
    farm = models.ForeignKey("farms.Farm", verbose_name=_("farm"), on_delete=models.CASCADE, related_name="+")
    date = models.DateField(verbose_name=_("date"))
    session = models.CharField(verbose_name=_("session"), max_length=8, choices=Session.choices)
    kind = models.CharField(verbose_name=_("kind"), max_length=12, choices=AlertKind.choices)
    message = models.CharField(verbose_name=_("message"), max_length=200)
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    resolved_at = models.DateTimeField(verbose_name=_("resolved at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "animal", "date", "session", "kind"], name="alert_tenant_animal_day_kind_uniq"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "farm", "date"], name="alert_tenant_farm_date_idx")]
        ordering = ["-date", "-created_at"]

    def __str__(self):
        return self.message
