"""Treatments and their administrations: the medicine book, and the withdrawals they set."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel, TimeStamped, loaded


class Quarter(models.TextChoices):
    LF = "LF", _("Left front")
    RF = "RF", _("Right front")
    LH = "LH", _("Left hind")
    RH = "RH", _("Right hind")


class Route(models.TextChoices):
    INTRAMUSCULAR = "im", _("Intramuscular")
    INTRAVENOUS = "iv", _("Intravenous")
    SUBCUTANEOUS = "sc", _("Subcutaneous")
    ORAL = "oral", _("Oral")
    INTRAMAMMARY = "intramammary", _("Intramammary")
    TOPICAL = "topical", _("Topical")
    OTHER = "other", _("Other")


class Treatment(TenantModel, TimeStamped):
    class Kind(models.TextChoices):
        TREATMENT = "treatment", _("Treatment")
        VACCINATION = "vaccination", _("Vaccination")

    kind = models.CharField(verbose_name=_("kind"), max_length=12, choices=Kind.choices, default=Kind.TREATMENT)
    animal = models.ForeignKey("herd.Animal", verbose_name=_("animal"), on_delete=models.PROTECT, related_name="treatments")
    farm = models.ForeignKey("farms.Farm", verbose_name=_("farm"), on_delete=models.PROTECT, related_name="+")
    diagnosis = models.CharField(verbose_name=_("diagnosis"), max_length=200)
    item = models.ForeignKey("stock.StockItem", verbose_name=_("item"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    product_name = models.CharField(verbose_name=_("product name"), max_length=120, help_text=_("The product as given (from stock or bought in)."))
    dose = models.DecimalField(verbose_name=_("dose"), max_digits=10, decimal_places=3)
    dose_unit = models.CharField(verbose_name=_("dose unit"), max_length=20)
    route = models.CharField(verbose_name=_("route"), max_length=12, choices=Route.choices)
    quarter = models.CharField(verbose_name=_("quarter"), max_length=2, choices=Quarter.choices, blank=True)
    administrations_planned = models.PositiveSmallIntegerField(verbose_name=_("administrations planned"), default=1)
    interval_hours = models.PositiveSmallIntegerField(verbose_name=_("interval hours"), default=24)
    prescribing_vet = models.CharField(verbose_name=_("prescribing vet"), max_length=120, blank=True)
    prescription_ref = models.CharField(_("prescription reference"), max_length=60, blank=True)
    off_label = models.BooleanField(verbose_name=_("off label"), default=False)
    milk_withdrawal_hours = models.PositiveIntegerField(verbose_name=_("milk withdrawal hours"))
    meat_withdrawal_days = models.PositiveIntegerField(verbose_name=_("meat withdrawal days"))
    withdrawal_note = models.CharField(verbose_name=_("withdrawal note"), max_length=200, blank=True, help_text=_("Why the periods differ from the label's."))
    recorded_by = models.ForeignKey("accounts.Membership", verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")
    # Kept up to date with each administration, so the parlour can ask "who is withheld?" in one query.
    first_given_at = models.DateTimeField(verbose_name=_("first given at"), null=True, blank=True)
    last_given_at = models.DateTimeField(verbose_name=_("last given at"), null=True, blank=True)
    milk_withdrawal_ends_at = models.DateTimeField(verbose_name=_("milk withdrawal ends at"), null=True, blank=True)
    withdrawal_end_announced = models.BooleanField(verbose_name=_("withdrawal end announced"), default=False, help_text=_("The end of the milk withdrawal was announced."))
    meat_withdrawal_ends_on = models.DateField(verbose_name=_("meat withdrawal ends on"), null=True, blank=True)
    voided_at = models.DateTimeField(verbose_name=_("voided at"), null=True, blank=True)
    void_reason = models.CharField(verbose_name=_("void reason"), max_length=200, blank=True)
    next_due_on = models.DateField(verbose_name=_("next due on"), null=True, blank=True, help_text=_("A vaccination's booster, from the product's interval."))

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "kind", "next_due_on"], name="treatment_kind_due_idx"),
            models.Index(fields=["tenant", "animal", "milk_withdrawal_ends_at"], name="treatment_animal_milk_idx"),
            models.Index(fields=["tenant", "farm", "milk_withdrawal_ends_at"], name="treatment_farm_milk_idx"),
        ]
        ordering = ["-first_given_at", "-id"]

    def __str__(self):
        animal = loaded(self, "animal")
        return f"{self.product_name} for {animal.tag if animal else self.animal_id}"


class Administration(TenantModel):
    treatment = models.ForeignKey(Treatment, verbose_name=_("treatment"), on_delete=models.PROTECT, related_name="administrations")
    batch = models.ForeignKey("stock.Batch", verbose_name=_("batch"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    lot = models.CharField(verbose_name=_("lot"), max_length=60, blank=True, help_text=_("The batch as written on a product bought in."))
    given_at = models.DateTimeField(verbose_name=_("given at"))
    dose = models.DecimalField(verbose_name=_("dose"), max_digits=10, decimal_places=3, default=Decimal("0"))
    given_by = models.ForeignKey("accounts.Membership", verbose_name=_("given by"), on_delete=models.PROTECT, related_name="+")
    voided_at = models.DateTimeField(verbose_name=_("voided at"), null=True, blank=True)
    void_reason = models.CharField(verbose_name=_("void reason"), max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "given_at"], name="administration_tenant_at_idx")]
        ordering = ["given_at", "id"]

    def __str__(self):
        return f"dose {self.dose} at {self.given_at:%d %b %H:%M}"


class Finding(models.TextChoices):
    MASTITIS = "mastitis", _("Mastitis")
    LAMENESS = "lameness", _("Lameness")
    MILK_FEVER = "milk_fever", _("Milk fever")
    KETOSIS = "ketosis", _("Ketosis")
    RETAINED_PLACENTA = "retained_placenta", _("Retained placenta")
    METRITIS = "metritis", _("Metritis")
    DISPLACED_ABOMASUM = "displaced_abomasum", _("Displaced abomasum")
    PNEUMONIA = "pneumonia", _("Pneumonia")
    SCOURS = "scours", _("Scours")
    BLOAT = "bloat", _("Bloat")
    INJURY = "injury", _("Injury")
    OTHER = "other", _("Other")


class Foot(models.TextChoices):
    LF = "lf", _("Left fore")
    RF = "rf", _("Right fore")
    LH = "lh", _("Left hind")
    RH = "rh", _("Right hind")


class HealthCheck(TenantModel, TimeStamped):
    animal = models.ForeignKey("herd.Animal", verbose_name=_("animal"), on_delete=models.PROTECT, related_name="health_checks")
    farm = models.ForeignKey("farms.Farm", verbose_name=_("farm"), on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(verbose_name=_("checked at"))
    checked_by = models.ForeignKey("accounts.Membership", verbose_name=_("checked by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    outside_vet = models.CharField(verbose_name=_("outside vet"), max_length=120, blank=True)
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=4, decimal_places=1, null=True, blank=True)
    heart_rate = models.PositiveSmallIntegerField(_("heart rate (beats/min)"), null=True, blank=True)
    respiratory_rate = models.PositiveSmallIntegerField(_("respiratory rate (breaths/min)"), null=True, blank=True)
    body_condition = models.DecimalField(_("body condition score"), max_digits=3, decimal_places=2, null=True, blank=True)
    mobility = models.PositiveSmallIntegerField(_("mobility score (0-3)"), null=True, blank=True)
    weight = models.DecimalField(_("weight (kg)"), max_digits=7, decimal_places=1, null=True, blank=True)
    findings = models.JSONField(verbose_name=_("findings"), default=list, blank=True)
    quarter = models.CharField(verbose_name=_("quarter"), max_length=2, choices=Quarter.choices, blank=True, help_text=_("For mastitis."))
    foot = models.CharField(verbose_name=_("foot"), max_length=2, choices=Foot.choices, blank=True, help_text=_("For lameness."))
    notes = models.TextField(verbose_name=_("notes"), blank=True, max_length=2000)
    recorded_by = models.ForeignKey("accounts.Membership", verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["tenant", "animal", "checked_at"], name="healthcheck_animal_at_idx")]
        ordering = ["-checked_at"]

    def __str__(self):
        animal = loaded(self, "animal")
        return f"check of {animal.tag if animal else self.animal_id}"
