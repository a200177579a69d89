from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.permissions import can
from apps.accounts.selectors import forget_farms
from apps.audit.services import Actor, audit_append, changed, snapshot
from apps.core.limits import ensure_room

from .models import ExternalFarm, Farm

FARM_FIELDS = [
    "name", "farm_type", "address", "latitude", "longitude", "area", "area_unit", "time_zone", "milking_sessions_per_day",
    "morning_starts", "midday_starts", "evening_starts", "robot_milking",
]


def _save(farm: Farm, membership, *, update_fields=None) -> None:
    try:
        with transaction.atomic():
            farm.save(update_fields=update_fields)
    except IntegrityError:
        raise ValidationError({"name": _("Another farm of this organisation already has this name.")}) from None
    forget_farms(membership)


@transaction.atomic
def farm_create(*, membership, **values) -> Farm:
    if not can(membership, "farms.manage"):
        raise PermissionDenied
    ensure_room(membership.tenant_id, "farms")
    # A farm keeps its organisation's clock unless told otherwise (the form suggests the same).
    values.setdefault("time_zone", membership.tenant.time_zone)
    farm = Farm(tenant_id=membership.tenant_id, **{k: values[k] for k in FARM_FIELDS if k in values})
    farm.full_clean(exclude=["tenant"], validate_unique=False)
    _save(farm, membership)
    if not membership.all_farms:
        # Someone limited to some farms still sees the farm they just created.
        membership.farms.add(farm)
        forget_farms(membership)
    audit_append(actor=Actor.of(membership), action="farm.create", obj=farm, farm_id=farm.pk, after=snapshot(farm), permission="farms.manage")
    return farm


@transaction.atomic
def farm_update(*, membership, farm: Farm, **values) -> Farm:
    if not can(membership, "farms.manage", farm):
        raise PermissionDenied
    farm = Farm.objects.select_for_update().get(pk=farm.pk, tenant_id=membership.tenant_id)
    before = snapshot(farm)
    for key in FARM_FIELDS:
        if key in values:
            setattr(farm, key, values[key])
    farm.full_clean(exclude=["tenant"], validate_unique=False)
    _save(farm, membership, update_fields=[*FARM_FIELDS, "updated_at"])
    b, a = changed(before, snapshot(farm))
    audit_append(actor=Actor.of(membership), action="farm.update", obj=farm, farm_id=farm.pk, before=b, after=a, permission="farms.manage")
    return farm


@transaction.atomic
def farm_archive(*, membership, farm: Farm) -> Farm:
    """Archive a farm: it leaves the pickers, its records stay. Farms are never deleted."""
    if not can(membership, "farms.manage", farm):
        raise PermissionDenied
    if farm.animals.filter(status="active").exists():
        raise ValidationError(_("Move or record the exit of this farm's active animals before archiving it."))
    farm.archived_at = timezone.now()
    _save(farm, membership, update_fields=["archived_at", "updated_at"])
    audit_append(actor=Actor.of(membership), action="farm.archive", obj=farm, farm_id=farm.pk, permission="farms.manage")
    return farm


@transaction.atomic
def farm_restore(*, membership, farm: Farm) -> Farm:
    if not can(membership, "farms.manage", farm):
        raise PermissionDenied
    if farm.archived_at is not None:
        ensure_room(membership.tenant_id, "farms")
    farm.archived_at = None
    _save(farm, membership, update_fields=["archived_at", "updated_at"])
    audit_append(actor=Actor.of(membership), action="farm.restore", obj=farm, farm_id=farm.pk, permission="farms.manage")
    return farm


EXTERNAL_FIELDS = ["name", "holding_number", "contact", "location"]


@transaction.atomic
def external_farm_save(*, membership, farm: ExternalFarm | None = None, **values) -> ExternalFarm:
    """Add or change a farm of the outside register (where a sire is hired from, or lent to)."""
    if not can(membership, "herd.manage") or (farm is not None and farm.tenant_id != membership.tenant_id):
        raise PermissionDenied
    before = snapshot(farm) if farm else None
    farm = farm or ExternalFarm(tenant_id=membership.tenant_id)
    for key in EXTERNAL_FIELDS:
        if key in values:
            setattr(farm, key, (values[key] or "").strip())
    if not farm.name:
        raise ValidationError({"name": _("Give the farm's name.")})
    if ExternalFarm.objects.filter(tenant_id=membership.tenant_id, name__iexact=farm.name).exclude(pk=farm.pk).exists():
        raise ValidationError({"name": _("There is already an outside farm called %(name)s.") % {"name": farm.name}})
    farm.save()
    b, a = changed(before, snapshot(farm))
    audit_append(actor=Actor.of(membership), action="farms.external_save", obj=farm, before=b, after=a, permission="herd.manage")
    return farm
