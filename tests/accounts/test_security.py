"""Watching for abuse: address reputation and blocks, rate rules as data, devices, security alerts."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from apps.accounts.models import AbuseEvent, Device, IpBlock, RateRule
from apps.accounts.people import tenant_people_changed
from apps.accounts.security import BLOCK_AT, abuse_forget_old, device_name, reputation_of
from apps.notify.models import Notification
from tests.factories import PASSWORD, make_member, make_user

ATTACKER, BYSTANDER = "203.0.113.66", "198.51.100.7"
REDIS_DOWN = {"default": {"BACKEND": "apps.core.cache.RedisWithLocalFallback", "LOCATION": "redis://127.0.0.1:1/0",
                          "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2}}}


def fail_logins(client, count: int, ip: str = ATTACKER) -> list[int]:
    return [client.post(reverse("account_login"), {"login": f"guess{n}@example.test", "password": "nope"},
                        REMOTE_ADDR=ip).status_code for n in range(count)]


def blocked(client, ip: str) -> bool:
    response = client.get(reverse("account_login"), REMOTE_ADDR=ip)
    return response.status_code == 403 and "blocked" in response.content.decode()


@pytest.mark.parametrize("redis", ["up", "down"])
def test_fifty_failed_logins_block_the_address_until_the_block_expires(client, db, settings, redis):
    if redis == "down":
        settings.CACHES = REDIS_DOWN
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail_logins(client, int(BLOCK_AT) - 1)
        assert not blocked(client, ATTACKER)
        fail_logins(client, 1)
        assert blocked(client, ATTACKER)
        assert not blocked(client, BYSTANDER)  # other addresses are unaffected
        assert IpBlock.objects.filter(ip=ATTACKER).count() == 1
        assert AbuseEvent.objects.filter(ip=ATTACKER, kind="blocked").count() == 1
    with time_machine.travel(start + dt.timedelta(minutes=59), tick=False):
        assert blocked(client, ATTACKER)
    with time_machine.travel(start + dt.timedelta(minutes=61), tick=False):
        # The block is over and the score has halved: the address may sign in again.
        assert not blocked(client, ATTACKER)
        assert reputation_of(ATTACKER) < BLOCK_AT / 2 + 1


def test_a_blocked_address_is_told_to_staff(client, db, django_capture_on_commit_callbacks):
    staff = make_user("staff@example.test")
    staff.__class__.objects.filter(pk=staff.pk).update(is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        fail_logins(client, int(BLOCK_AT))
    assert any("Address blocked" in m.subject and "staff@example.test" in m.to for m in mail.outbox)


def test_reputation_decays_by_half_every_hour(db):
    now = timezone.now()
    AbuseEvent.objects.bulk_create([AbuseEvent(ip=ATTACKER, kind="login_failed", created_at=now) for _ in range(10)]
                                   + [AbuseEvent(ip=ATTACKER, kind="login_failed", created_at=now - dt.timedelta(hours=1))
                                      for _ in range(10)]
                                   + [AbuseEvent(ip=ATTACKER, kind="refused", created_at=now) for _ in range(4)])
    assert reputation_of(ATTACKER, now=now) == pytest.approx(10 + 5 + 2)
    assert reputation_of(BYSTANDER, now=now) == 0


def test_only_refusals_of_unknown_callers_count_against_an_address(as_member, owner):
    viewer = make_member(owner, "viewer")
    client = as_member(viewer)
    # A signed-in person refused a page is the role's business, not an attack from the address.
    assert client.get(reverse("accounts:policy_create"), REMOTE_ADDR=ATTACKER).status_code == 403
    assert not AbuseEvent.objects.filter(ip=ATTACKER).exists()
    client.logout()
    assert Client().post("/api/v1/animals", {}, content_type="application/json", REMOTE_ADDR=ATTACKER).status_code == 401
    assert list(AbuseEvent.objects.filter(ip=ATTACKER).values_list("kind", flat=True)) == ["api_refused"]


def test_rate_rules_held_as_data_throttle_and_block(as_member, owner, client):
    from apps.accounts.security import rules_changed

    RateRule.objects.create(name="Team page", scope="user", path_prefix="/team/", window_seconds=60, limit=3)
    rules_changed()  # as the admin does on save
    client = as_member(owner)
    statuses = [client.get(reverse("accounts:team"), REMOTE_ADDR=ATTACKER).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert AbuseEvent.objects.filter(ip=ATTACKER, kind="rate_limited").count() == 2
    assert client.get(reverse("home"), REMOTE_ADDR=ATTACKER).status_code == 200  # other paths are not in the rule
    RateRule.objects.create(name="Login hammering", scope="ip", path_prefix="/accounts/login/", methods="POST",
                            window_seconds=60, limit=2, action="block", block_minutes=10)
    rules_changed()
    other = Client()
    codes = [other.post(reverse("account_login"), {"login": "x@example.test", "password": "y"},
                        REMOTE_ADDR=BYSTANDER).status_code for _ in range(3)]
    assert codes[-1] == 429
    assert blocked(other, BYSTANDER)


def test_a_rate_rule_per_api_key_holds_each_key_to_its_limit(client, owner):
    from django_scopes import scope

    from apps.accounts.security import rules_changed
    from tests.api.conftest import Api, make_key

    RateRule.objects.create(name="Per key", scope="api_key", path_prefix="/api/", window_seconds=60, limit=2)
    rules_changed()
    with scope(tenant=owner.tenant_id):
        first, second = make_key(owner, name="One")[1], make_key(owner, name="Two")[1]
    assert [Api(client, first).get("/farms").status_code for _ in range(3)] == [200, 200, 429]
    assert Api(client, second).get("/farms").status_code == 200


def test_a_rule_with_a_zero_window_is_refused_in_the_admin(client, db):
    admin = make_user("admin@example.test")
    admin.__class__.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(reverse("admin:accounts_raterule_add"), {
        "name": "Bad", "scope": "ip", "window_seconds": "0", "limit": "5", "action": "throttle", "block_minutes": "60",
        "is_active": "on"})
    assert response.status_code == 200 and "greater than or equal to 1" in response.content.decode()
    assert not RateRule.objects.exists()


def test_abuse_log_keeps_ninety_days(db):
    old = AbuseEvent.objects.create(ip=ATTACKER, kind="refused", created_at=timezone.now() - dt.timedelta(days=91))
    recent = AbuseEvent.objects.create(ip=ATTACKER, kind="refused", created_at=timezone.now() - dt.timedelta(days=89))
    assert abuse_forget_old() == 1
    assert not AbuseEvent.objects.filter(pk=old.pk).exists() and AbuseEvent.objects.filter(pk=recent.pk).exists()


# Devices ------------------------------------------------------------------------------------------

PHONE = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/126.0.0.0 Mobile Safari/537.36")
LAPTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"


def sign_in(client, email, agent):
    return client.post(reverse("account_login"), {"login": email, "password": PASSWORD}, HTTP_USER_AGENT=agent,
                       REMOTE_ADDR=BYSTANDER)


def test_devices_are_named_and_a_new_one_is_mailed(db, django_capture_on_commit_callbacks):
    make_user("grace@example.test")
    phone = Client()
    with django_capture_on_commit_callbacks(execute=True):
        assert sign_in(phone, "grace@example.test", PHONE).status_code == 302
    device = Device.objects.get()
    assert device.name == "Chrome Mobile on Android (phone)" and str(device.last_ip) == BYSTANDER
    assert not [m for m in mail.outbox if "New sign-in" in m.subject]  # the first device is not news
    phone.post(reverse("account_logout"))
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(phone, "grace@example.test", PHONE)  # the same browser: known by its cookie
    assert Device.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert sign_in(Client(), "grace@example.test", LAPTOP).status_code == 302
    assert Device.objects.count() == 2
    news = [m for m in mail.outbox if "New sign-in" in m.subject]
    assert len(news) == 1 and news[0].to == ["grace@example.test"] and "Firefox on Windows" in news[0].body


def test_devices_page_trusts_and_forgets_only_ones_own(client, db):
    grace, eve = make_user("grace@example.test"), make_user("eve@example.test")
    mine = Device.objects.create(user=grace, key_hash="a" * 64, name=device_name(PHONE))
    theirs = Device.objects.create(user=eve, key_hash="b" * 64, name=device_name(LAPTOP))
    client.force_login(grace)
    assert "Chrome Mobile on Android" in client.get(reverse("accounts:devices")).content.decode()
    client.post(reverse("accounts:device_action", args=[mine.pk]), {"action": "trust"})
    assert Device.objects.get(pk=mine.pk).trusted
    assert client.post(reverse("accounts:device_action", args=[theirs.pk]), {"action": "forget"}).status_code == 404
    assert Device.objects.filter(pk=theirs.pk).exists()
    client.post(reverse("accounts:device_action", args=[mine.pk]), {"action": "forget"})
    assert not Device.objects.filter(pk=mine.pk).exists()


# Security alerts to owners ------------------------------------------------------------------------


def owner_alerts(owner) -> list[str]:
    with scopes_disabled():
        return list(Notification.objects.filter(tenant_id=owner.tenant_id, user_id=owner.user_id)
                    .values_list("title", flat=True))


def test_owners_hear_of_guessing_new_owners_keys_and_policy_changes(client, owner, settings):
    from django_scopes import scope

    from apps.accounts.models import Role
    from apps.accounts.policies import policy_save
    from apps.accounts.services import membership_update
    from tests.api.conftest import make_key

    settings.LOGIN_FAILURE_LIMIT = 50
    worker = make_member(owner, "worker")
    for _ in range(5):
        client.post(reverse("account_login"), {"login": worker.user.email, "password": "wrong"}, REMOTE_ADDR=ATTACKER)
    with scope(tenant=owner.tenant_id):
        make_key(owner, name="Parlour")
        policy_save(membership=owner, name="Milking hours", role=Role.objects.get(tenant_id=owner.tenant_id, key="milker"),
                    member=None, permissions=["milk.record"], days=[], start_time=dt.time(4), end_time=dt.time(21),
                    amount_limit=None, farms=[], ends_on=None)
        membership_update(membership=owner, member=worker, role=Role.objects.get(tenant_id=owner.tenant_id, key="owner"),
                          all_farms=True, farms=[])
    titles = owner_alerts(owner)
    assert f"Many failed sign-ins for {worker.user.email}" in titles
    assert "API key created: Parlour" in titles
    assert "Policy added: Milking hours" in titles
    assert f"New owner: {worker.user.email}" in titles


def test_an_organisation_can_require_a_second_factor_for_owners_and_managers(as_member, owner):
    from allauth.mfa.models import Authenticator

    from apps.accounts.models import Tenant

    Tenant.objects.filter(pk=owner.tenant_id).update(require_second_factor=True)
    tenant_people_changed(owner.tenant_id)  # as the services do after an update without save()
    worker, manager = make_member(owner, "worker"), make_member(owner, "manager")
    assert as_member(worker).get(reverse("home")).status_code == 200
    for member in (owner, manager):
        response = as_member(member).get(reverse("home"))
        assert response.status_code == 302 and response.url == reverse("mfa_index")
    # The set-up pages stay open, and a passkey (or an app code) lets them through.
    assert as_member(manager).get(reverse("mfa_index")).status_code == 200
    Authenticator.objects.create(user=manager.user, type=Authenticator.Type.WEBAUTHN, data={"name": "Phone"})
    assert as_member(manager).get(reverse("home")).status_code == 200
    # Recovery codes alone are not a second factor.
    Authenticator.objects.create(user=owner.user, type=Authenticator.Type.RECOVERY_CODES, data={})
    assert as_member(owner).get(reverse("home")).status_code == 302
