from apps.core.cache import versioned, versions_changed

from .models import Notification

UNREAD_SECONDS = 300


def unread_version_key(tenant_id: int, user_id: int) -> str:
    return f"notify:unread-v:{tenant_id}:{user_id}"


def unread_count(membership) -> int:
    """The bell's figure on every page: kept in the cache until a notification for the member is written or read."""
    tenant_id, user_id = membership.tenant_id, membership.user_id
    return versioned(
        unread_version_key(tenant_id, user_id), f"notify:unread:{tenant_id}:{user_id}",
        lambda: Notification.objects.filter(tenant_id=tenant_id, user_id=user_id, read_at=None).count(), UNREAD_SECONDS,
    )


def unread_changed(tenant_id: int, user_id: int) -> None:
    versions_changed([unread_version_key(tenant_id, user_id)], UNREAD_SECONDS)


def notifications_of(membership, limit: int = 30):
    return list(Notification.objects.filter(tenant_id=membership.tenant_id, user_id=membership.user_id)[:limit])
