from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from apps.core.models import TenantModel, TimeStamped, tenant_upload_path


class Species(models.TextChoices):
    CATTLE = "cattle", "Cattle"
    GOAT = "goat", "Goat"
    SHEEP = "sheep", "Sheep"
    PIG = "pig", "Pig"
    CAMEL = "camel", "Camel"
    OTHER = "other", "Other"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"


class Status(models.TextChoices):
    ACTIVE = "active", "Active"
    SOLD = "sold", "Sold"
    DEAD = "dead", "Dead"
    CULLED = "culled", "Culled"


class Acquisition(models.TextChoices):
    BORN = "born", "Born on the farm"
    BOUGHT = "bought", "Bought"


class Breed(models.Model):
    """A global lookup: breeds are the same for every tenant."""

    species = models.CharField(max_length=10, choices=Species.choices)
    name = models.CharField(max_length=80)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["species", "name"], name="breed_species_name_uniq")]
        ordering = ["species", "name"]

    def __str__(self):
        return self.name


class AnimalGroup(TenantModel):
    """A group or pen on one farm."""

    farm = models.ForeignKey("farms.Farm", on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=80)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "farm", "name"], name="group_tenant_farm_name_uniq")]
        ordering = ["name"]

    def __str__(self):
        return self.name


class Animal(TenantModel, TimeStamped):
    farm = models.ForeignKey("farms.Farm", on_delete=models.PROTECT, related_name="animals")
    group = models.ForeignKey(AnimalGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="animals")
    species = models.CharField(max_length=10, choices=Species.choices, default=Species.CATTLE)
    breed = models.ForeignKey(Breed, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    sex = models.CharField(max_length=6, choices=Sex.choices)
    tag = models.CharField("management tag", max_length=40)
    eid = models.CharField("EID / RFID", max_length=40, blank=True)
    name = models.CharField(max_length=80, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    birth_date_estimated = models.BooleanField(default=False)
    colour = models.CharField(max_length=60, blank=True)
    markings = models.CharField(max_length=200, blank=True)

    dam = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="calves", verbose_name="birth dam"
    )
    genetic_dam = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="genetic_offspring",
        help_text="Only when different from the birth dam (embryo transfer).",
    )
    sire = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="sired")
    dam_external = models.CharField("outside dam", max_length=120, blank=True)
    sire_external = models.CharField("outside sire", max_length=120, blank=True)

    castrated = models.BooleanField(default=False)
    castrated_on = models.DateField(null=True, blank=True)

    acquisition = models.CharField(max_length=6, choices=Acquisition.choices, default=Acquisition.BORN)
    acquired_on = models.DateField(null=True, blank=True)
    purchase_price = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    seller = models.CharField(max_length=120, blank=True)

    status = models.CharField(max_length=6, choices=Status.choices, default=Status.ACTIVE)
    status_on = models.DateField(null=True, blank=True)
    status_reason = models.CharField(max_length=200, blank=True)

    photo = models.ImageField(upload_to=tenant_upload_path("animals"), blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        constraints = [
            # A tag may be reused once the animal that wore it has left the herd.
            models.UniqueConstraint(
                fields=["tenant", "tag"], condition=Q(status="active"), name="animal_tenant_live_tag_uniq"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "farm", "status"], name="animal_tenant_farm_status_idx"),
            models.Index(fields=["tenant", "tag"], name="animal_tenant_tag_idx"),
            models.Index(fields=["tenant", "eid"], name="animal_tenant_eid_idx"),
            models.Index(fields=["tenant", "date_of_birth"], name="animal_tenant_dob_idx"),
        ]
        ordering = ["tag"]

    def __str__(self):
        return f"{self.tag} {self.name}".strip()

    def get_absolute_url(self):
        return reverse("herd:detail", args=[self.pk])

    @property
    def is_live(self) -> bool:
        return self.status == Status.ACTIVE
