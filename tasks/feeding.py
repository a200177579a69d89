from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from apps.core.rls import each_tenant


@db_periodic_task(crontab(minute="15"))
@lock_task("standing-rations")
def feed_standing_rations() -> int:
    """Every hour: the standing rations whose farm's day has begun and that are not yet fed today draw their feed
    (hourly, so a farm in any time zone is fed on its own morning, and a missed hour is made up)."""
    from django_scopes import scopes_disabled

    from apps.feeding.models import Ration
    from apps.feeding.services import standing_rations_feed

    with scopes_disabled():
        tenant_ids = list(Ration.objects.filter(standing=True).order_by().values_list("tenant_id", flat=True).distinct())
    return sum(each_tenant(tenant_ids, lambda tenant_id: standing_rations_feed(tenant_id=tenant_id), job="standing rations"))
