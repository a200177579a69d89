"""Treatments and their administrations: the medicine book, and the withdrawals they set."""

from decimal import Decimal

from django.db import models

from apps.core.models import TenantModel, TimeStamped, loaded


class Route(models.TextChoices):
    INTRAMUSCULAR = "im", "Intramuscular"
    INTRAVENOUS = "iv", "Intravenous"
    SUBCUTANEOUS = "sc", "Subcutaneous"
    ORAL = "oral", "Oral"
    INTRAMAMMARY = "intramammary", "Intramammary"
    TOPICAL = "topical", "Topical"
    OTHER = "other", "Other"


class Quarter(models.TextChoices):
    FL = "fl", "Front left"
    FR = "fr", "Front right"
    RL = "rl", "Rear left"
    RR = "rr", "Rear right"


class Treatment(TenantModel, TimeStamped):
    class Kind(models.TextChoices):
        TREATMENT = "treatment", "Treatment"
        VACCINATION = "vaccination", "Vaccination"

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.TREATMENT)
    animal = models.ForeignKey("herd.Animal", on_delete=models.PROTECT, related_name="treatments")
    farm = models.ForeignKey("farms.Farm", on_delete=models.PROTECT, related_name="+")
    diagnosis = models.CharField(max_length=200)
    item = models.ForeignKey("stock.StockItem", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    product_name = models.CharField(max_length=120, help_text="The product as given (from stock or bought in).")
    dose = models.DecimalField(max_digits=10, decimal_places=3)
    dose_unit = models.CharField(max_length=20)
    route = models.CharField(max_length=12, choices=Route.choices)
    quarter = models.CharField(max_length=2, choices=Quarter.choices, blank=True)
    administrations_planned = models.PositiveSmallIntegerField(default=1)
    interval_hours = models.PositiveSmallIntegerField(default=24)
    prescribing_vet = models.CharField(max_length=120, blank=True)
    prescription_ref = models.CharField("prescription reference", max_length=60, blank=True)
    off_label = models.BooleanField(default=False)
    milk_withdrawal_hours = models.PositiveIntegerField()
    meat_withdrawal_days = models.PositiveIntegerField()
    withdrawal_note = models.CharField(max_length=200, blank=True, help_text="Why the periods differ from the label's.")
    recorded_by = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="+")
    # Kept up to date with each administration, so the parlour can ask "who is withheld?" in one query.
    first_given_at = models.DateTimeField(null=True, blank=True)
    last_given_at = models.DateTimeField(null=True, blank=True)
    milk_withdrawal_ends_at = models.DateTimeField(null=True, blank=True)
    meat_withdrawal_ends_on = models.DateField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=200, blank=True)
    next_due_on = models.DateField(null=True, blank=True, help_text="A vaccination's booster, from the product's interval.")

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
    treatment = models.ForeignKey(Treatment, on_delete=models.PROTECT, related_name="administrations")
    batch = models.ForeignKey("stock.Batch", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    lot = models.CharField(max_length=60, blank=True, help_text="The batch as written on a product bought in.")
    given_at = models.DateTimeField()
    dose = models.DecimalField(max_digits=10, decimal_places=3, default=Decimal("0"))
    given_by = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="+")
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "given_at"], name="administration_tenant_at_idx")]
        ordering = ["given_at", "id"]

    def __str__(self):
        return f"dose {self.dose} at {self.given_at:%d %b %H:%M}"
