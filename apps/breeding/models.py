"""Heats, services and pregnancy checks: the breeding calendar of each female."""

from django.db import models

from apps.core.models import TenantModel, TimeStamped, loaded


class Heat(TenantModel):
    animal = models.ForeignKey("herd.Animal", on_delete=models.PROTECT, related_name="heats")
    farm = models.ForeignKey("farms.Farm", on_delete=models.PROTECT, related_name="+")
    observed_on = models.DateField()
    signs = models.CharField(max_length=200, blank=True, help_text="Standing to be mounted, mucus, restless…")
    recorded_by = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["tenant", "animal", "observed_on"], name="heat_tenant_animal_idx")]


class Service(TenantModel, TimeStamped):
    class Method(models.TextChoices):
        AI = "ai", "Artificial insemination"
        NATURAL = "natural", "Natural service"
        EMBRYO = "embryo", "Embryo transfer"

    animal = models.ForeignKey("herd.Animal", on_delete=models.PROTECT, related_name="services")
    farm = models.ForeignKey("farms.Farm", on_delete=models.PROTECT, related_name="+")
    served_on = models.DateField()
    method = models.CharField(max_length=8, choices=Method.choices)
    sire = models.ForeignKey("herd.Animal", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             help_text="A male of the herd.")
    outside_sire = models.CharField(max_length=120, blank=True, help_text="An AI bull or a hired sire, by name.")
    straw = models.CharField("straw code or batch", max_length=60, blank=True)
    technician = models.CharField(max_length=120, blank=True)
    inbreeding = models.DecimalField("inbreeding of the calf (%)", max_digits=5, decimal_places=2, null=True, blank=True)
    recorded_by = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["tenant", "farm", "served_on"], name="service_tenant_farm_idx"),
                   models.Index(fields=["tenant", "animal", "served_on"], name="service_tenant_animal_idx")]
        ordering = ["-served_on", "-id"]

    def __str__(self):
        animal = loaded(self, "animal")
        return f"service of {animal.tag if animal else self.animal_id} on {self.served_on:%d %b %Y}"


class PregnancyCheck(TenantModel):
    class Method(models.TextChoices):
        PALPATION = "palpation", "Palpation"
        ULTRASOUND = "ultrasound", "Ultrasound"
        BLOOD = "blood", "Blood test"
        MILK = "milk", "Milk test"

    class Result(models.TextChoices):
        PREGNANT = "pregnant", "Pregnant"
        OPEN = "open", "Open"
        RECHECK = "recheck", "Recheck"

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="checks")
    checked_on = models.DateField()
    method = models.CharField(max_length=10, choices=Method.choices)
    result = models.CharField(max_length=8, choices=Result.choices)
    foetal_age_days = models.PositiveSmallIntegerField(null=True, blank=True)
    expected_birth_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["tenant", "service", "checked_on"], name="check_tenant_service_idx")]
        ordering = ["-checked_on", "-id"]


class Birth(TenantModel, TimeStamped):
    """A calving, kidding, lambing or farrowing (or an abortion), with its offspring."""

    animal = models.ForeignKey("herd.Animal", on_delete=models.PROTECT, related_name="births")
    farm = models.ForeignKey("farms.Farm", on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, null=True, blank=True, related_name="births")
    born_on = models.DateField()
    ease = models.PositiveSmallIntegerField(help_text="1 unassisted … 5 caesarean")
    premature = models.BooleanField(default=False)
    aborted = models.BooleanField(default=False)
    offspring = models.JSONField(default=list, help_text="Each: sex, outcome, tag, weight, and the animal id when alive.")
    recorded_by = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["tenant", "animal", "born_on"], name="birth_tenant_animal_idx")]
        ordering = ["-born_on", "-id"]
