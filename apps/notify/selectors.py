from apps.core.fragments import Source, drawn

from .models import Notification

# The bell's figure on every page, per member: drawn again after any notification for them is written or read.
UNREAD = Source("notify-unread", seconds=300)


def unread_count(membership) -> int:
    tenant_id, user_id = membership.tenant_id, membership.user_id
    return drawn("notify:unread", sources=[(UNREAD, (tenant_id, user_id))], vary_on=(tenant_id, user_id),
                 draw=lambda: Notification.objects.filter(tenant_id=tenant_id, user_id=user_id, read_at=None).count())


def unread_changed(tenant_id: int, user_id: int) -> None:
    """For a bulk write (update() sends no signal)."""
    UNREAD.changed(tenant_id, user_id)


def notifications_of(membership, limit: int = 30):
    return list(Notification.objects.filter(tenant_id=membership.tenant_id, user_id=membership.user_id)[:limit])
