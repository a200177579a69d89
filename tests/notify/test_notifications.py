"""Notifications: the member's channels per kind, quiet hours across time zones, the digest, retries of a failing
provider, SMS against a local stand-in for Africa's Talking, and Web Push received and decrypted on a local endpoint."""

import base64
import datetime as dt
import json
import os
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from apps.accounts.models import Profile
from apps.notify import services
from apps.notify.models import Delivery, Notification, NotifySettings, PushSubscription
from tests.billing.conftest import deliver_pending
from tests.dns_server import point, running
from tests.factories import make_member
from tests.formdata import form_data

pytestmark = pytest.mark.usefixtures("owner_scope")
HAY = {"description": "Hay", "amount": "900", "currency": "KES", "submitter": "Ann", "farm": "Home Farm"}
UTC = dt.UTC


def at(hour: int, minute: int = 0, day: int = 10) -> dt.datetime:
    return dt.datetime(2026, 6, day, hour, minute, tzinfo=UTC)


def member_in(owner, zone: str, phone: str = "+254712345678"):
    member = make_member(owner, "manager")
    Profile.objects.update_or_create(user=member.user, defaults={"time_zone": zone, "phone": phone})
    member.user.refresh_from_db()
    return member


def choose(member, kind: str, channels: list[str], quiet=(None, None), digest=False):
    with scope(tenant=member.tenant_id):
        return services.settings_update(membership=member, channels={kind: channels}, quiet_start=quiet[0],
                                        quiet_end=quiet[1], digest=digest)


def deliveries(notification) -> dict[str, Delivery]:
    with scopes_disabled():
        return {d.channel: d for d in Delivery.objects.filter(notification=notification)}


def test_the_members_choice_of_channels_decides_where_it_goes(owner):
    member = member_in(owner, "Africa/Nairobi")
    notification = services.notify(membership=member, kind="approval_waiting", context={
        "submitter": "Ann", "description": "Salt", "amount": "10", "currency": "KES", "farm": "Home"})
    assert set(deliveries(notification)) == {"email"} and notification.read_at is None  # the kind's defaults: bell + email
    choose(member, "approval_waiting", ["sms", "push"])
    notification = services.notify(membership=member, kind="approval_waiting", context=HAY)
    assert set(deliveries(notification)) == {"sms", "push"}
    assert notification.read_at is not None  # not on the bell: kept in the history, already read


@pytest.mark.parametrize(("zone", "now", "held_until"), [
    ("Africa/Nairobi", at(19), at(3, day=11)),  # 22:00 in Nairobi: quiet until 06:00 there (03:00 UTC)
    ("America/Lima", at(19), None),  # 14:00 in Lima: not quiet
    ("America/Lima", at(3), at(11)),  # 22:00 the evening before in Lima: quiet until 06:00 Lima (11:00 UTC)
    ("Asia/Kolkata", at(0, 30), at(0, 30) + dt.timedelta(minutes=30)),  # 06:00 IST at 00:30 UTC: the window just ends at 06:00
])
def test_quiet_hours_in_the_members_own_time_zone(owner, zone, now, held_until):
    member = member_in(owner, zone)
    choose(member, "approval_waiting", ["app", "email"], quiet=(dt.time(21), dt.time(6)))
    notification = services.notify(membership=member, kind="approval_waiting", context=HAY, now=now)
    email = deliveries(notification)["email"]
    if held_until is None:
        assert email.status == Delivery.Status.PENDING
    elif zone == "Asia/Kolkata":
        assert email.status == Delivery.Status.PENDING  # 06:00 is outside a window that ends at 06:00
    else:
        assert email.status == Delivery.Status.HELD and email.next_attempt_at == held_until


