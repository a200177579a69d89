"""Signed webhooks: verified by the receiver's library, retried while it is down, never for a change
that rolled back, and not lost when a worker dies."""

import datetime as dt
import json
import threading

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from standardwebhooks import Webhook

from apps.api.models import WebhookDelivery, WebhookEndpoint
from apps.api.webhooks import DISABLE_AFTER, delivery_attempt, endpoint_create, url_problem
from apps.core.models import OutboxMessage
from apps.notify.models import Notification
from tests.api.conftest import Receiver
from tests.factories import make_animal
from tests.formdata import form_data

pytestmark = pytest.mark.usefixtures("owner_scope")


def test_an_event_arrives_signed_and_verifies_with_the_standard_library(owner, farm, receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        endpoint, secret = endpoint_create(membership=owner, url=receiver.url, events=["animal.created"])
    with django_capture_on_commit_callbacks(execute=True):
        make_animal(owner, farm, tag="HOOK-1")
    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    event = Webhook(secret).verify(body, headers)  # raises when the signature does not match
    assert event["type"] == "animal.created" and event["data"]["tag"] == "HOOK-1"
    assert WebhookDelivery.objects.get().status == "delivered"
    with pytest.raises(Exception):
        Webhook(secret).verify(body.replace(b"HOOK-1", b"HOOK-2"), headers)


def test_a_receiver_that_is_down_gets_the_event_later(owner, farm, django_capture_on_commit_callbacks, reach_localhost):
    with override_settings(DEBUG=True):
        down = Receiver()
        url = down.url
        down.close()  # nothing listens there now
        with django_capture_on_commit_callbacks(execute=True):
            endpoint_create(membership=owner, url=url, events=["animal.created"])
        with django_capture_on_commit_callbacks(execute=True):
            make_animal(owner, farm, tag="LATE-1")
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts) == ("pending", 1) and delivery.next_attempt_at > timezone.now()
        # The receiver comes back on the same port; the retry is due.
        import http.server

        back = Receiver()
        back.server.shutdown()
        back.server.server_close()
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        back.server = http.server.HTTPServer(("127.0.0.1", port), back.server.RequestHandlerClass)
        threading.Thread(target=back.server.serve_forever, daemon=True).start()
        WebhookDelivery.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
        from tasks.webhooks import send_due_webhooks

        assert send_due_webhooks.call_local() == 1
        back.close()
    assert WebhookDelivery.objects.get().status == "delivered" and len(back.received) == 1


