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
    HORSE = "horse", _("Horse")
    DONKEY = "donkey", _("Donkey")
    RABBIT = "rabbit", _("Rabbit")
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

    species = models.CharField(verbose_name=_("species"), max_length=10, choices=Species.choices)
    name = models.CharField(verbose_name=_("name"), max_length=80)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["species", "name"], name="breed_species_name_uniq")]
        ordering = ["species", "name"]

    def __str__(self):
        return self.name


class AnimalGroup(TenantModel):
    """A group or pen on one farm."""

    farm = models.ForeignKey("farms.Farm", verbose_name=_("farm"), on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(verbose_name=_("name"), max_length=80)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "farm", "name"], name="group_tenant_farm_name_uniq")]
        ordering = ["name"]

    def __str__(self):
        return self.name


class OutsideSire(TenantModel, TimeStamped):
    """A bull, ram, buck or boar that is not in the herd: an AI sire or another farm's male; or an
    ancestor of one (its dam, its sires back), as a breed society's or AI centre's list gives them,
    so their ancestry counts in every coefficient of inbreeding."""

    name = models.CharField(verbose_name=_("name"), max_length=120)
    sex = models.CharField(verbose_name=_("sex"), max_length=6, choices=Sex.choices, default=Sex.MALE)
    sire = models.ForeignKey("self", verbose_name=_("sire"), on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", limit_choices_to={"sex": "male"})
    dam = models.ForeignKey("self", verbose_name=_("dam"), on_delete=models.SET_NULL, null=True, blank=True,
                            related_name="+", limit_choices_to={"sex": "female"})
    species = models.CharField(verbose_name=_("species"), max_length=10, choices=Species.choices, default=Species.CATTLE)
    breed = models.ForeignKey(Breed, verbose_name=_("breed"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    registration_number = models.CharField(verbose_name=_("registration number"), max_length=60, blank=True)
    owner = models.ForeignKey("farms.ExternalFarm", on_delete=models.PROTECT, null=True, blank=True, related_name="sires",
                              verbose_name=_("owner farm"))
    semen_code = models.CharField(_("semen code (AI)"), max_length=60, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "species", "name"], name="outside_sire_tenant_name_uniq")]
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.semen_code})" if self.semen_code else self.name


class Animal(TenantModel, TimeStamped):
    farm = models.ForeignKey("farms.Farm", verbose_name=_("farm"), on_delete=models.PROTECT, related_name="animals")
    group = models.ForeignKey(AnimalGroup, verbose_name=_("group"), on_delete=models.SET_NULL, null=True, blank=True, related_name="animals")
    species = models.CharField(verbose_name=_("species"), max_length=10, choices=Species.choices, default=Species.CATTLE)
    breed = models.ForeignKey(Breed, verbose_name=_("breed"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    sex = models.CharField(verbose_name=_("sex"), max_length=6, choices=Sex.choices)
    tag = models.CharField(_("management tag"), max_length=40)
    eid = models.CharField(_("EID / RFID"), max_length=40, blank=True)
    name = models.CharField(verbose_name=_("name"), max_length=80, blank=True)
    date_of_birth = models.DateField(verbose_name=_("date of birth"), null=True, blank=True)
    birth_date_estimated = models.BooleanField(verbose_name=_("birth date estimated"), default=False)
    colour = models.CharField(verbose_name=_("colour"), max_length=60, blank=True)
    markings = models.CharField(verbose_name=_("markings"), max_length=200, blank=True)

    dam = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="calves", verbose_name=_("birth dam")
    )
    genetic_dam = models.ForeignKey(
        "self", verbose_name=_("genetic dam"), on_delete=models.SET_NULL, null=True, blank=True, related_name="genetic_offspring",
        help_text=_("Only when different from the birth dam (embryo transfer)."),
    )
    sire = models.ForeignKey("self", verbose_name=_("sire"), on_delete=models.SET_NULL, null=True, blank=True, related_name="sired")
    dam_external = models.CharField(_("outside dam"), max_length=120, blank=True)
    sire_external = models.CharField(_("outside sire"), max_length=120, blank=True)
    registered_sire = models.ForeignKey(OutsideSire, on_delete=models.PROTECT, null=True, blank=True, related_name="offspring",
                                        verbose_name=_("outside sire (register)"))

    castrated = models.BooleanField(verbose_name=_("castrated"), default=False)
    castrated_on = models.DateField(verbose_name=_("castrated on"), null=True, blank=True)

    acquisition = models.CharField(verbose_name=_("acquisition"), max_length=6, choices=Acquisition.choices, default=Acquisition.BORN)
    acquired_on = models.DateField(verbose_name=_("acquired on"), null=True, blank=True)
    purchase_price = models.DecimalField(verbose_name=_("purchase price"), 
        max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    seller = models.CharField(verbose_name=_("seller"), max_length=120, blank=True)

    status = models.CharField(verbose_name=_("status"), max_length=6, choices=Status.choices, default=Status.ACTIVE)
    status_on = models.DateField(verbose_name=_("status on"), null=True, blank=True)
    status_reason = models.CharField(verbose_name=_("status reason"), max_length=200, blank=True)

    photo = models.ImageField(verbose_name=_("photo"), upload_to=tenant_upload_path("animals"), blank=True)

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

    animal = models.ForeignKey(Animal, verbose_name=_("animal"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(verbose_name=_("kind"), max_length=10, choices=Kind.choices)
    on = models.DateField(verbose_name=_("on"))
    weight_kg = models.DecimalField(verbose_name=_("weight kg"), max_digits=7, decimal_places=1, null=True, blank=True)
    method = models.CharField(verbose_name=_("method"), max_length=8, choices=Method.choices, blank=True)
    from_farm = models.ForeignKey("farms.Farm", verbose_name=_("from farm"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    to_farm = models.ForeignKey("farms.Farm", verbose_name=_("to farm"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    from_group = models.ForeignKey(AnimalGroup, verbose_name=_("from group"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    to_group = models.ForeignKey(AnimalGroup, verbose_name=_("to group"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    exit_status = models.CharField(verbose_name=_("exit status"), max_length=6, choices=Status.choices, blank=True)
    reason = models.CharField(verbose_name=_("reason"), max_length=12, choices=DisposalReason.choices, blank=True)
    note = models.CharField(verbose_name=_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey("accounts.Membership", verbose_name=_("recorded by"), on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "animal", "on"], name="event_tenant_animal_on_idx"),
                   models.Index(fields=["tenant", "kind", "on"], name="event_tenant_kind_on_idx")]
        ordering = ["-on", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.on:%d %b %Y}"