def test_urgent_kinds_come_through_quiet_hours_and_held_ones_go_when_they_end(owner):
    member = member_in(owner, "Africa/Nairobi")
    choose(member, "payment_failed", ["app", "email"], quiet=(dt.time(21), dt.time(6)))
    urgent = services.notify(membership=member, kind="payment_failed", now=at(20), context={
        "number": "IF-1", "amount": "1", "currency": "KES", "answer": "declined", "next_try": dt.date(2026, 6, 11)})
    assert deliveries(urgent)["email"].status == Delivery.Status.PENDING
    choose(member, "approval_waiting", ["app", "email"], quiet=(dt.time(21), dt.time(6)))
    held = services.notify(membership=member, kind="approval_waiting", context=HAY, now=at(20))
    assert deliveries(held)["email"].pk not in [pk for _, pk in services.due_deliveries(now=at(2, day=11))]
    due = [pk for _, pk in services.due_deliveries(now=at(3, day=11))]
    assert deliveries(held)["email"].pk in due
    with time_machine.travel(at(3, day=11), tick=False):
        services.delivery_send(delivery_id=deliveries(held)["email"].pk)
    assert deliveries(held)["email"].status == Delivery.Status.SENT
    assert mail.outbox[-1].to == [member.user.email] and "Hay" in mail.outbox[-1].subject


@pytest.mark.parametrize(("quiet", "field"), [((dt.time(22), dt.time(22)), "quiet_end"), ((dt.time(22), None), "quiet_end")])
def test_quiet_hours_with_the_same_start_and_end_are_refused(owner, quiet, field):
    member = member_in(owner, "UTC")
    with pytest.raises(ValidationError) as refused:
        choose(member, "general", ["app"], quiet=quiet)
    assert field in refused.value.message_dict
    assert not NotifySettings.objects.filter(membership=member).exists()


def test_sms_needs_an_international_number_on_the_profile(owner):
    member = member_in(owner, "UTC", phone="0712345678")
    with pytest.raises(ValidationError, match="SMS needs a phone number"):
        choose(member, "payment_failed", ["app", "sms"])


def test_the_settings_page_saves_what_the_browser_sends(client, as_member, owner):
    as_member(owner)
    page = client.get(reverse("notify:settings")).text
    data = form_data(page, "notify-form")
    data = {k: v for k, v in data.items() if not k.startswith("k_approval_waiting_")}
    data["k_approval_waiting_push"] = "on"
    data.update(quiet_start="21:30", quiet_end="05:30")
    response = client.post(reverse("notify:settings"), data)
    assert response.status_code == 302
    stored = NotifySettings.objects.get(membership=owner)
    assert stored.channels["approval_waiting"] == ["push"]
    assert stored.channels["expense_decided"] == ["app", "email"]  # left as they were
    assert (stored.quiet_start, stored.quiet_end) == (dt.time(21, 30), dt.time(5, 30))
    data.update(quiet_start="21:30", quiet_end="21:30")
    response = client.post(reverse("notify:settings"), data)
    assert response.status_code == 400 and "Quiet hours need an end different from their start." in response.text


def test_the_daily_digest_gathers_the_days_emails_at_seven_local_time(owner):
    member = member_in(owner, "Africa/Nairobi")
    choose(member, "approval_waiting", ["app", "email"], digest=True)
    for what in ("Hay", "Salt"):
        n = services.notify(membership=member, kind="approval_waiting", context={**HAY, "description": what})
        assert deliveries(n)["email"].status == Delivery.Status.DIGEST
    assert services.digests_send(now=at(3, day=11)) == 0  # 06:00 in Nairobi: not yet
    sent_before = len(mail.outbox)
    assert services.digests_send(now=at(4, day=11)) == 1  # 07:00 in Nairobi
    digest = mail.outbox[-1]
    assert len(mail.outbox) == sent_before + 1 and "2 things" in digest.subject
    assert "Hay" in digest.body and "Salt" in digest.body
    assert services.digests_send(now=at(4, day=11)) == 0  # nothing left for a second run


# SMS through a local stand-in for the provider ------------------------------------------------------------


