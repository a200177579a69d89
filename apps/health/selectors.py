"""Reads for animal health, scoped to the member's organisation and farms."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.permissions import visible_to
from apps.core.words import day_time
from apps.farms.milkings import SESSION_LABELS

from . import vitals, withdrawal
from .models import Finding, HealthCheck, Treatment


def treatments_for(membership):
    return visible_to(Treatment.objects.select_related("animal", "farm", "item", "recorded_by__user__profile"), membership)


def get_treatment_for(membership, pk: int) -> Treatment:
    treatment = treatments_for(membership).filter(pk=pk).first()
    if treatment is None:
        raise Http404
    return treatment


def under_withdrawal(membership, *, at: dt.datetime | None = None):
    """Treatments whose milk or meat withdrawal still runs, soonest end first (the legal end; see
    withdrawals_now for the session the milk is clean from)."""
    at = at or timezone.now()
    return (
        treatments_for(membership).filter(voided_at=None)
        .filter(Q(milk_withdrawal_ends_at__gt=at) | Q(meat_withdrawal_ends_on__gte=timezone.localdate(at)))
        .order_by("milk_withdrawal_ends_at", "meat_withdrawal_ends_on")
    )


@dataclass(frozen=True)
class Withdrawal:
    """A treatment whose withdrawal runs, with the farm's first milking that is clean again."""

    treatment: Treatment
    clean_day: dt.date | None = None  # the first session starting at or after the end of milk withdrawal
    clean_session: str = ""
    clean_at: dt.datetime | None = None

    @property
    def milk_withheld(self) -> bool:
        return self.clean_at is not None

    @property
    def session_word(self) -> str:
        return str(SESSION_LABELS[self.clean_session]).lower() if self.clean_session else ""


def withdrawal_of(treatment: Treatment, at: dt.datetime) -> Withdrawal:
    ends = treatment.milk_withdrawal_ends_at
    if ends is None or treatment.voided_at:
        return Withdrawal(treatment)
    milkings = treatment.farm.milkings
    day, session = withdrawal.first_clean_session(ends, milkings)
    clean_at = milkings.starts_at(day, session)
    if clean_at <= at:
        return Withdrawal(treatment)
    return Withdrawal(treatment, day, session, clean_at)


# Between the legal end of a milk withdrawal and the start of the next session: less than a day.
LONGEST_WAIT_FOR_A_SESSION = dt.timedelta(days=1)


def withdrawals_now(membership, *, at: dt.datetime | None = None, limit: int = 100) -> list[Withdrawal]:
    """Animals whose milk is withheld until a session of their farm that has not started yet, or whose
    meat withdrawal runs: the parlour's rule, so this list and the milking entry page agree. Each comes with its
    animal and farm (the farm's milking times say when the milk is clean), not the medicine or who recorded it:
    the lists show neither, and the four tables more cost the planner more than the rows."""
    at = at or timezone.now()
    treatments = (
        visible_to(Treatment.objects.select_related("animal", "farm"), membership).filter(voided_at=None)
        .filter(Q(milk_withdrawal_ends_at__gt=at - LONGEST_WAIT_FOR_A_SESSION)
                | Q(meat_withdrawal_ends_on__gte=timezone.localdate(at) - dt.timedelta(days=1)))
        .order_by("milk_withdrawal_ends_at", "meat_withdrawal_ends_on")
    )
    rows = []
    for treatment in treatments.iterator(chunk_size=200):
        row = withdrawal_of(treatment, at)
        meat = treatment.meat_withdrawal_ends_on and treatment.meat_withdrawal_ends_on >= treatment.farm.local_now().date()
        if row.milk_withheld or meat:
            rows.append(row)
            if len(rows) == limit:
                break
    return rows


def milk_withdrawal_ends(tenant_id: int, window: tuple[dt.datetime, dt.datetime]) -> Subquery:
    """An annotation for animals: when the milk withdrawal covering a session ends (None when her
    milk is clean), given the session's window (withdrawal.session_window). The rule is
    withdrawal.milk_withheld's.

    The milking entry page and the row save annotate their cow queries with it, so knowing about
    withdrawals costs no query of its own.
    """
    covering = _covering(Treatment.objects.unscoped(), tenant_id, OuterRef("pk"), window)
    return Subquery(covering.order_by("-milk_withdrawal_ends_at").values("milk_withdrawal_ends_at")[:1])


def _covering(treatments, tenant_id: int, animal, window: tuple[dt.datetime, dt.datetime]):
    """Treatments whose milk withdrawal covers the session (withdrawal.milk_withheld's rule)."""
    starts, dosed_by = window
    return treatments.filter(tenant_id=tenant_id, animal=animal, voided_at=None, first_given_at__lt=dosed_by,
                             milk_withdrawal_ends_at__gt=starts)


def annotate_milk_withdrawal(queryset, *, tenant_id: int, farm, day: dt.date, session: str):
    """Animals annotated with `withdrawal_ends` for a session of the farm (see milk_withdrawal_ends)."""
    return queryset.annotate(withdrawal_ends=milk_withdrawal_ends(
        tenant_id, withdrawal.session_window(farm.milkings, day, session)))


