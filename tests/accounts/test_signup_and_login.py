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
    membership = Membership.objects.get(user__email="grace@example.test")
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


def test_sessions_page_lists_and_ends_sessions(client, db):
    user = make_user()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    client.get(reverse("usersessions_list"))
    content = client.get(reverse("usersessions_list")).content.decode()
    assert "127.0.0.1" in content