@contextmanager
def sms_provider(answers: list[int]):
    """Africa's Talking's messaging endpoint: checks the key, answers with the given statuses in turn."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
            received.append({"path": self.path, "key": self.headers.get("apiKey"), **{k: v[0] for k, v in body.items()}})
            status = answers.pop(0) if answers else 201
            payload = {"SMSMessageData": {"Message": "Sent to 1/1", "Recipients": [
                {"status": "Success", "statusCode": 101, "number": body["to"][0], "messageId": "ATXid_1",
                 "cost": "KES 0.8000"}]}} if status == 201 else {"error": "busy"}
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


def test_an_sms_goes_to_the_provider_with_the_key_and_the_short_text(owner, settings):
    member = member_in(owner, "UTC")
    choose(member, "payment_failed", ["sms"])
    with sms_provider([]) as (url, received):
        settings.SMS_PROVIDER, settings.SMS_API_URL, settings.SMS_API_KEY, settings.SMS_USERNAME = "africastalking", url, "k-1", "ifarm"
        n = services.notify(membership=member, kind="payment_failed", url="/billing/", context={
            "number": "IF-2026-000001", "amount": "1950", "currency": "KES", "answer": "declined",
            "next_try": dt.date(2026, 6, 11), "tenant": "Green Acres"})
        deliver_pending()
    [sms] = received
    assert sms["path"] == "/version1/messaging" and sms["key"] == "k-1" and sms["username"] == "ifarm"
    assert sms["to"] == "+254712345678" and "IF-2026-000001" in sms["message"] and sms["message"].endswith("/billing/")
    delivery = deliveries(n)["sms"]
    assert delivery.status == Delivery.Status.SENT and "ATXid_1" in delivery.answer and delivery.attempts == 1


def test_a_failing_provider_is_tried_again_with_back_off_then_marked_failed(owner, settings):
    member = member_in(owner, "UTC")
    choose(member, "payment_failed", ["sms"])
    with sms_provider([500] * 10) as (url, received):
        settings.SMS_PROVIDER, settings.SMS_API_URL = "africastalking", url
        start = at(12)
        n = services.notify(membership=member, kind="payment_failed", now=start, context={"number": "IF-1", "amount": "1", "currency": "KES"})
        delivery_id = deliveries(n)["sms"].pk
        tried_at = []
        now = start
        for _ in range(12):
            due = [pk for _, pk in services.due_deliveries(now=now)]
            if delivery_id in due:
                services.delivery_send(delivery_id=delivery_id, now=now)
                tried_at.append(now)
            now += dt.timedelta(minutes=1)
            if deliveries(n)["sms"].status == Delivery.Status.FAILED:
                break
            delivery = deliveries(n)["sms"]
            if delivery.next_attempt_at and delivery.next_attempt_at > now:
                now = delivery.next_attempt_at
    delivery = deliveries(n)["sms"]
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == services.MAX_ATTEMPTS == 5
    assert "HTTP 500" in delivery.answer and len(received) == 5
    gaps = [round((b - a).total_seconds() / 60) for a, b in zip(tried_at, tried_at[1:], strict=False)]
    assert gaps == [1, 5, 30, 120]


def test_staff_send_a_failed_delivery_again_from_the_admin(client, owner, django_user_model):
    member = member_in(owner, "UTC")
    n = services.notify(membership=member, kind="approval_waiting", context=HAY)
    email = deliveries(n)["email"]
    Delivery.objects.filter(pk=email.pk).update(status=Delivery.Status.FAILED, answer="SMTP down")
    staff = django_user_model.objects.create_superuser(email="staff@ifarm.test", password="staff-password-123")
    client.force_login(staff)
    response = client.post(reverse("admin:notify_delivery_changelist"), {"action": "resend", "_selected_action": [email.pk]})
    assert response.status_code == 302
    deliver_pending()
    email.refresh_from_db()
    assert email.status == Delivery.Status.SENT and email.attempts == 1


# Web Push, received and decrypted ---------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture(autouse=True)
def push_hosts(settings):
    """The suite's push service is push.test, on this machine; push.example.test stands for a real one."""
    settings.PUSH_SERVICE_HOSTS = ["push.test", ".example.test"]
    point("push.test", "127.0.0.1")


