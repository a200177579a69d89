"""Single sign-on configuration: what an owner may connect, what is refused, and what it requires."""

import pytest
from allauth.socialaccount.models import SocialApp
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django_scopes import scope

from apps.accounts.models import Role, SsoConnection
from apps.accounts.sso import connection_create
from tests.factories import PASSWORD, make_member, make_tenant, make_user, put_on_plan
from tests.identity_providers import saml_identity_provider

pytestmark = pytest.mark.usefixtures("owner_scope", "sso_plan")


@pytest.fixture
def sso_plan(owner):
    put_on_plan(owner, "commercial")  # single sign-on is a feature of the bigger plan


def test_a_plan_without_single_sign_on_refuses_it_with_a_way_to_upgrade(owner, client):
    put_on_plan(owner, "family")
    with pytest.raises(ValidationError, match="Single sign-on is not part of the Family farm plan"):
        oidc(owner)
    client.force_login(owner.user)
    response = client.post(reverse("accounts:sso_settings"), {
        "name": "Sign-in", "protocol": "oidc", "email_domain": "green-acres.test", "role": worker_role(owner).pk,
        "issuer": "https://login.example.test", "client_id": "id", "client_secret": "secret"})
    assert response.status_code == 400
    assert 'Single sign-on is not part of the Family farm plan. <a href="/billing/">Choose a bigger plan</a>' in response.text
    assert not SsoConnection.objects.filter(tenant_id=owner.tenant_id).exists()


def worker_role(owner):
    return Role.objects.get(tenant_id=owner.tenant_id, key="worker")


def oidc(owner, **values):
    fields = {"name": "Sign-in", "protocol": "oidc", "email_domain": "green-acres.test", "role": worker_role(owner),
              "issuer": "https://login.example.test", "client_id": "id", "client_secret": "secret"}
    return connection_create(membership=owner, **(fields | values))


def test_bad_configurations_are_refused_and_nothing_saved(owner, outsider, settings):
    cases = [
        ({"issuer": "http://localhost:1"}, "issuer"),  # unreachable
        ({"issuer": "not a url"}, "issuer"),
        ({"email_domain": "not a domain"}, "email_domain"),
        ({"name": " "}, "name"),
        ({"client_secret": ""}, "client_secret"),
        ({"role": Role.objects.get(tenant_id=owner.tenant_id, key="owner")}, "role"),
        ({"protocol": "saml", "idp_entity_id": "x", "idp_sso_url": "https://idp.example.test/sso",
          "idp_certificate": "not a certificate"}, "idp_certificate"),
        ({"protocol": "ldap"}, "protocol"),
    ]
    for values, field in cases:
        with pytest.raises(ValidationError) as error:
            oidc(owner, **values)
        assert field in error.value.message_dict, (values, error.value.message_dict)
    settings.SSO_ALLOW_HTTP = False
    with pytest.raises(ValidationError, match="must use https"):
        oidc(owner, issuer="http://login.example.test")
    with scope(tenant=outsider.tenant_id):
        foreign = Role.objects.get(tenant_id=outsider.tenant_id, key="worker")
    with pytest.raises(ValidationError):
        oidc(owner, role=foreign)
    with pytest.raises(PermissionDenied):
        oidc(make_member(owner, "manager"))
    assert not SsoConnection.objects.exists() and not SocialApp.objects.exists()


def test_the_settings_page_shows_the_refusal_next_to_the_field(as_member, owner, settings):
    client = as_member(owner)
    fields = {"name": "Sign-in", "protocol": "oidc", "email_domain": "green-acres.test", "role": str(worker_role(owner).pk),
              "issuer": "http://localhost:1", "client_id": "id", "client_secret": "secret"}
    response = client.post(reverse("accounts:sso_settings"), fields)
    assert response.status_code == 400 and "localhost is not an address on the internet" in response.content.decode()
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]  # reachable on purpose, but nothing listens on port 1
    response = client.post(reverse("accounts:sso_settings"), fields)
    assert response.status_code == 400 and "could not be reached" in response.content.decode()
    assert not SsoConnection.objects.exists()


