from django.http import Http404

from apps.accounts.permissions import visible_to

from .models import ExternalFarm, Farm


def farms_visible_to(membership, *, include_archived: bool = False):
    """The farms of the member's organisation that are within the member's farm scope."""
    farms = visible_to(Farm.objects.all(), membership, "pk")
    if not include_archived:
        farms = farms.filter(archived_at=None)
    return farms.order_by("name")


def get_farm_for(membership, pk: int) -> Farm:
    """The farm, or 404 when it is not the member's organisation's or outside their scope."""
    farm = farms_visible_to(membership, include_archived=True).filter(pk=pk).first()
    if farm is None:
        raise Http404
    return farm


def external_farms(membership):
    """The organisation's register of outside farms (shared by all its farms)."""
    return ExternalFarm.objects.filter(tenant_id=membership.tenant_id).order_by("name")
