"""Reads that cross the apps: the home page's parts (recent activity, read each time; the herd, health and money
kept until what they are drawn from changes)."""

from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import can, farm_ids_of, visible_to
from apps.audit.models import AuditEntry
from apps.core.fragments import clock_step, drawn
from apps.finance import selectors as finance_selectors
from apps.finance.selectors import MONEY
from apps.health.selectors import withdrawals_now
from apps.herd.selectors import HERD, herd_counts_by_farm
from apps.stock.selectors import STOCK, expiring, low_stock

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
    """Animals under withdrawal and the stock alerts, for the home page (a fixed number of queries). Kept until a
    treatment, an animal or the stock changes, and read as at the start of a ten-minute step: a withdrawal that ends
    within the step shows as running until the step is over (the safe side)."""
    now = clock_step()
    stock = can(membership, "stock.view")
    return drawn("insights:health", sources=[(HERD, (membership.tenant_id,)), (STOCK, (membership.tenant_id,))],
                 vary_on=(membership.tenant_id, membership.pk, farm_ids_of(membership), stock, now),
                 draw=lambda: {"now": now, "withdrawals": withdrawals_now(membership, at=now, limit=6),
                               "low": len(low_stock(membership)) if stock else 0,
                               "expiring": expiring(membership).count() if stock else 0})


def money_overview(membership) -> dict:
    """This month's money, kept until an expense, sale, invoice or payment of the organisation changes."""
    return drawn("insights:money", sources=[(MONEY, (membership.tenant_id,))],
                 vary_on=(membership.tenant_id, membership.pk, farm_ids_of(membership), timezone.localdate()),
                 draw=lambda: finance_selectors.money_overview(membership))


def herd_counts(membership) -> list[dict]:
    return drawn("insights:herd", sources=[(HERD, (membership.tenant_id,))],
                 vary_on=(membership.tenant_id, membership.pk, farm_ids_of(membership)),
                 draw=lambda: herd_counts_by_farm(membership))