def saml(owner, domain="green-acres.test", require_sso=True):
    with saml_identity_provider(email=f"ann@{domain}") as (entity_id, sso_url, certificate):
        return connection_create(membership=owner, name="Green Acres SAML", protocol="saml", email_domain=domain,
                                 role=worker_role(owner), require_sso=require_sso, idp_entity_id=entity_id,
                                 idp_sso_url=sso_url, idp_certificate=certificate)


def test_a_domain_that_requires_sso_refuses_passwords_once_verified(client, owner, dns_server):
    connection = saml(owner)
    make_user("ann@green-acres.test")
    make_user("vet@elsewhere.test")

    def password_sign_in(email):
        client.logout()
        return client.post(reverse("account_login"), {"login": email, "password": PASSWORD})

    # Claimed, not proved: passwords still sign the domain's people in.
    assert password_sign_in("ann@green-acres.test").status_code == 302
    dns_server.set(connection.txt_name, "TXT", connection.txt_value)
    verify(owner, connection)
    refused = password_sign_in("ann@green-acres.test")
    assert refused.status_code == 200 and "sign in through Green Acres SAML" in refused.content.decode()
    assert password_sign_in("vet@elsewhere.test").status_code == 302


def verify(owner, connection):
    from apps.accounts.sso import connection_verify

    return connection_verify(membership=owner, connection=connection)


def test_a_domain_is_verified_by_its_txt_record_and_by_one_organisation_only(owner, outsider, dns_server):
    """A TXT record at _ifarm-challenge.<domain>, looked up through the suite's DNS server. Claims do not
    block each other (a squatter cannot hold a domain hostage); the first proof wins and ends the others."""
    put_on_plan(outsider, "commercial")
    ours = saml(owner)
    with scope(tenant=outsider.tenant_id):
        theirs = saml(outsider)  # an unproved claim on the same domain is allowed
    assert ours.verified_at is None and ours.txt_name == "_ifarm-challenge.green-acres.test"
    with pytest.raises(ValidationError, match="No TXT record"):
        verify(owner, ours)  # nothing published
    dns_server.set(ours.txt_name, "TXT", "ifarm-domain-verification=someone-elses-token", "v=spf1 -all")
    with pytest.raises(ValidationError, match="No TXT record"):
        verify(owner, ours)  # another token
    dns_server.set(ours.txt_name, "TXT", "v=spf1 -all", ours.txt_value, theirs.txt_value)
    verify(owner, ours)
    ours.refresh_from_db()
    assert ours.verified_at is not None
    with scope(tenant=outsider.tenant_id):
        with pytest.raises(ValidationError, match="proved it holds that domain"):
            verify(outsider, theirs)  # even with its record published too
    third = make_tenant(name="Third Farm")
    put_on_plan(third, "commercial")
    with scope(tenant=third.tenant_id), pytest.raises(ValidationError, match="proved it holds that domain"):
        saml(third)
    theirs.refresh_from_db()
    assert theirs.verified_at is None
    with pytest.raises(PermissionDenied):
        verify(make_member(owner, "manager"), ours)


def test_a_member_of_another_organisation_links_a_proved_connection_and_joins_it(owner, outsider, dns_server, rf):
    """Linking from the profile happens in a request narrowed to the person's current organisation; the
    membership is made in the connection's, and the request's narrowing is handed back afterwards."""
    from django.db import connection as db

    from apps.accounts.sso import SESSION_CONNECTION, sso_membership_ensure
    from apps.core.rls import SETTING, tenant_rows

    ours = saml(owner)
    dns_server.set(ours.txt_name, "TXT", ours.txt_value)
    verify(owner, ours)
    request = rf.get("/profile/")
    request.session = {SESSION_CONNECTION: ours.pk}
    with scope(tenant=outsider.tenant_id), tenant_rows(outsider.tenant_id):
        joined = sso_membership_ensure(request, outsider.user)
        if db.vendor == "postgresql":
            with db.cursor() as cursor:
                cursor.execute("SELECT current_setting(%s, true)", [SETTING])
                assert cursor.fetchone()[0] in (str(outsider.tenant_id), "")  # "" when the setting is off
    assert joined.tenant_id == owner.tenant_id and joined.role.key == "worker"