def test_no_event_for_a_change_that_rolled_back(owner, farm, receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        endpoint_create(membership=owner, url=receiver.url, events=["animal.created"])
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            make_animal(owner, farm, tag="GONE-1")
            raise RuntimeError("the rest of the change failed")
    assert not OutboxMessage.objects.filter(kind="event").exists() and receiver.received == []


def test_a_killed_worker_loses_no_event(owner, farm, receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        endpoint_create(membership=owner, url=receiver.url, events=["animal.created"])
    make_animal(owner, farm, tag="KILLED-1")  # committed, but the worker died before sending (no on-commit run)
    message = OutboxMessage.objects.get(kind="event")
    from apps.core.outbox import outbox_deliver

    OutboxMessage.objects.filter(pk=message.pk).update(created_at=timezone.now() - dt.timedelta(minutes=5))
    from tasks.outbox import sweep_outbox

    sweep_outbox.call_local()  # the minute's sweep re-queues it (run at once in tests)
    assert outbox_deliver(message_id=message.pk) in (True, False)
    assert len(receiver.received) == 1
    # A delivery a worker took and died on is sent once its lease runs out.
    WebhookDelivery.objects.update(status="pending", locked_until=timezone.now() - dt.timedelta(seconds=1),
                                   next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    from tasks.webhooks import send_due_webhooks

    assert send_due_webhooks.call_local() == 1 and len(receiver.received) == 2


def test_private_addresses_and_plain_http_are_refused_outside_debug():
    assert "https" in url_problem("http://example.com/hook")
    for url in ("https://127.0.0.1/hook", "https://10.1.2.3/hook", "https://[::1]/hook", "https://100.64.0.1/hook",
                "https://169.254.169.254/latest/meta-data/", "https://198.18.0.1/hook", "https://[::ffff:127.0.0.1]/hook",
                "https://[64:ff9b::a9fe:a9fe]/hook", "https://[fd00::1]/hook", "https://0.0.0.0/hook"):
        assert "not an address on the internet" in url_problem(url), url


def test_an_endpoint_failing_for_a_day_is_turned_off_and_the_owner_told(owner, farm, reach_localhost):
    with override_settings(DEBUG=True):
        down = Receiver(status=500)
        endpoint, _ = endpoint_create(membership=owner, url=down.url, events=["animal.created"])
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=timezone.now() - DISABLE_AFTER - dt.timedelta(minutes=1))
        delivery = WebhookDelivery.objects.create(tenant_id=owner.tenant_id, endpoint=endpoint, message_id="msg_x", event="animal.created",
                                                  payload={"id": "msg_x", "type": "animal.created", "data": {}},
                                                  next_attempt_at=timezone.now())
        assert delivery_attempt(delivery_id=delivery.pk) is False
        down.close()
    endpoint.refresh_from_db()
    assert not endpoint.is_active and "a day" in endpoint.disabled_reason
    assert Notification.objects.filter(user=owner.user, title__startswith="Webhook turned off").exists()


def test_the_integrations_page_adds_a_webhook_and_sends_a_test(owner, as_member, receiver, django_capture_on_commit_callbacks):
    client = as_member(owner)
    page = client.get(reverse("api:integrations")).content.decode()
    data = form_data(page, "webhook-form", fill={"url": receiver.url})
    data["events"] = ["animal.created", "invoice.issued"]
    response = client.post(reverse("api:integrations"), data)
    assert response.status_code == 200 and "whsec_" in response.content.decode()
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["animal.created", "invoice.issued"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("api:endpoint_action", args=[endpoint.pk]), {"action": "test"})
    assert json.loads(receiver.received[0][1])["type"] == "webhook.test"
    log = client.get(reverse("api:endpoint", args=[endpoint.pk])).content.decode()
    assert "webhook.test" in log and "Delivered" in log
    bad = client.post(reverse("api:integrations"), dict(data, url="ftp://example.com/x"))
    assert bad.status_code == 400 and WebhookEndpoint.objects.count() == 1


def test_a_withdrawal_that_runs_out_is_announced_once(owner, receiver, django_capture_on_commit_callbacks):
    from apps.health.models import Treatment
    from tests.health.conftest import at, make_batch, make_item
    from tests.health.test_treatments import treat
    from tests.milk.conftest import make_cows

    farm = make_farm_for_hooks(owner)
    cow = make_cows(owner, farm, 1)[0]
    treatment = treat(owner, cow, make_batch(owner, make_item(owner, name="Hook tubes"), farm), at(farm, farm.local_today(), 0))
    with django_capture_on_commit_callbacks(execute=True):
        endpoint_create(membership=owner, url=receiver.url, events=["withdrawal.ended"])
    from apps.health.services import withdrawals_ended_announce

    later = treatment.milk_withdrawal_ends_at + dt.timedelta(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        assert withdrawals_ended_announce(tenant_id=owner.tenant_id, now=later) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert withdrawals_ended_announce(tenant_id=owner.tenant_id, now=later) == 0
    assert [json.loads(body)["type"] for _, body in receiver.received] == ["withdrawal.ended"]
    assert Treatment.objects.get().withdrawal_end_announced


def make_farm_for_hooks(owner):
    from tests.factories import make_farm

    return make_farm(owner, name="Hook Farm", milking_sessions_per_day=2)


def test_a_session_is_announced_when_its_last_cow_is_recorded(owner, receiver, django_capture_on_commit_callbacks):
    from decimal import Decimal

    from apps.milk.services import milking_record_save
    from tests.milk.conftest import make_cows

    farm = make_farm_for_hooks(owner)
    cows = make_cows(owner, farm, 2)
    with django_capture_on_commit_callbacks(execute=True):
        endpoint_create(membership=owner, url=receiver.url, events=["milk.session_completed"])
    day = farm.local_today()
    during_the_morning = dt.datetime.combine(day, dt.time(6, 0), tzinfo=farm.zone)  # milked 04:00 to 15:00
    for n, cow in enumerate(cows):
        with django_capture_on_commit_callbacks(execute=True), time_machine.travel(during_the_morning, tick=False):
            milking_record_save(membership=owner, farm=farm, animal=cow, date=day, session="morning", quantity=Decimal(10 + n))
        assert len(receiver.received) == n  # nothing until the last cow
    event = json.loads(receiver.received[0][1])
    assert event["type"] == "milk.session_completed" and event["data"]["cows"] == 2 and event["data"]["total"] == "21.00"
