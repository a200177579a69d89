import datetime as dt

import pytest
from django_scopes import scopes_disabled

from apps.billing.models import Subscription
from tests.stripe_server import SECRET, running_stripe

WEBHOOK_SECRET = "whsec_local_stripe_secret"


@pytest.fixture
def stripe_api(settings):
    with running_stripe() as stripe:
        settings.STRIPE_SECRET_KEY = SECRET
        settings.STRIPE_API_BASE = stripe.base
        settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
        yield stripe


def subscription_of(membership) -> Subscription:
    with scopes_disabled():
        return Subscription.objects.select_related("plan", "next_plan").get(tenant_id=membership.tenant_id)


def set_subscription(membership, **values) -> Subscription:
    with scopes_disabled():
        Subscription.objects.filter(tenant_id=membership.tenant_id).update(**values)
    return subscription_of(membership)


def trial_ending_on(membership, day: dt.date, **values) -> Subscription:
    return set_subscription(membership, trial_ends_on=day, current_period_start=day - dt.timedelta(days=30),
                            current_period_end=day, anchor_day=day.day, **values)


def deliver_pending(kinds: tuple[str, ...] | None = None, rounds: int = 10) -> int:
    """Do what the workers would: deliver every pending outbox message (and what those enqueue)."""
    from apps.core.models import OutboxMessage
    from apps.core.outbox import outbox_deliver

    done = 0
    for _ in range(rounds):
        with scopes_disabled():
            pending = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)
            if kinds:
                pending = pending.filter(kind__in=kinds)
            ids = list(pending.order_by("pk").values_list("pk", flat=True))
        if not ids:
            break
        for message_id in ids:
            done += outbox_deliver(message_id=message_id)
    return done
