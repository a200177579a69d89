"""Single sign-on end to end in Chromium: an owner connects the organisation's identity provider, people
of its domain sign in there and land in the organisation; spoiled answers sign no one in.

OpenID Connect runs against oidc-provider (npm) on localhost; SAML against a local identity provider
that signs its assertions with xmlsec.
"""

import re

import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from apps.accounts.models import AbuseEvent, Membership, Role, SsoConnection, User
from tests.browser.pages import log_in
from tests.factories import make_user, put_on_plan
from tests.identity_providers import (
    CLIENT_ID,
    CLIENT_SECRET,
    oidc_provider,
    saml_identity_provider,
    tampering_token_proxy,
)

DOMAIN = "green-acres.test"


@pytest.fixture(autouse=True)
def sso_plan(owner):
    put_on_plan(owner, "commercial")  # single sign-on is a feature of the bigger plan


def base_of(live_server) -> str:
    return live_server.url.replace("127.0.0.1", "localhost")


def start_sso(page: Page, base: str, email: str) -> None:
    page.set_default_timeout(15_000)
    page.goto(f"{base}/accounts/login/")
    page.get_by_role("link", name=re.compile("Sign in with your organisation")).click()
    page.get_by_label("Your work email").fill(email)
    page.get_by_role("button", name="Continue").click()


def provider_sign_in(page: Page, email: str) -> None:
    """oidc-provider's development pages: a login form, then consent."""
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill("anything")
    page.locator("button[type=submit]").click()
    page.get_by_role("button", name=re.compile("Continue", re.I)).click()


def member_of(owner, email):
    with scopes_disabled():
        return Membership.objects.select_related("role").filter(tenant_id=owner.tenant_id, user__email=email).first()


@pytest.mark.django_db(transaction=True)
def test_owner_connects_openid_connect_and_people_of_the_domain_sign_in(live_server, page: Page, browser, owner, tmp_path):
    base = base_of(live_server)
    callback = f"{base}/accounts/oidc/sso-green-acres-test/login/callback/"
    with oidc_provider([callback], tmp_path) as (issuer, _key, _kid):
        log_in(page, base, owner.user.email)
        page.goto(f"{base}/organisation/sso/")
        form = page.locator("#sso-connection-form")
        form.get_by_label(re.compile("^Name")).fill("Green Acres sign-in")
        form.get_by_label(re.compile("^Protocol")).select_option(label="OpenID Connect")
        form.get_by_label(re.compile("^Email domain")).fill(DOMAIN)
        form.get_by_label(re.compile("^Role")).select_option(label="Worker")
        form.get_by_label(re.compile("^Issuer URL")).fill(issuer)
        form.get_by_label(re.compile("^Client id")).fill(CLIENT_ID)
        form.get_by_label(re.compile("^Client secret")).fill(CLIENT_SECRET)
        form.get_by_role("button", name="Connect").click()
        expect(page.get_by_text(f"is connected for @{DOMAIN}")).to_be_visible()
        expect(page.get_by_text(callback)).to_be_visible()

        # Someone new: an account and a Worker membership are made.
        newcomer = browser.new_context().new_page()
        start_sso(newcomer, base, f"ann@{DOMAIN}")
        provider_sign_in(newcomer, f"ann@{DOMAIN}")
        expect(newcomer).to_have_url(re.compile(r"/home/$"))
        expect(newcomer.locator("main h1")).to_be_visible()
        membership = member_of(owner, f"ann@{DOMAIN}")
        assert membership is not None and membership.role.key == "worker"
        assert SocialAccount.objects.filter(user=membership.user, provider="sso-green-acres-test").exists()

        # Someone who already had an account (with a password): linked, not duplicated.
        bob = make_user(f"bob@{DOMAIN}")
        existing = browser.new_context().new_page()
        start_sso(existing, base, f"bob@{DOMAIN}")
        provider_sign_in(existing, f"bob@{DOMAIN}")
        expect(existing).to_have_url(re.compile(r"/home/$"))
        assert User.objects.filter(email=f"bob@{DOMAIN}").count() == 1
        assert member_of(owner, f"bob@{DOMAIN}").user_id == bob.pk
        assert SocialAccount.objects.filter(user=bob).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", ["bad-signature", "wrong-audience", "expired"])
def test_a_spoiled_id_token_signs_no_one_in_and_is_logged(live_server, page: Page, owner, tmp_path, mode):
    from apps.accounts.sso import connection_create

    base = base_of(live_server)
    callback = f"{base}/accounts/oidc/sso-green-acres-test/login/callback/"
    with oidc_provider([callback], tmp_path) as (issuer, key, kid):
        with scopes_disabled():
            connection = connection_create(membership=owner, name="Green Acres sign-in", protocol="oidc",
                                           email_domain=DOMAIN, role=Role.objects.get(tenant_id=owner.tenant_id, key="worker"),
                                           issuer=issuer, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        token_endpoint = f"{issuer}/token"
        with tampering_token_proxy(token_endpoint, key, kid, mode) as proxy:
            app = SocialApp.objects.get(pk=connection.app_id)
            app.settings["openid_configuration_overrides"] = {"token_endpoint": proxy}
            app.save()
            start_sso(page, base, f"eve@{DOMAIN}")
            provider_sign_in(page, f"eve@{DOMAIN}")
            expect(page.get_by_text(re.compile("Third-Party Login Failure|went wrong", re.I)).first).to_be_visible()
    assert not User.objects.filter(email=f"eve@{DOMAIN}").exists()
    page.goto(f"{base}/home/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    assert AbuseEvent.objects.filter(kind="login_failed", detail__contains="sso").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", ["good", "tampered", "wrong-audience", "expired"])
def test_saml_sign_in_and_refusals(live_server, page: Page, owner, mode):
    from apps.accounts.sso import connection_create

    base = base_of(live_server)
    email = f"ann@{DOMAIN}"
    with saml_identity_provider(email=email, mode=mode) as (entity_id, sso_url, certificate):
        with scopes_disabled():
            connection_create(membership=owner, name="Green Acres SAML", protocol="saml", email_domain=DOMAIN,
                              role=Role.objects.get(tenant_id=owner.tenant_id, key="milker"), idp_entity_id=entity_id,
                              idp_sso_url=sso_url, idp_certificate=certificate)
        start_sso(page, base, email)
        page.get_by_role("button", name=f"Continue as {email}").click()
        if mode == "good":
            expect(page).to_have_url(re.compile(r"/home/$"))
            assert member_of(owner, email).role.key == "milker"
            assert SsoConnection.objects.filter(email_domain=DOMAIN).exists()
        else:
            expect(page.get_by_text(re.compile("Third-Party Login Failure|went wrong", re.I)).first).to_be_visible()
            assert not User.objects.filter(email__endswith=DOMAIN).exists()
            assert AbuseEvent.objects.filter(kind="login_failed", detail__contains="sso").exists()
