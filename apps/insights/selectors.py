"""Reads that cross the apps: the home page's recent activity."""

from apps.accounts.models import User
from apps.accounts.permissions import visible_to
from apps.audit.models import AuditEntry

from .activity import Line, activity_lines


def recent_activity(membership, limit: int = 10) -> list[Line]:
    """The organisation's latest audited changes, within the member's farm scope, as sentences
    with people's names (two queries, whatever the limit)."""
    entries = list(
        visible_to(AuditEntry.objects.all(), membership)
        .only("created_at", "actor_id", "actor_email", "action", "object_repr", "object_type", "object_id")
        .order_by("-created_at")[:limit]
    )
    actor_ids = {entry.actor_id for entry in entries if entry.actor_id}
    names = {user.pk: user.display_name for user in User.objects.filter(pk__in=actor_ids).select_related("profile")}
    return activity_lines(entries, names)
