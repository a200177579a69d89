from django.db import transaction
from django.utils import timezone

from .models import Notification


def notification_create(*, tenant_id: int, user_id: int, title: str, body: str = "", url: str = "") -> Notification:
    return Notification.objects.create(tenant_id=tenant_id, user_id=user_id, title=title[:140], body=body[:500], url=url[:300])


@transaction.atomic
def notifications_mark_read(*, membership, ids: list[int] | None = None) -> int:
    unread = Notification.objects.filter(tenant_id=membership.tenant_id, user_id=membership.user_id, read_at=None)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