def milk_withdrawal_for(animal, farm, day: dt.date, session: str) -> dt.datetime | None:
    """When the milk withdrawal covering this cow's session ends, or None (one query; a list of cows is annotated
    instead: annotate_milk_withdrawal)."""
    covering = _covering(Treatment.objects.all(), animal.tenant_id, animal.pk,
                         withdrawal.session_window(farm.milkings, day, session))
    return covering.aggregate(ends=Max("milk_withdrawal_ends_at"))["ends"]


def meat_withdrawal_until(animal) -> dt.date | None:
    """The last day of the animal's meat withdrawal, if one runs today or later."""
    return Treatment.objects.filter(tenant_id=animal.tenant_id, animal=animal, voided_at=None).aggregate(
        until=Max("meat_withdrawal_ends_on"))["until"]


def vaccinations_due(membership, *, within_days: int = 7):
    """Boosters due (or late) within the window: each animal's latest vaccination with a product,
    when no later one of the same product was given, for animals still in the herd."""
    until = timezone.localdate() + dt.timedelta(days=within_days)
    later = Treatment.objects.unscoped().filter(
        tenant_id=membership.tenant_id, kind=Treatment.Kind.VACCINATION, animal=OuterRef("animal"), item=OuterRef("item"),
        voided_at=None, first_given_at__gt=OuterRef("first_given_at"),
    )
    return (
        treatments_for(membership)
        .filter(kind=Treatment.Kind.VACCINATION, voided_at=None, next_due_on__lte=until, animal__status="active")
        .exclude(Exists(later))
        .order_by("next_due_on", "animal__tag")
    )


VITAL_NAMES = {"temperature": gettext_lazy("temperature"), "heart_rate": gettext_lazy("heart rate"),
               "respiratory_rate": gettext_lazy("respiratory rate")}
VITAL_LABELS = {**VITAL_NAMES, "temperature": gettext_lazy("temperature °C")}  # with the unit, beside a value


def health_events_of(membership, animal, limit: int = 30) -> list[dict]:
    """The animal's treatments and health checks as timeline entries (the shape of herd's timeline; herd names
    who recorded them, `recorded_by_id`, with the rest of the timeline's)."""
    entries = []
    # Only the columns the timeline shows: the treatments' and checks' animal, farm and product are not read again.
    treatments = (visible_to(Treatment.objects.all(), membership).filter(animal=animal).exclude(first_given_at=None)
                  .only("tenant_id", "farm_id", "kind", "product_name", "diagnosis", "first_given_at", "voided_at", "void_reason",
                        "milk_withdrawal_ends_at", "recorded_by_id"))
    for t in treatments.order_by("-first_given_at")[:limit]:
        if t.kind == Treatment.Kind.VACCINATION:
            kind = _("vaccinated: %(what)s") % {"what": t.product_name}
        else:
            kind = _("treated: %(what)s") % {"what": f"{t.diagnosis}, {t.product_name}"}
        changes = [(_("void"), "", t.void_reason)] if t.voided_at else []
        if t.milk_withdrawal_ends_at and not t.voided_at:
            changes.append((_("milk withdrawal until"), "", day_time(timezone.localtime(t.milk_withdrawal_ends_at))))
        entries.append({"when": t.first_given_at, "recorded_by_id": t.recorded_by_id, "kind": kind, "changes": changes,
                        "url": reverse("health:treatment", args=[t.pk])})
    checks = visible_to(HealthCheck.objects.all(), membership).filter(animal=animal).only(
        "tenant_id", "farm_id", "checked_at", "temperature", "heart_rate", "respiratory_rate", "body_condition", "mobility",
        "weight", "findings", "recorded_by_id")
    for c in checks.order_by("-checked_at")[:limit]:
        values = {"temperature": c.temperature, "heart_rate": c.heart_rate, "respiratory_rate": c.respiratory_rate}
        shown = [(label, "", value) for label, value in (
            (VITAL_LABELS["temperature"], c.temperature), (VITAL_LABELS["heart_rate"], c.heart_rate),
            (VITAL_LABELS["respiratory_rate"], c.respiratory_rate), (_("body condition"), c.body_condition),
            (_("mobility"), c.mobility), (_("weight kg"), c.weight)) if value is not None]
        out = vitals.out_of_range(animal.species, values)
        findings = ", ".join(str(Finding(f).label) for f in c.findings) or _("no findings")
        kind = _("checked: %(findings)s") % {"findings": findings}
        if out:
            kind = _("%(checked)s (out of range: %(vitals)s)") % {"checked": kind, "vitals": ", ".join(str(VITAL_NAMES[o]) for o in out)}
        entries.append({"when": c.checked_at, "recorded_by_id": c.recorded_by_id, "kind": kind, "changes": shown, "url": None})
    return entries


def administrations_of(treatment):
    return treatment.administrations.select_related("batch", "given_by__user__profile")


def last_batch_id_of(treatment) -> int | None:
    """The batch the course's last dose came from: the next dose is drawn from it too."""
    return treatment.administrations.exclude(batch=None).order_by("-given_at").values_list("batch", flat=True).first()
