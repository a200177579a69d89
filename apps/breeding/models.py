"""Heats, services and pregnancy checks: the breeding calendar of each female."""

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TenantModel, TimeStamped, loaded
from apps.core.words import label
from apps.herd.models import Sex


class Heat(TenantModel):
    animal = models.ForeignKey("herd.Animal", verbose_name=_("animal"), on_delete=models.PROTECT, related_name="heats")
    farm = models.ForeignKey("farms.Farm", verbose_name=_("farm"), on_delete=models.PROTECT, related_name="+")
    observed_on = models.DateField(verbose_name=_("observed on"))
    observed_time = models.TimeField(_("time"), null=True, blank=True)
    signs = models.CharField(verbose_name=_("signs"), max_length=200, blank=True, help_text=_("Standing to be mounted, mucus, restless…"))
    recorded_by = models.ForeignKey("accounts.Membership", verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["tenant", "animal", "observed_on"], name="heat_tenant_animal_idx")]


class Service(TenantModel, TimeStamped):
    class Method(models.TextChoices):
        AI = "ai", _("Artificial insemination")
        NATURAL = "natural", _("Natural service")
        EMBRYO = "embryo", _("Embryo transfer")

    animal = models.ForeignKey("herd.Animal", verbose_name=_("animal"), on_delete=models.PROTECT, related_name="services")
    farm = models.ForeignKey("farms.Farm", verbose_name=_("farm"), on_delete=models.PROTECT, related_name="+")
    served_on = models.DateField(verbose_name=_("served on"))
    served_time = models.TimeField(_("time"), null=True, blank=True)
    method = models.CharField(verbose_name=_("method"), max_length=8, choices=Method.choices)
    sire = models.ForeignKey("herd.Animal", verbose_name=_("sire"), on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             help_text=_("A male of the herd."))
    registered_sire = models.ForeignKey("herd.OutsideSire", on_delete=models.PROTECT, null=True, blank=True, related_name="services",
                                        verbose_name=_("outside sire (register)"))
    outside_sire = models.CharField(verbose_name=_("outside sire"), max_length=120, blank=True, help_text=_("An AI bull or a hired sire, by name."))
    genetic_dam = models.ForeignKey("herd.Animal", verbose_name=_("genetic dam"), on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    help_text=_("Embryo transfer: the donor of the embryo."))
    embryo_age_days = models.PositiveSmallIntegerField(
        _("embryo age at transfer (days)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("Embryo transfer: days since fertilisation (usually 7)."))
    hire = models.ForeignKey("SireHire", verbose_name=_("hire"), on_delete=models.PROTECT, null=True, blank=True, related_name="services")
    straw = models.CharField(_("straw code or batch"), max_length=60, blank=True)
    technician = models.CharField(verbose_name=_("technician"), max_length=120, blank=True)
    inbreeding = models.DecimalField(_("inbreeding of the calf (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    recorded_by = models.ForeignKey("accounts.Membership", verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["tenant", "farm", "served_on"], name="service_tenant_farm_idx"),
                   models.Index(fields=["tenant", "animal", "served_on"], name="service_tenant_animal_idx")]
        ordering = ["-served_on", "-id"]

    @property
    def conceived_on(self) -> dt.date:
        """The day the calf was conceived: the service, or an embryo transfer less the embryo's age."""
        return self.served_on - dt.timedelta(days=self.embryo_age_days or 0)

    def __str__(self):
        animal = loaded(self, "animal")
        return f"service of {animal.tag if animal else self.animal_id} on {self.served_on:%d %b %Y}"


class PregnancyCheck(TenantModel):
    class Method(models.TextChoices):
        PALPATION = "palpation", _("Palpation")
        ULTRASOUND = "ultrasound", _("Ultrasound")
        BLOOD = "blood", _("Blood test")
        MILK = "milk", _("Milk test")

    class Result(models.TextChoices):
        PREGNANT = "pregnant", _("Pregnant")
        OPEN = "open", _("Open")
        RECHECK = "recheck", _("Recheck")

    service = models.ForeignKey(Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="checks")
    checked_on = models.DateField(verbose_name=_("checked on"))
    method = models.CharField(verbose_name=_("method"), max_length=10, choices=Method.choices)
    result = models.CharField(verbose_name=_("result"), max_length=8, choices=Result.choices)
    foetal_age_days = models.PositiveSmallIntegerField(verbose_name=_("foetal age days"), null=True, blank=True)
    expected_birth_on = models.DateField(verbose_name=_("expected birth on"), null=True, blank=True)
    recorded_by = models.ForeignKey("accounts.Membership", verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["tenant", "service", "checked_on"], name="check_tenant_service_idx")]
        ordering = ["-checked_on", "-id"]


class Outcome(models.TextChoices):
    """What became of one of a birth's offspring."""

    ALIVE = "alive", _("Alive")
    STILLBORN = "stillborn", _("Stillborn")
    DIED = "died", _("Died")


class Birth(TenantModel, TimeStamped):
    """A calving, kidding, lambing or farrowing (or an abortion), with its offspring."""

    animal = models.ForeignKey("herd.Animal", verbose_name=_("animal"), on_delete=models.PROTECT, related_name="births")
    farm = models.ForeignKey("farms.Farm", verbose_name=_("farm"), on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(Service, verbose_name=_("service"), on_delete=models.PROTECT, null=True, blank=True, related_name="births")
    born_on = models.DateField(verbose_name=_("born on"))
    ease = models.PositiveSmallIntegerField(verbose_name=_("ease"), help_text=_("1 unassisted … 5 caesarean"))
    premature = models.BooleanField(verbose_name=_("premature"), default=False)
    aborted = models.BooleanField(verbose_name=_("aborted"), default=False)
    offspring = models.JSONField(verbose_name=_("offspring"), default=list, help_text=_("Each: sex, outcome, tag, weight, and the animal id when alive."))
    recorded_by = models.ForeignKey("accounts.Membership", verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")
    voided_at = models.DateTimeField(verbose_name=_("voided at"), null=True, blank=True)
    void_reason = models.CharField(verbose_name=_("void reason"), max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "animal", "born_on"], name="birth_tenant_animal_idx")]
        ordering = ["-born_on", "-id"]

    def offspring_shown(self) -> list[dict]:
        """The offspring with their sex and outcome in the reader's language ("female, alive": femelle, vivant)."""
        return [{**young, "sex_label": label(Sex, young.get("sex", "")).lower(),
                 "outcome_label": label(Outcome, young.get("outcome", "")).lower()} for young in self.offspring]


class SireHire(TenantModel, TimeStamped):
    """A sire hired from another farm, or one of ours lent to it, for a period and a fee."""

    class Direction(models.TextChoices):
        HIRE_IN = "in", _("Hired from another farm")
        LEND_OUT = "out", _("Lent to another farm")

    class Basis(models.TextChoices):
        FLAT = "flat", _("Flat fee")
        PER_DAY = "day", _("Per day")
        PER_SERVICE = "service", _("Per service")

    direction = models.CharField(verbose_name=_("direction"), max_length=3, choices=Direction.choices, default=Direction.HIRE_IN)
    farm = models.ForeignKey("farms.Farm", verbose_name=_("farm"), on_delete=models.PROTECT, related_name="+", help_text=_("Our farm."))
    other_farm = models.ForeignKey("farms.ExternalFarm", verbose_name=_("other farm"), on_delete=models.PROTECT, related_name="hires")
    outside_sire = models.ForeignKey("herd.OutsideSire", verbose_name=_("outside sire"), on_delete=models.PROTECT, null=True, blank=True, related_name="hires")
    own_sire = models.ForeignKey("herd.Animal", verbose_name=_("own sire"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    starts_on = models.DateField(verbose_name=_("starts on"))
    ends_on = models.DateField(verbose_name=_("ends on"))
    basis = models.CharField(verbose_name=_("basis"), max_length=7, choices=Basis.choices, default=Basis.FLAT)
    fee = models.DecimalField(verbose_name=_("fee"), max_digits=12, decimal_places=2)
    terms = models.CharField(verbose_name=_("terms"), max_length=500, blank=True)
    invoice = models.ForeignKey("finance.Invoice", verbose_name=_("invoice"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_by = models.ForeignKey("accounts.Membership", verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["tenant", "ends_on"], name="hire_tenant_ends_idx")]
        ordering = ["-starts_on", "-id"]

    def __str__(self):
        sire = loaded(self, "outside_sire") or loaded(self, "own_sire")
        return f"hire of {sire or 'a sire'} {self.starts_on:%d %b}–{self.ends_on:%d %b %Y}"

    @property
    def sire(self):
        return self.outside_sire if self.direction == self.Direction.HIRE_IN else self.own_sire


class Task(TenantModel, TimeStamped):
    """A job on a farm set by someone, maybe for an animal or a group, done or skipped by someone."""

    class Repeat(models.TextChoices):
        NONE = "", _("Once")
        DAILY = "daily", _("Every day")
        WEEKLY = "weekly", _("Every week")
        MONTHLY = "monthly", _("Every month")

    class State(models.TextChoices):
        OPEN = "open", _("To do")
        DONE = "done", _("Done")
        SKIPPED = "skipped", _("Skipped")

    farm = models.ForeignKey("farms.Farm", verbose_name=_("farm"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(verbose_name=_("title"), max_length=160)
    animal = models.ForeignKey("herd.Animal", verbose_name=_("animal"), on_delete=models.CASCADE, null=True, blank=True, related_name="tasks")
    group = models.ForeignKey("herd.AnimalGroup", verbose_name=_("group"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    due_on = models.DateField(verbose_name=_("due on"))
    assignee = models.ForeignKey("accounts.Membership", verbose_name=_("assignee"), on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks")
    repeat = models.CharField(verbose_name=_("repeat"), max_length=8, choices=Repeat.choices, blank=True, default="")
    state = models.CharField(verbose_name=_("state"), max_length=8, choices=State.choices, default=State.OPEN)
    closed_at = models.DateTimeField(verbose_name=_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey("accounts.Membership", verbose_name=_("closed by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    notified_on = models.DateField(verbose_name=_("notified on"), null=True, blank=True)
    created_by = models.ForeignKey("accounts.Membership", verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["tenant", "farm", "state", "due_on"], name="task_tenant_farm_due_idx")]
        ordering = ["due_on", "id"]

    def __str__(self):
        return self.title
