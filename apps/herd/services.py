"""Writes to the herd register. Every write checks that what it links belongs to the tenant."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from apps.accounts.permissions import can
from apps.audit.services import Actor, audit_append, changed, snapshot
from apps.core.dates import date_problem
from apps.core.events import event_emit
from apps.core.limits import ensure_room
from apps.core.words import day

from . import hooks
from .models import Animal, AnimalEvent, AnimalGroup, OutsideSire, Sex, Status

ANIMAL_FIELDS = [
    "farm", "group", "species", "breed", "sex", "tag", "eid", "name", "date_of_birth", "birth_date_estimated", "colour",
    "markings", "dam", "genetic_dam", "sire", "dam_external", "sire_external", "registered_sire", "castrated", "castrated_on", "acquisition",
    "acquired_on", "purchase_price", "seller", "status", "status_on", "status_reason", "photo",
]


def animal_validate(*, membership, animal: Animal) -> None:
    """Raise ValidationError, keyed by field, for anything that does not make sense on a farm."""
    errors: dict[str, str] = {}
    tenant_id = membership.tenant_id
    today = animal.farm.local_today()

    if animal.farm.tenant_id != tenant_id or animal.farm.is_archived or not can(membership, "herd.manage", animal.farm):
        errors["farm"] = _("Pick an active farm you have access to.")
    if animal.group_id and (animal.group.tenant_id != tenant_id or animal.group.farm_id != animal.farm_id):
        errors["group"] = _("This group belongs to another farm.")
    if animal.breed_id and animal.breed.species != animal.species:
        errors["breed"] = _("%(breed)s is not a breed of %(species)s.") % {"breed": animal.breed,
                                                                               "species": animal.get_species_display().lower()}
    for field in ("date_of_birth", "castrated_on", "acquired_on", "status_on"):
        value = getattr(animal, field)
        if value and (problem := date_problem(value, today=today)):
            errors[field] = problem
    if animal.castrated:
        if animal.sex != Sex.MALE:
            errors["castrated"] = _("Only a male can be castrated.")
        elif animal.castrated_on and animal.date_of_birth and animal.castrated_on < animal.date_of_birth:
            errors["castrated_on"] = _("Castration cannot be before birth.")
    elif animal.castrated_on:
        errors["castrated_on"] = _("Tick castrated, or leave the date empty.")
    if animal.acquisition == "bought" and animal.acquired_on and animal.date_of_birth and animal.acquired_on < animal.date_of_birth:
        errors["acquired_on"] = _("An animal cannot be bought before it was born.")
    if animal.purchase_price is not None and animal.purchase_price < 0:
        errors["purchase_price"] = _("A price cannot be below zero.")
    if animal.status == Status.CULLED and animal.pk and animal.status_on:
        # Culled animals go for slaughter: not while meat from a treatment must stay out of the food chain.
        until = hooks.meat_withdrawal_until(animal)
        if until and until >= animal.status_on:
            errors["status"] = _("%(tag)s is under meat withdrawal until %(day)s; cull her after that date.") % {
                "tag": animal.tag, "day": day(until)}
    if animal.status != Status.ACTIVE and not animal.status_on:
        errors["status_on"] = _("Give the date the animal was sold, died or was culled.")

    for field, sex, label in (("dam", Sex.FEMALE, _("dam")), ("genetic_dam", Sex.FEMALE, _("genetic dam")), ("sire", Sex.MALE, _("sire"))):
        parent = getattr(animal, field)
        if parent is None:
            continue
        if parent.tenant_id != tenant_id:
            errors[field] = _("Pick a %(label)s from your own herd.") % {"label": label}
        elif not can(membership, "herd.view", parent) and parent.pk != _recorded(animal, field):
            errors[field] = _("Pick a %(label)s from the farms you work on.") % {"label": label}
        elif animal.pk and parent.pk == animal.pk:
            errors[field] = _("An animal cannot be its own %(label)s.") % {"label": label}
        elif parent.sex != sex:
            errors[field] = _("%(tag)s is %(sex)s; a %(label)s must be %(wanted)s.") % {
                "tag": parent.tag, "sex": parent.get_sex_display().lower(), "label": label, "wanted": str(sex.label).lower()}
        elif parent.species != animal.species:
            errors[field] = _("%(tag)s is of another species (%(species)s).") % {
                "tag": parent.tag, "species": parent.get_species_display().lower()}
        elif parent.date_of_birth and animal.date_of_birth and parent.date_of_birth >= animal.date_of_birth:
            errors[field] = _("%(tag)s was born on %(day)s, not before this animal.") % {"tag": parent.tag,
                                                                                          "day": day(parent.date_of_birth)}
    if animal.dam_id and animal.dam_external:
        errors["dam_external"] = _("Give either a dam from the herd or an outside dam, not both.")
    if animal.sire_id and animal.sire_external:
        errors["sire_external"] = _("Give either a sire from the herd or an outside sire, not both.")
    if animal.registered_sire_id:
        outside = animal.registered_sire
        if outside.tenant_id != tenant_id:
            errors["registered_sire"] = _("Pick an outside sire of your own register.")
        elif animal.sire_id:
            errors["registered_sire"] = _("Give either a sire from the herd or an outside sire, not both.")
        elif outside.species != animal.species:
            errors["registered_sire"] = f"{outside.name} is a {outside.get_species_display().lower()}."

    if animal.status == Status.ACTIVE and animal.tag:
        clash = Animal.objects.filter(tenant_id=tenant_id, tag__iexact=animal.tag, status=Status.ACTIVE)
        if animal.pk:
            clash = clash.exclude(pk=animal.pk)
        if clash.exists():
            errors["tag"] = _("Tag %(tag)s is already worn by a live animal.") % {"tag": animal.tag}
    if errors:
        raise ValidationError(errors)


def _save(animal: Animal, **kwargs) -> None:
    try:
        with transaction.atomic():
            animal.save(**kwargs)
    except IntegrityError:
        # A concurrent save took the tag between the check and the insert.
        raise ValidationError({"tag": _("Tag %(tag)s is already worn by a live animal.") % {"tag": animal.tag}}) from None


def _apply(animal: Animal, values: dict) -> None:
    for key in ANIMAL_FIELDS:
        if key not in values:
            continue
        value = values[key]
        if key == "photo":
            if value is None:
                continue  # no new upload: keep the photo
            value = value or ""  # False: the photo was cleared
        setattr(animal, key, value)
    animal.tag = (animal.tag or "").strip()
    animal.eid = (animal.eid or "").strip()
    if animal.status == Status.ACTIVE:
        animal.status_on, animal.status_reason = None, ""


@transaction.atomic
def animal_create(*, membership, plan_limit: bool = True, **values) -> Animal:
    """Add an animal. A calf born on the farm is recorded even past the plan's limit (plan_limit=False):
    the limit stops buying in and registering, never the record of a birth."""
    if not can(membership, "herd.manage"):
        raise PermissionDenied
    if plan_limit:
        ensure_room(membership.tenant_id, "animals")
    animal = Animal(tenant_id=membership.tenant_id)
    _apply(animal, values)
    animal_validate(membership=membership, animal=animal)
    _save(animal)
    audit_append(actor=Actor.of(membership), action="animal.create", obj=animal, after=snapshot(animal), permission="herd.manage")
    event_emit(tenant_id=animal.tenant_id, event="animal.created", data=_event_data(animal), resource=f"animal:{animal.pk}")
    return animal


@transaction.atomic
def animal_update(*, membership, animal: Animal, permission: str = "herd.manage", **values) -> Animal:
    """Change an animal. `permission` is the one its writer holds: herd.manage on the register's pages, the sale's
    finance.manage when a sale takes the animal out of the herd (or brings it back when voided)."""
    if not can(membership, permission, animal):
        raise PermissionDenied
    current = Animal.objects.select_for_update().get(pk=animal.pk, tenant_id=membership.tenant_id)
    before = snapshot(current)
    _apply(current, values)
    animal_validate(membership=membership, animal=current)
    _save(current)
    b, a = changed(before, snapshot(current))
    audit_append(actor=Actor.of(membership), action="animal.update", obj=current, before=b, after=a, permission=permission)
    if current.castrated and not before["castrated"] and not values.get("_from_event"):
        # Ticked on the edit form: the castration still becomes an event of the animal's timeline.
        AnimalEvent.objects.create(tenant_id=current.tenant_id, animal=current, kind=AnimalEvent.Kind.CASTRATION,
                                   on=current.castrated_on or current.farm.local_today(), recorded_by=membership)
    if a:
        event_emit(tenant_id=current.tenant_id, event="animal.updated", resource=f"animal:{current.pk}",
                   data={**_event_data(current), "changed": sorted(a), "values": a, "before": b})
        if before["status"] == Status.ACTIVE and current.status != Status.ACTIVE:
            event_emit(tenant_id=current.tenant_id, event="animal.disposed",
                       data={**_event_data(current), "status_on": current.status_on, "reason": current.status_reason},
                       resource=f"animal:{current.pk}")
    return current


def _event_data(animal: Animal) -> dict:
    return {"id": animal.pk, "tag": animal.tag, "eid": animal.eid, "farm_id": animal.farm_id, "species": animal.species,
            "sex": animal.sex, "status": animal.status}


class RowErrors(Exception):
    """Some rows of a batch are invalid; nothing of the batch was saved."""

    def __init__(self, errors: dict[int, list[str]]):
        self.errors = errors
        super().__init__(f"{len(errors)} rows have errors")


def _recorded(animal: Animal, field: str) -> int | None:
    """The parent id stored for an existing animal (one kept on edit may be outside the member's farms)."""
    if animal.pk is None:
        return None
    return Animal.objects.filter(pk=animal.pk).values_list(f"{field}_id", flat=True).first()


@transaction.atomic
def animal_bulk_create(*, membership, rows: list[dict], action: str = "animal.create") -> list[Animal]:
    """Create several animals at once, all or nothing.

    Rows may name their dam or sire by the tag of another row of the same batch
    (`dam_tag`/`sire_tag`), so a cow and her calf can arrive in one file.
    """
    if not can(membership, "herd.manage"):
        raise PermissionDenied
    ensure_room(membership.tenant_id, "animals", adding=len(rows))
    errors: dict[int, list[str]] = {}
    created: list[Animal] = []
    seen_tags: dict[str, int] = {}
    by_tag: dict[str, Animal] = {}
    for number, values in enumerate(rows, start=1):
        values = dict(values)
        tag_key = (values.get("tag") or "").strip().lower()
        if tag_key in seen_tags:
            errors[number] = [_("%(column)s: the same tag is on row %(row)s.") % {"column": "tag", "row": seen_tags[tag_key]}]
            continue
        seen_tags[tag_key] = number
        missing = []
        for field in ("dam", "sire"):
            batch_tag = (values.pop(f"{field}_tag", "") or "").strip()
            if batch_tag:
                if batch_tag.lower() in by_tag:
                    values[field] = by_tag[batch_tag.lower()]
                else:
                    missing.append(_("%(column)s: no live animal or earlier row has tag %(tag)s.") % {"column": field, "tag": batch_tag})
        if missing:
            errors[number] = missing
            continue
        animal = Animal(tenant_id=membership.tenant_id)
        _apply(animal, values)
        try:
            animal_validate(membership=membership, animal=animal)
            _save(animal)
        except ValidationError as error:
            errors[number] = [f"{field}: {message}" for field, messages in error.message_dict.items() for message in messages]
            continue
        by_tag[tag_key] = animal
        created.append(animal)
        audit_append(actor=Actor.of(membership), action=action, obj=animal, after=snapshot(animal), permission="herd.manage")
    if errors:
        # Raising out of the atomic block undoes the rows that did go in: all or nothing.
        raise RowErrors(errors)
    return created


@transaction.atomic
def animal_group_create(*, membership, farm, name: str) -> AnimalGroup:
    """Add a group or pen to a farm (names are unique per farm)."""
    if not can(membership, "herd.manage", farm) or farm.tenant_id != membership.tenant_id:
        raise PermissionDenied
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the group a name.")})
    if AnimalGroup.objects.filter(tenant_id=membership.tenant_id, farm=farm, name__iexact=name).exists():
        raise ValidationError({"name": _("%(farm)s already has a group called %(name)s.") % {"farm": farm, "name": name}})
    group = AnimalGroup.objects.create(tenant_id=membership.tenant_id, farm=farm, name=name)
    audit_append(actor=Actor.of(membership), action="group.create", obj=group, farm_id=farm.pk, after={"name": name})
    return group


OUTSIDE_SIRE_FIELDS = ["name", "species", "breed", "registration_number", "owner", "semen_code", "sire"]


@transaction.atomic
def outside_sire_save(*, membership, record: OutsideSire | None = None, dam_name: str | None = None,
                      dam_registration: str = "", maternal_grandsire: OutsideSire | None = None, **values) -> OutsideSire:
    """Add or change a sire of the outside register (an AI bull or another farm's male), with his sire,
    and his dam and her sire (the maternal grandsire) when given: their ancestry counts in the
    coefficient of every calf he sires."""
    if not can(membership, "herd.manage") or (record is not None and record.tenant_id != membership.tenant_id):
        raise PermissionDenied
    before = snapshot(record) if record else None
    sire = record or OutsideSire(tenant_id=membership.tenant_id)
    for key in OUTSIDE_SIRE_FIELDS:
        if key in values:
            value = values[key]
            setattr(sire, key, value.strip() if isinstance(value, str) else value)
    errors = {}
    if not sire.name:
        errors["name"] = _("Give the sire's name.")
    if sire.breed_id and sire.breed.species != sire.species:
        errors["breed"] = _("%(breed)s is not a breed of %(species)s.") % {"breed": sire.breed,
                                                                               "species": sire.get_species_display().lower()}
    if sire.owner_id and sire.owner.tenant_id != membership.tenant_id:
        errors["owner"] = _("Pick a farm of your register.")
    for field, parent in (("sire", sire.sire), ("maternal_grandsire", maternal_grandsire)):
        if parent is None:
            continue
        if parent.tenant_id != membership.tenant_id or parent.sex != Sex.MALE or parent.species != sire.species:
            errors[field] = _("Pick a male of the same species from the register.")
        elif parent.pk == sire.pk or (sire.pk and _descends_from(parent, sire)):
            errors[field] = _("A sire cannot be his own ancestor.")
    if OutsideSire.objects.filter(tenant_id=membership.tenant_id, species=sire.species, name__iexact=sire.name).exclude(pk=sire.pk).exists():
        errors["name"] = _("There is already a sire of %(species)s called %(name)s.") % {
            "species": sire.get_species_display().lower(), "name": sire.name}
    if errors:
        raise ValidationError(errors)
    if dam_name is not None:
        sire.dam = _outside_dam(membership, sire, dam_name.strip(), dam_registration.strip(), maternal_grandsire)
    sire.save()
    b, a = changed(before, snapshot(sire))
    audit_append(actor=Actor.of(membership), action="herd.outside_sire_save", obj=sire, before=b, after=a, permission="herd.manage")
    return sire


def _outside_dam(membership, sire: OutsideSire, name: str, registration: str, grandsire) -> OutsideSire | None:
    """The outside sire's dam as a female of the register (found by registration number, else by name)."""
    if not name and not registration:
        return None
    dams = OutsideSire.objects.filter(tenant_id=membership.tenant_id, species=sire.species, sex=Sex.FEMALE)
    dam = (dams.filter(registration_number=registration).first() if registration else None) or \
        dams.filter(name__iexact=name or registration).first() or \
        OutsideSire(tenant_id=membership.tenant_id, species=sire.species, sex=Sex.FEMALE)
    dam.name = name or dam.name or registration
    dam.registration_number = registration or dam.registration_number
    dam.sire = grandsire
    if OutsideSire.objects.filter(tenant_id=membership.tenant_id, species=sire.species, name__iexact=dam.name).exclude(
            pk=dam.pk).exists():
        raise ValidationError({"dam_name": _("%(name)s is already in the register as a sire.") % {"name": dam.name}})
    dam.save()
    return dam


def _descends_from(animal: OutsideSire, ancestor: OutsideSire) -> bool:
    """Whether `ancestor` is in the outside pedigree above `animal` (a loop the form must refuse)."""
    seen, wanted = set(), {animal.pk}
    while wanted:
        if ancestor.pk in wanted:
            return True
        seen |= wanted
        rows = OutsideSire.objects.filter(tenant_id=animal.tenant_id, pk__in=wanted).values_list("sire_id", "dam_id")
        wanted = {pk for pair in rows for pk in pair if pk} - seen
    return False
