from .models import ExternalFarm


def external_farms(membership):
    """The organisation's register of outside farms (shared by all its farms)."""
    return ExternalFarm.objects.filter(tenant_id=membership.tenant_id).order_by("name")
