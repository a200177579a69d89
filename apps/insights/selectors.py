"""Reads that cross the apps: the home page's recent activity."""

from apps.accounts.permissions import visible_to
from apps.audit.models import AuditEntry


def recent_activity(membership, limit: int = 10):
    """The organisation's latest audited changes, within the member's farm scope."""
    return visible_to(AuditEntry.objects.all(), membership).only(
        "created_at", "actor_email", "action", "object_repr", "object_type", "object_id"
    )[:limit]
