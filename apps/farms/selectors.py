from django.http import Http404

from apps.accounts.people import farms_for
from apps.accounts.permissions import visible_to

from .models import ExternalFarm, Farm


def farms_visible_to(membership, *, include_archived: bool = False):
    """The farms of the member's organisation that are within the member's farm scope."""
    farms = visible_to(Farm.objects.all(), membership, "pk")
    if not include_archived:
        farms = farms.filter(archived_at=None)
    return farms.order_by("name")


def farm_list(membership) -> list[Farm]:
    """The member's farms as a list, read once a request: the layout's farm switcher and the dashboard cards
    both ask. Kept on the request's membership (the farm services forget it when a farm changes: forget_farms)
    and between requests in the cache of people (apps/accounts/people.py)."""
    found = getattr(membership, "_farm_list", None)
    if found is None:
        found = membership._farm_list = farms_for(membership, lambda: list(farms_visible_to(membership)))
    return found


def forget_farms(membership) -> None:
    """Drop what the membership remembers of its farms (farm_list here, farm_ids_of in permissions)."""
    membership.__dict__.pop("_farm_list", None)
    membership.__dict__.pop("_farm_ids", None)


def get_farm_for(membership, pk: int) -> Farm:
    """The farm, or 404 when it is not the member's organisation's or outside their scope."""
    farm = farms_visible_to(membership, include_archived=True).filter(pk=pk).first()
    if farm is None:
        raise Http404
    return farm


def external_farms(membership):
    """The organisation's register of outside farms (shared by all its farms)."""
    return ExternalFarm.objects.filter(tenant_id=membership.tenant_id).order_by("name")