@contextmanager
def push_service(host="127.0.0.1"):
    """A push service endpoint: keeps what it receives (the encrypted body and the VAPID header), answers 201."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"path": self.path, "body": body, "headers": {k.lower(): v for k, v in self.headers.items()}})
            self.send_response(410 if self.path.endswith("/gone") else 201)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://{host}:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


def browser_keys():
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return private, _b64(public), os.urandom(16)


def test_a_push_is_encrypted_for_the_browser_and_signed_with_our_vapid_key(owner, settings):
    import http_ece

    settings.PUSH_ALLOW_HTTP = True
    member = member_in(owner, "UTC")
    choose(member, "milk_alert", ["push"])
    private, public, auth = browser_keys()
    with push_service("push.test") as (base, received):
        services.push_subscribe(user=member.user, endpoint=f"{base}/push/abc", p256dh=public, auth=_b64(auth))
        n = services.notify(membership=member, kind="milk_alert", url="/milk/animals/1/", context={
            "animal": "COW-1", "farm": "Home", "message": "SCC 450,000 cells/mL", "date": dt.date(2026, 6, 10),
            "session": "morning"})
        deliver_pending()
    [push] = received
    assert push["headers"]["content-encoding"] == "aes128gcm" and push["headers"]["ttl"] == "86400"
    plain = http_ece.decrypt(push["body"], private_key=private, auth_secret=auth, version="aes128gcm")
    message = json.loads(plain)
    assert message["title"] == "Milk alert for COW-1: SCC 450,000 cells/mL"
    assert message["url"].endswith("/milk/animals/1/") and message["tag"] == f"n{n.pk}"
    # The VAPID header names our public key and carries a token signed with its private half.
    import jwt
    from cryptography.hazmat.primitives.asymmetric import ec

    from apps.notify.channels import vapid_keys

    auth_header = push["headers"]["authorization"]
    assert auth_header.startswith("vapid t=")
    token, key = auth_header[len("vapid t="):].split(",k=")
    assert key == vapid_keys()[1]
    raw = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    claims = jwt.decode(token, ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw), algorithms=["ES256"],
                        audience=base)
    assert claims["sub"] == settings.VAPID_SUBJECT
    assert deliveries(n)["push"].status == Delivery.Status.SENT


def test_a_browser_that_unsubscribed_is_forgotten(owner, settings):
    settings.PUSH_ALLOW_HTTP = True
    member = member_in(owner, "UTC")
    choose(member, "milk_alert", ["push"])
    _, public, auth = browser_keys()
    with push_service("push.test") as (base, received):
        services.push_subscribe(user=member.user, endpoint=f"{base}/push/gone", p256dh=public, auth=_b64(auth))
        n = services.notify(membership=member, kind="milk_alert", context={"animal": "COW-1"})
        deliver_pending()
    assert deliveries(n)["push"].status == Delivery.Status.FAILED
    assert not PushSubscription.objects.filter(user=member.user).exists()


def test_a_push_subscription_for_another_persons_browser_or_with_bad_keys_is_refused(client, as_member, owner, settings, caplog):
    settings.PUSH_ALLOW_HTTP = True
    someone = member_in(owner, "UTC")
    _, public, auth = browser_keys()
    services.push_subscribe(user=someone.user, endpoint="https://push.example.test/x", p256dh=public, auth=_b64(auth))
    as_member(owner)
    url = reverse("notify:push_subscribe")
    response = client.post(url, {"endpoint": "https://push.example.test/x", "p256dh": public, "auth": _b64(auth)})
    assert response.status_code == 400 and "registered to another person" in response.json()["errors"]["endpoint"][0]
    assert PushSubscription.objects.get(endpoint="https://push.example.test/x").user == someone.user
    assert any("refused" in r.getMessage() for r in caplog.records)
    for bad in ({"endpoint": "not a url", "p256dh": public, "auth": _b64(auth)},
                {"endpoint": "https://push.example.test/y", "p256dh": "short", "auth": _b64(auth)},
                {"endpoint": "https://push.example.test/y", "p256dh": public, "auth": "!!"},
                {"endpoint": "https://push.example.test/y"}):
        assert client.post(url, bad).status_code == 400
    assert not PushSubscription.objects.filter(endpoint="https://push.example.test/y").exists()
    response = client.post(url, {"endpoint": "https://push.example.test/mine", "p256dh": public, "auth": _b64(auth)})
    assert response.status_code == 200 and PushSubscription.objects.get(endpoint="https://push.example.test/mine").user == owner.user


def test_the_service_worker_is_served_from_the_root(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert "showNotification" in response.text


def test_a_key_makes_a_job_tell_a_member_once(owner):
    member = member_in(owner, "UTC")
    first = services.notify(membership=member, kind="trial_ending", key="trial-ending:3", context={
        "days": 3, "ends_on": dt.date(2026, 6, 13), "plan": "Family farm", "tenant": "Green Acres"})
    again = services.notify(membership=member, kind="trial_ending", key="trial-ending:3", context={"days": 3})
    assert first is not None and again is None
    assert Notification.objects.filter(user=member.user, kind="trial_ending").count() == 1


@pytest.mark.parametrize("form", ["pem-file", "pem-text"])
def test_the_vapid_key_comes_from_a_file_or_from_the_setting_itself(settings, tmp_path, form):
    from py_vapid import Vapid02

    from apps.notify import channels

    made = Vapid02()
    made.generate_keys()
    path = tmp_path / "vapid.pem"
    made.save_key(str(path))
    settings.VAPID_PRIVATE_KEY = str(path) if form == "pem-file" else path.read_text()
    settings.VAPID_PUBLIC_KEY = ""
    channels._keys = None
    try:
        vapid, public = channels.vapid_keys()
        assert isinstance(vapid, Vapid02) and len(base64.urlsafe_b64decode(public + "==")) == 65
    finally:
        channels._keys = None


@pytest.mark.parametrize("endpoint", ["https://169.254.169.254/latest/meta-data/", "https://127.0.0.1:6379/", "https://localhost:5432/",
                                      "https://attacker.example/push", "https://fcm.googleapis.com.attacker.example/x"])
def test_a_push_address_off_the_push_services_is_refused_for_any_member(client, as_member, owner, endpoint):
    viewer = make_member(owner, "viewer")
    _, public, auth = browser_keys()
    as_member(viewer)
    response = client.post(reverse("notify:push_subscribe"), {"endpoint": endpoint, "p256dh": public, "auth": _b64(auth)})
    assert response.status_code == 400 and "push service" in response.json()["errors"]["endpoint"][0]
    assert not PushSubscription.objects.exists()


def test_a_push_service_name_that_points_inside_is_not_sent_to(owner, settings):
    """A subscription kept when the name was public, whose name now resolves to an internal address: the
    push goes nowhere, and nothing listening inside is touched."""
    settings.PUSH_ALLOW_HTTP = True
    member = member_in(owner, "UTC")
    choose(member, "milk_alert", ["push"])
    _, public, auth = browser_keys()
    with push_service("push.test") as (base, received):
        port = base.rsplit(":", 1)[1]
        services.push_subscribe(user=member.user, endpoint=f"http://fcm.example.test:{port}/push/x", p256dh=public,
                                auth=_b64(auth))
        running().set("fcm.example.test", "A", "127.0.0.1")  # not among the allowed addresses: 127.0.0.1 is, via push.test...
        settings.OUTBOUND_ALLOWED_NETWORKS = []  # ...so take that away: loopback is internal again
        n = services.notify(membership=member, kind="milk_alert", context={"animal": "COW-1"})
        deliver_pending()
    assert received == []
    delivery = deliveries(n)["push"]
    assert delivery.status == Delivery.Status.FAILED and "not an address on the internet" in delivery.answer
