"""Reads that cross the apps: the home page's recent activity."""

from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import can, visible_to
from apps.audit.models import AuditEntry
from apps.health.selectors import withdrawals_now
from apps.stock.selectors import expiring, low_stock

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


def health_overview(membership) -> dict:
    """Animals under withdrawal now and the stock alerts, for the home page (a fixed number of queries)."""
    now = timezone.now()
    stock = can(membership, "stock.view")
    return {
        "now": now,
        "withdrawals": withdrawals_now(membership, at=now, limit=6),
        "low": len(low_stock(membership)) if stock else 0,
        "expiring": expiring(membership).count() if stock else 0,
    }
