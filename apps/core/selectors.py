from apps.audit.models import AuditEntry


def recent_activity(membership, limit: int = 10):
    """The organisation's latest audited changes, within the member's farm scope."""
    from apps.accounts.permissions import farm_ids_of

    entries = AuditEntry.objects.filter(tenant_id=membership.tenant_id)
    allowed = farm_ids_of(membership)
    if allowed is not None:
        entries = entries.filter(farm_id__in=allowed)
    return entries.only("created_at", "actor_email", "action", "object_repr", "object_type", "object_id")[:limit]
