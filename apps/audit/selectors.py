from .models import AuditEntry


def entries_of(membership):
    """The organisation's audit chain, newest first (owners see every farm's entries)."""
    return AuditEntry.objects.filter(tenant_id=membership.tenant_id).order_by("-seq")
