"""What the milk pages are drawn from, as cache sources (apps.core.fragments): a farm's milk, which the dashboard
cards show, and a farm's session context (its tank readings and cows in milk), which every row save shows."""

from __future__ import annotations

from apps.core.fragments import Source

FARM_MILK = Source("milk-farm", seconds=300)
SESSION_CONTEXT = Source("milk-session", seconds=60)


def touch_farm(tenant_id: int, farm_id: int) -> None:
    """A record, summary or alert of the farm changed: its dashboard cards are drawn again."""
    FARM_MILK.changed(tenant_id, farm_id)


def session_context_changed(tenant_id: int, farm_id: int) -> None:
    """A tank reading or a lactation changed on the farm: the entry page's session context is read again."""
    SESSION_CONTEXT.changed(tenant_id, farm_id)
