from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import TenantModel, TimeStamped, tenant_upload_path


class Species(models.TextChoices):
    CATTLE = "cattle", _("Cattle")
    GOAT = "goat", _("Goat")
    SHEEP = "sheep", _("Sheep")
    PIG = "pig", _("Pig")
    CAMEL = "camel", _("Camel")
    OTHER = "other", _("Other")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    SOLD = "sold", _("Sold")
    DEAD = "dead", _("Dead")
    CULLED = "culled", _("Culled")


class Acquisition(models.TextChoices):
    BORN = "born", _("Born on the farm")
    BOUGHT = "bought", _("Bought")


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


class OutsideSire(TenantModel, TimeStamped):
    """A bull, ram, buck or boar that is not in the herd: an AI sire or another farm's male."""

    name = models.CharField(max_length=120)
    species = models.CharField(max_length=10, choices=Species.choices, default=Species.CATTLE)
    breed = models.ForeignKey(Breed, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    registration_number = models.CharField(max_length=60, blank=True)
    owner = models.ForeignKey("farms.ExternalFarm", on_delete=models.PROTECT, null=True, blank=True, related_name="sires",
                              verbose_name="owner farm")
    semen_code = models.CharField("semen code (AI)", max_length=60, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "species", "name"], name="outside_sire_tenant_name_uniq")]
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.semen_code})" if self.semen_code else self.name


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
    registered_sire = models.ForeignKey(OutsideSire, on_delete=models.PROTECT, null=True, blank=True, related_name="offspring",
                                        verbose_name="outside sire (register)")

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


class DisposalReason(models.TextChoices):
    INFERTILITY = "infertility", _("Infertility")
    MASTITIS = "mastitis", _("Mastitis")
    LAMENESS = "lameness", _("Lameness")
    LOW_YIELD = "low_yield", _("Low yield")
    AGE = "age", _("Age")
    INJURY = "injury", _("Injury")
    DISEASE = "disease", _("Disease")
    OTHER = "other", _("Other")


class AnimalEvent(TenantModel):
    """One dated event in an animal's life: a weighing, weaning, castration, move between farms or groups, or exit."""

    class Kind(models.TextChoices):
        WEIGHT = "weight", _("Weighed")
        WEANING = "weaning", _("Weaned")
        CASTRATION = "castration", _("Castrated")
        MOVEMENT = "movement", _("Moved")
        DISPOSAL = "disposal", _("Left the herd")

    class Method(models.TextChoices):
        SCALE = "scale", _("Scale")
        TAPE = "tape", _("Weigh band")
        ESTIMATE = "estimate", _("Estimate")

    animal = models.ForeignKey(Animal, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    on = models.DateField()
    weight_kg = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    method = models.CharField(max_length=8, choices=Method.choices, blank=True)
    from_farm = models.ForeignKey("farms.Farm", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    to_farm = models.ForeignKey("farms.Farm", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    from_group = models.ForeignKey(AnimalGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    to_group = models.ForeignKey(AnimalGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    exit_status = models.CharField(max_length=6, choices=Status.choices, blank=True)
    reason = models.CharField(max_length=12, choices=DisposalReason.choices, blank=True)
    note = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "animal", "on"], name="event_tenant_animal_on_idx"),
                   models.Index(fields=["tenant", "kind", "on"], name="event_tenant_kind_on_idx")]
        ordering = ["-on", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.on:%d %b %Y}"
