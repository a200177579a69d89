from .models import Notification


def unread_count(membership) -> int:
    return Notification.objects.filter(tenant_id=membership.tenant_id, user_id=membership.user_id, read_at=None).count()


def notifications_of(membership, limit: int = 30):
    return list(Notification.objects.filter(tenant_id=membership.tenant_id, user_id=membership.user_id)[:limit])
