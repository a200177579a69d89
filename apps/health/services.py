"""Writes for animal health: treatments with their withdrawals, and each administration given."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.permissions import can
from apps.audit.services import Actor, audit_append
from apps.core.events import event_emit
from apps.core.words import amount, day, moment
from apps.herd.models import Sex, Status
from apps.stock.models import Batch, StockItem
from apps.stock.services import stock_draw, stock_return

from . import hooks, vitals, withdrawal
from .models import Administration, Finding, Foot, HealthCheck, Quarter, Route, Treatment

MAX_COURSE = 30


def label_of(item: StockItem) -> withdrawal.Label:
    periods = list(item.withdrawals.all())
    return withdrawal.Label(milk_hours={p.species: p.milk_hours for p in periods},
                            meat_days={p.species: p.meat_days for p in periods})


@transaction.atomic
def treatment_record(
    *,
    membership,
    animal,
    diagnosis: str,
    dose: Decimal,
    dose_unit: str,
    route: str,
    given_at: dt.datetime,
    item: StockItem | None = None,
    batch: Batch | None = None,
    product_name: str = "",
    lot: str = "",
    quarter: str = "",
    administrations_planned: int = 1,
    interval_hours: int = 24,
    prescribing_vet: str = "",
    prescription_ref: str = "",
    off_label: bool = False,
    milk_withdrawal_hours: int | None = None,
    meat_withdrawal_days: int | None = None,
    withdrawal_note: str = "",
    kind: str = Treatment.Kind.TREATMENT,
) -> Treatment:
    """Record a treatment and its first administration (drawn from the batch when from stock).

    The withdrawal comes from the product's label for the animal's species, or the cascade minimums
    when used off label; it may be made longer freely, and shorter than that only with a reason.
    """
    if animal.tenant_id != membership.tenant_id or not can(membership, "health.record", animal):
        raise PermissionDenied
    errors: dict[str, str] = {}
    farm = animal.farm
    diagnosis, product_name = diagnosis.strip(), product_name.strip()
    if not diagnosis:
        errors["diagnosis"] = _("Say what is being treated.")
    if animal.status != Status.ACTIVE:
        errors["animal"] = f"{animal.tag} is {animal.get_status_display().lower()}."
    if dose is None or dose <= 0:
        errors["dose"] = _("Enter a dose above zero.")
    if not dose_unit.strip():
        errors["dose_unit"] = _("Give the dose's unit (mL, tube, tablet…).")
    if route not in Route.values:
        errors["route"] = _("Pick how it was given.")
    if route == Route.INTRAMAMMARY and quarter not in Quarter.values:
        errors["quarter"] = _("Pick the quarter treated.")
    if not 1 <= administrations_planned <= MAX_COURSE:
        errors["administrations_planned"] = _("A course has 1 to %(MAX_COURSE)s administrations.") % {"MAX_COURSE": MAX_COURSE}
    if not 1 <= interval_hours <= 24 * 14:
        errors["interval_hours"] = _("Enter the hours between administrations (1 to 336).")
    _check_given_at(given_at, farm, errors)
    if "given_at" not in errors and animal.date_of_birth and given_at.astimezone(farm.zone).date() < animal.date_of_birth:
        errors["given_at"] = _("%(tag)s was born on %(day)s.") % {"tag": animal.tag, "day": day(animal.date_of_birth)}
    if batch is not None:
        if batch.tenant_id != membership.tenant_id or batch.farm_id != farm.pk:
            errors["batch"] = _("Pick a batch kept on %(name)s.") % {"name": farm.name}
        else:
            item = batch.item
    if item is not None and item.tenant_id != membership.tenant_id:
        errors["item"] = _("Pick a product of this organisation.")
    if item is None and not product_name:
        errors["product_name"] = _("Pick a product from stock, or name the one bought in.")
    if errors:
        raise ValidationError(errors)

    label = label_of(item) if item is not None else withdrawal.Label(milk_hours={}, meat_days={})
    if item is not None and not item.lactating_allowed and hooks.in_milk(animal) and not off_label:
        raise ValidationError({"off_label": _("%(product)s may not be used on lactating animals and %(tag)s is in milk; "
                                              "choose off-label use (the cascade minimums apply) or another product.") % {
            "product": item.name, "tag": animal.tag}})
    meat_only = label.meat_days.get(animal.species) is not None and label.milk_hours.get(animal.species) is None
    minimum = withdrawal.periods_for(label, animal.species, off_label=off_label or item is None,
                                     in_milk=not meat_only or hooks.in_milk(animal), female=animal.sex == Sex.FEMALE)
    milk_hours = minimum.milk_hours if milk_withdrawal_hours is None else milk_withdrawal_hours
    meat_days = minimum.meat_days if meat_withdrawal_days is None else meat_withdrawal_days
    shorter = milk_hours < minimum.milk_hours or meat_days < minimum.meat_days
    if milk_hours < 0 or meat_days < 0:
        raise ValidationError({"milk_withdrawal_hours": _("A withdrawal cannot be below zero.")})
    if shorter and not withdrawal_note.strip():
        raise ValidationError({"withdrawal_note": _("The label (or the cascade) asks for %(hours)s h milk and %(days)s "
                                                    "days meat; say why this one is shorter.") % {
            "hours": minimum.milk_hours, "days": minimum.meat_days}})
    treatment = Treatment.objects.create(
        tenant_id=membership.tenant_id, animal=animal, farm=farm, diagnosis=diagnosis, item=item,
        product_name=item.name if item is not None else product_name, dose=dose, dose_unit=dose_unit.strip(), route=route,
        quarter=quarter if route == Route.INTRAMAMMARY else "", administrations_planned=administrations_planned,
        interval_hours=interval_hours, prescribing_vet=prescribing_vet.strip(), prescription_ref=prescription_ref.strip(),
        off_label=minimum.off_label, milk_withdrawal_hours=milk_hours, meat_withdrawal_days=meat_days,
        withdrawal_note=withdrawal_note.strip(), recorded_by=membership, kind=kind,
        next_due_on=(given_at.astimezone(farm.zone).date() + dt.timedelta(days=item.booster_days))
        if kind == Treatment.Kind.VACCINATION and item is not None and item.booster_days else None,
    )
    audit_append(actor=Actor.of(membership), action="treatment.record", obj=treatment, farm_id=farm.pk, permission="health.record",
                 after={"animal": animal.tag, "product": treatment.product_name, "diagnosis": diagnosis, "milk_hours": milk_hours,
                        "meat_days": meat_days, "off_label": treatment.off_label})
    _administer(membership, treatment, given_at=given_at, batch=batch, lot=lot)
    event_emit(tenant_id=treatment.tenant_id, event="treatment.recorded", data={
        "id": treatment.pk, "kind": treatment.kind, "animal_id": animal.pk, "tag": animal.tag, "farm_id": farm.pk,
        "product": treatment.product_name, "diagnosis": diagnosis, "given_at": given_at,
        "milk_withdrawal_ends_at": treatment.milk_withdrawal_ends_at, "meat_withdrawal_ends_on": treatment.meat_withdrawal_ends_on},
        resource=f"treatment:{treatment.pk}")
    return treatment


@transaction.atomic
def vaccination_record(*, membership, animals, batch: Batch, dose: Decimal, dose_unit: str, route: str,
                       given_at: dt.datetime) -> list[Treatment]:
    """Vaccinate several animals at once (a campaign): one dose each, drawn from the batch, all or none.

    Each animal's vaccination is a treatment of kind "vaccination" (in the medicine book, with the
    vaccine's withdrawal), and its booster falls due after the product's interval.
    """
    if not animals:
        raise ValidationError({"animals": _("Pick the animals to vaccinate.")})
    if batch.item.kind != "vaccine":
        raise ValidationError({"batch": _("%(name)s is not a vaccine.") % {"name": batch.item.name}})
    needed = dose * len(animals) if dose and dose > 0 else None
    if needed is not None and batch.quantity < needed:
        raise ValidationError({"batch": _("%(count)s doses of %(dose)s %(unit)s need %(needed)s; the batch has "
                                          "%(left)s.") % {"count": len(animals), "dose": amount(dose), "unit": batch.item.unit,
                                                          "needed": amount(needed), "left": amount(batch.quantity)}})
    return treatment_record_many(membership=membership, animals=animals, batch=batch, diagnosis=_("Vaccination: %(name)s") % {"name": batch.item.name},
                                 dose=dose, dose_unit=dose_unit, route=route, given_at=given_at, kind=Treatment.Kind.VACCINATION)


@transaction.atomic
def treatment_record_many(*, membership, animals, **values) -> list[Treatment]:
    """The same treatment for several animals (a group, or a selection), each dose drawn from stock;
    all or none, so a list with one animal that cannot be treated is corrected and entered again."""
    if not animals:
        raise ValidationError({"animals": _("Pick the animals to treat.")})
    done, refused = [], {}
    for animal in animals:
        try:
            with transaction.atomic():
                done.append(treatment_record(membership=membership, animal=animal, **values))
        except ValidationError as error:
            refused[animal.tag] = " ".join(error.messages)
    if refused:
        raise ValidationError({"animals": "; ".join(f"{tag}: {reason}" for tag, reason in refused.items())})
    return done


@transaction.atomic
def administration_record(*, membership, treatment: Treatment, given_at: dt.datetime, batch: Batch | None = None,
                          lot: str = "") -> Administration:
    """The next dose of a course; the withdrawal then counts from it."""
    if treatment.tenant_id != membership.tenant_id or not can(membership, "health.record", treatment):
        raise PermissionDenied
    treatment = Treatment.objects.select_for_update(of=("self",)).select_related("farm", "animal", "item").get(pk=treatment.pk)
    errors: dict[str, str] = {}
    if treatment.voided_at:
        errors["given_at"] = _("This treatment was voided.")
    _check_given_at(given_at, treatment.farm, errors)
    if treatment.first_given_at and given_at < treatment.first_given_at:
        errors["given_at"] = _("The treatment began on %(moment)s.") % {
            "moment": moment(timezone.localtime(treatment.first_given_at))}
    if batch is not None and (batch.tenant_id != membership.tenant_id or batch.farm_id != treatment.farm_id
                              or batch.item_id != treatment.item_id):
        errors["batch"] = _("Pick a batch of the same product kept on this farm.")
    if errors:
        raise ValidationError(errors)
    return _administer(membership, treatment, given_at=given_at, batch=batch, lot=lot)


def _administer(membership, treatment: Treatment, *, given_at, batch, lot) -> Administration:
    administration = Administration.objects.create(
        tenant_id=membership.tenant_id, treatment=treatment, batch=batch, lot=(batch.lot if batch else lot.strip()),
        given_at=given_at, dose=treatment.dose, given_by=membership,
    )
    if batch is not None:
        stock_draw(membership=membership, batch=batch, quantity=treatment.dose, at=given_at,
                   reason=f"{treatment.animal.tag}: {treatment.diagnosis}", administration=administration)
    _refresh_withdrawal(treatment, membership)
    audit_append(actor=Actor.of(membership), action="treatment.administer", obj=treatment, farm_id=treatment.farm_id,
                 permission="health.record", after={"given_at": given_at, "batch": getattr(batch, "pk", None),
                                                    "milk_until": treatment.milk_withdrawal_ends_at,
                                                    "meat_until": treatment.meat_withdrawal_ends_on})
    return administration


@transaction.atomic
def treatment_void(*, membership, treatment: Treatment, reason: str) -> Treatment:
    """Correct a mistake: the treatment and its doses stay in the book, marked void with the reason,
    the stock they drew goes back, and the withdrawal they set is lifted."""
    if treatment.tenant_id != membership.tenant_id or not can(membership, "health.record", treatment):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Say why this record is wrong.")})
    treatment = Treatment.objects.select_for_update().get(pk=treatment.pk)
    if treatment.voided_at:
        raise ValidationError({"reason": _("This treatment is already void.")})
    now = timezone.now()
    for administration in treatment.administrations.filter(voided_at=None).select_related("batch"):
        if administration.batch is not None:
            stock_return(membership=membership, batch=administration.batch, quantity=administration.dose,
                         reason=f"void: {reason.strip()}", administration=administration)
        administration.voided_at, administration.void_reason = now, reason.strip()
        administration.save(update_fields=["voided_at", "void_reason"])
    # When it was said to be given stays (the book keeps the record); the withdrawal it set is lifted.
    treatment.voided_at, treatment.void_reason = now, reason.strip()
    treatment.milk_withdrawal_ends_at = treatment.meat_withdrawal_ends_on = None
    treatment.save(update_fields=["voided_at", "void_reason", "milk_withdrawal_ends_at", "meat_withdrawal_ends_on", "updated_at"])
    audit_append(actor=Actor.of(membership), action="treatment.void", obj=treatment, farm_id=treatment.farm_id,
                 permission="health.record", after={"reason": reason.strip()})
    return treatment


def _check_given_at(given_at: dt.datetime, farm, errors: dict) -> None:
    if given_at is None or timezone.is_naive(given_at):
        errors["given_at"] = _("Give the date and time it was given.")
    elif given_at > timezone.now() + dt.timedelta(minutes=5):
        errors["given_at"] = _("This time is in the future.")
    elif given_at.astimezone(farm.zone).date().year < 1950:
        errors["given_at"] = _("Give a date from 1950 on.")


def _refresh_withdrawal(treatment: Treatment, membership) -> None:
    """Recompute the withdrawal from the doses actually given (the last one counts)."""
    given = treatment.administrations.filter(voided_at=None).aggregate(first=Min("given_at"), last=Max("given_at"))
    treatment.first_given_at, treatment.last_given_at = given["first"], given["last"]
    if given["last"] is None:
        treatment.milk_withdrawal_ends_at = treatment.meat_withdrawal_ends_on = None
    else:
        treatment.milk_withdrawal_ends_at = withdrawal.milk_withdrawal_ends(given["last"], treatment.milk_withdrawal_hours)
        treatment.meat_withdrawal_ends_on = withdrawal.meat_withdrawal_ends(given["last"], treatment.meat_withdrawal_days,
                                                                            treatment.farm.zone)
    treatment.save(update_fields=["first_given_at", "last_given_at", "milk_withdrawal_ends_at", "meat_withdrawal_ends_on",
                                  "updated_at"])
    if treatment.milk_withdrawal_ends_at is not None:
        # Milk already saved for sessions the withdrawal covers (a treatment entered after the milking).
        begins, ends, zone = treatment.first_given_at, treatment.milk_withdrawal_ends_at, treatment.farm.zone
        hooks.withheld_discard(membership=membership, animal=treatment.animal, since=begins.astimezone(zone).date(),
                              until=ends.astimezone(zone).date(),
                              withheld=lambda day, session: withdrawal.milk_withheld(begins, ends, day, session,
                                                                                     treatment.farm.milkings))


@transaction.atomic
def health_check_record(*, membership, animal, checked_at: dt.datetime, findings: list[str], outside_vet: str = "",
                        temperature=None, heart_rate=None, respiratory_rate=None, body_condition=None, mobility=None,
                        weight=None, quarter: str = "", foot: str = "", notes: str = "") -> HealthCheck:
    """Record an examination: vitals checked against what a body can show, scores on the species' scale."""
    if animal.tenant_id != membership.tenant_id or not can(membership, "health.record", animal):
        raise PermissionDenied
    errors: dict[str, str] = {}
    _check_given_at(checked_at, animal.farm, errors)
    if "given_at" in errors:
        errors["checked_at"] = errors.pop("given_at")
    values = {"temperature": temperature, "heart_rate": heart_rate, "respiratory_rate": respiratory_rate}
    for name, (low, high) in vitals.POSSIBLE.items():
        if values[name] is not None and not low <= values[name] <= high:
            errors[name] = _("Enter a value between %(low)s and %(high)s.") % {"low": low, "high": high}
    if body_condition is not None:
        step = vitals.CONDITION_STEP.get(animal.species, vitals.DEFAULT_CONDITION_STEP)
        if not (Decimal("1") <= body_condition <= Decimal("5")) or body_condition % step:
            errors["body_condition"] = _("Score from 1 to 5 in steps of %(step)s.") % {"step": amount(step)}
    if mobility is not None and not 0 <= mobility <= 3:
        errors["mobility"] = _("Score mobility from 0 (sound) to 3 (severely lame).")
    if weight is not None and not Decimal("0") < weight <= Decimal("2000"):
        errors["weight"] = _("Enter a weight between 0 and 2,000 kg.")
    unknown = set(findings) - set(Finding.values)
    if unknown:
        errors["findings"] = _("Pick findings from the list.")
    if "mastitis" in findings and quarter not in Quarter.values:
        errors["quarter"] = _("Say which quarter has mastitis.")
    if "lameness" in findings and foot not in Foot.values:
        errors["foot"] = _("Say which foot is lame.")
    if errors:
        raise ValidationError(errors)
    check = HealthCheck.objects.create(
        tenant_id=membership.tenant_id, animal=animal, farm=animal.farm, checked_at=checked_at, checked_by=membership,
        outside_vet=outside_vet.strip(), temperature=temperature, heart_rate=heart_rate, respiratory_rate=respiratory_rate,
        body_condition=body_condition, mobility=mobility, weight=weight, findings=sorted(set(findings)),
        quarter=quarter if "mastitis" in findings else "", foot=foot if "lameness" in findings else "", notes=notes.strip(),
        recorded_by=membership,
    )
    audit_append(actor=Actor.of(membership), action="health.check", obj=check, farm_id=animal.farm_id, permission="health.record",
                 after={"findings": check.findings, "out_of_range": vitals.out_of_range(animal.species, values)})
    return check


def withdrawals_ended_announce(*, tenant_id: int, now: dt.datetime | None = None) -> int:
    """Announce (a withdrawal.ended event) each milk withdrawal of the organisation that has run out
    since the last round, once; a withdrawal that ended more than three days ago is marked without one."""
    now = now or timezone.now()
    ended = (Treatment.objects.select_for_update(skip_locked=True)
             .filter(tenant_id=tenant_id, voided_at=None, withdrawal_end_announced=False, milk_withdrawal_ends_at__lte=now)
             .select_related("animal").order_by("milk_withdrawal_ends_at")[:500])
    count = 0
    with transaction.atomic():
        for treatment in ended:
            if now - treatment.milk_withdrawal_ends_at <= dt.timedelta(days=3):
                event_emit(tenant_id=tenant_id, event="withdrawal.ended", data={
                    "treatment_id": treatment.pk, "animal_id": treatment.animal_id, "tag": treatment.animal.tag,
                    "farm_id": treatment.farm_id, "ended_at": treatment.milk_withdrawal_ends_at}, resource=f"treatment:{treatment.pk}")
                count += 1
            Treatment.objects.filter(pk=treatment.pk).update(withdrawal_end_announced=True)
    return count
