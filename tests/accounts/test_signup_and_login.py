import re

from django.core import mail
from django.urls import reverse

from apps.accounts.models import LoginFailure, Membership, User
from tests.factories import PASSWORD, make_user

SIGNUP = {
    "full_name": "Grace", "email": "grace@example.test", "password1": PASSWORD, "password2": PASSWORD,
    "organisation_name": "Grace Dairy", "country": "KE", "currency": "KES", "milk_unit": "L", "time_zone": "Africa/Nairobi",
}


def test_signup_creates_organisation_with_owner_and_needs_email_confirmation(client, db):
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    membership = Membership.objects.unscoped().get(user__email="grace@example.test")
    assert membership.role.key == "owner" and membership.tenant.currency == "KES"
    assert "confirm" in mail.outbox[-1].subject.lower() or "confirm" in mail.outbox[-1].body.lower()
    link = re.search(r"http://testserver(\S+)", mail.outbox[-1].body).group(1)
    client.post(link)
    assert client.get(reverse("home")).status_code == 200


def test_signup_with_bad_country_saves_nothing(client, db):
    response = client.post(reverse("account_signup"), {**SIGNUP, "country": "Kenya"})
    assert response.status_code == 200
    assert "two-letter country code" in response.content.decode()
    assert not User.objects.filter(email="grace@example.test").exists()


def test_failed_logins_are_limited_in_the_database(client, db, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    make_user("target@example.test")
    for _ in range(3):
        client.post(reverse("account_login"), {"login": "target@example.test", "password": "wrong-password"})
    assert LoginFailure.objects.filter(email="target@example.test").count() == 3
    response = client.post(reverse("account_login"), {"login": "target@example.test", "password": PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_user_without_organisation_is_sent_to_onboarding(client, db):
    client.force_login(make_user())
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:onboarding")
    response = client.post(reverse("accounts:onboarding"), {k: SIGNUP[k] for k in ("organisation_name", "country", "currency", "milk_unit", "time_zone")})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_sessions_page_lists_devices_and_signs_one_out(db):
    from allauth.usersessions.models import UserSession
    from django.test import Client

    user = make_user()
    phone = Client(HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/130.0 Mobile Safari/537.36")
    laptop = Client(HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/133.0")
    for device in (phone, laptop):
        device.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    content = laptop.get(reverse("usersessions_list")).content.decode()
    assert "Chrome on Android" in content and "Firefox on Windows" in content and "127.0.0.1" in content
    phone_session = UserSession.objects.get(user=user, session_key=phone.session.session_key)
    assert laptop.post(reverse("accounts:session_revoke", args=[phone_session.pk])).status_code == 302
    assert phone.get(reverse("accounts:profile")).status_code == 302  # back to the login page
    assert laptop.get(reverse("accounts:profile")).status_code == 200


def test_account_pages_render_in_the_app_layout(client, db):
    user = make_user()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})  # activating MFA asks again
    for name in ("mfa_index", "mfa_activate_totp", "account_change_password", "account_email", "usersessions_list"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert "<script>" not in response.content.decode()
    client.logout()
    for name in ("account_login", "account_signup", "account_reset_password"):
        assert client.get(reverse(name)).status_code == 200


def test_totp_can_be_activated_and_is_then_asked_at_login(client, db):
    import time

    from allauth.mfa.totp.internal.auth import hotp_value

    user = make_user()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    secret = client.get(reverse("mfa_activate_totp")).context["form"].secret
    code = f"{hotp_value(secret, int(time.time()) // 30):06d}"
    assert client.post(reverse("mfa_activate_totp"), {"code": code}).status_code == 302
    client.logout()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302 and "2fa" in response["Location"]
    assert "_auth_user_id" not in client.session


def test_the_first_page_after_a_sign_in_does_not_write_the_session_row_again(client, db):
    """Signing in writes the session's row (device, IP, last seen); the pages after it write it again only five
    minutes on, or from another IP."""
    from allauth.usersessions.models import UserSession
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = make_user()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    seen = UserSession.objects.get(user=user).last_seen_at
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("accounts:profile"))
    assert not [q for q in queries.captured_queries if "usersessions_usersession" in q["sql"]]
    assert UserSession.objects.get(user=user).last_seen_at == seen
    session = client.session
    session["_seen_at"] -= 301  # five minutes on
    session.save()
    client.get(reverse("accounts:profile"))
    assert UserSession.objects.get(user=user).last_seen_at > seen
