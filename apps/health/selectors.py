"""Reads for animal health, scoped to the member's organisation and farms."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.permissions import visible_to
from apps.core.words import day_time

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
    """Treatments whose milk or meat withdrawal still runs, soonest end first."""
    at = at or timezone.now()
    return (
        treatments_for(membership).filter(voided_at=None)
        .filter(Q(milk_withdrawal_ends_at__gt=at) | Q(meat_withdrawal_ends_on__gte=timezone.localdate(at)))
        .order_by("milk_withdrawal_ends_at", "meat_withdrawal_ends_on")
    )


def milk_withdrawal_ends(tenant_id: int, session_starts: dt.datetime) -> Subquery:
    """An annotation for animals: when the milk withdrawal covering a session that starts at
    `session_starts` ends (None when her milk is clean). The rule is withdrawal.milk_withheld's.

    The milking entry page and the row save annotate their cow queries with it, so knowing about
    withdrawals costs no query of its own.
    """
    covering = _covering(Treatment.objects.unscoped(), tenant_id, OuterRef("pk"), session_starts)
    return Subquery(covering.order_by("-milk_withdrawal_ends_at").values("milk_withdrawal_ends_at")[:1])


def _covering(treatments, tenant_id: int, animal, session_starts: dt.datetime):
    """Treatments whose milk withdrawal covers the session that starts then (withdrawal.milk_withheld's rule)."""
    return treatments.filter(
        tenant_id=tenant_id, animal=animal, voided_at=None,
        first_given_at__lt=session_starts + withdrawal.DOSED_AT_MILKING, milk_withdrawal_ends_at__gt=session_starts,
    )


def annotate_milk_withdrawal(queryset, *, tenant_id: int, farm, day: dt.date, session: str):
    """Animals annotated with `withdrawal_ends` for a session of the farm (see milk_withdrawal_ends)."""
    starts = withdrawal.session_starts_at(day, session, farm.zone)
    return queryset.annotate(withdrawal_ends=milk_withdrawal_ends(tenant_id, starts))


def milk_withdrawal_for(animal, farm, day: dt.date, session: str) -> dt.datetime | None:
    """When the milk withdrawal covering this cow's session ends, or None.

    Free when the cow was fetched annotated for the same session (the row save does that);
    one query otherwise.
    """
    known = getattr(animal, "milk_withdrawal", None)
    if known is not None and known[:2] == (day, session):
        return known[2]
    starts = withdrawal.session_starts_at(day, session, farm.zone)
    covering = _covering(Treatment.objects.all(), animal.tenant_id, animal.pk, starts)
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
    """The animal's treatments and vaccinations as timeline entries (the shape of herd's timeline)."""
    entries = []
    for t in treatments_for(membership).filter(animal=animal).exclude(first_given_at=None).order_by("-first_given_at")[:limit]:
        if t.kind == Treatment.Kind.VACCINATION:
            kind = _("vaccinated: %(what)s") % {"what": t.product_name}
        else:
            kind = _("treated: %(what)s") % {"what": f"{t.diagnosis}, {t.product_name}"}
        changes = [(_("void"), "", t.void_reason)] if t.voided_at else []
        if t.milk_withdrawal_ends_at and not t.voided_at:
            changes.append((_("milk withdrawal until"), "", day_time(timezone.localtime(t.milk_withdrawal_ends_at))))
        entries.append({"when": t.first_given_at, "who": t.recorded_by.user, "kind": kind, "changes": changes,
                        "url": reverse("health:treatment", args=[t.pk])})
    checks = visible_to(HealthCheck.objects.select_related("recorded_by__user__profile"), membership).filter(animal=animal)
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
        entries.append({"when": c.checked_at, "who": c.recorded_by.user, "kind": kind,
                        "changes": shown, "url": None})
    return entries


def administrations_of(treatment):
    return treatment.administrations.select_related("batch", "given_by__user__profile")


def last_batch_id_of(treatment) -> int | None:
    """The batch the course's last dose came from: the next dose is drawn from it too."""
    return treatment.administrations.exclude(batch=None).order_by("-given_at").values_list("batch", flat=True).first()
