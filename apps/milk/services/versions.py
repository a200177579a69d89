"""Cache versions of a farm's milk: moved on by a change, so what was cached under the old one is not read."""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction


def farm_version_key(tenant_id: int, farm_id: int) -> str:
    return f"milk:v:{tenant_id}:{farm_id}"


def _bump(key: str) -> None:
    """Move a cache version on: what was cached under the old one is not read again."""
    if not cache.add(key, 1, timeout=None):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=None)


def session_context_changed(tenant_id: int, farm_id: int) -> None:
    """A tank reading or a lactation changed on the farm: the entry page's session context is read again."""
    from ..selectors import session_context_key

    key = session_context_key(tenant_id, farm_id)
    _bump(key)  # this request reads it afresh now; once committed, everyone does
    transaction.on_commit(lambda: _bump(key))


def touch_farm(tenant_id: int, farm_id: int) -> None:
    """Invalidate the farm's cached dashboard once the change is committed."""
    key = farm_version_key(tenant_id, farm_id)
    transaction.on_commit(lambda: _bump(key))
