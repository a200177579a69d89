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
def sso_plan(owner, reach_localhost):
    put_on_plan(owner, "commercial")  # single sign-on is a feature of the bigger plan; its providers run here


def callback_of(base: str, owner) -> str:
    return f"{base}/accounts/oidc/sso-{owner.tenant_id}-green-acres-test/login/callback/"


def prove_domain(connection, dns_server=None) -> None:
    """Publish the connection's TXT record on the suite's DNS server and have its owner check it."""
    from apps.accounts.sso import connection_verify
    from tests.dns_server import running

    running().set(connection.txt_name, "TXT", connection.txt_value)
    with scopes_disabled():
        owner = Membership.objects.select_related("role").filter(tenant_id=connection.tenant_id, role__key="owner").first()
        connection_verify(membership=owner, connection=connection)


def base_of(live_server) -> str:
    return live_server.url.replace("127.0.0.1", "localhost")


def start_sso(page: Page, base: str, email: str) -> None:
    page.set_default_timeout(15_000)
    page.goto(f"{base}/accounts/login/")
    page.get_by_role("link", name=re.compile("Sign in with your organisation")).click()
    page.get_by_label("Your work email").fill(email)
    page.get_by_role("button", name="Continue").click()


def begin_at(page: Page, base: str, url: str) -> None:
    """Start a sign-in at a connection's own address, as an attacker's script would (no routing page, no
    browser rules in the way): POST allauth's form, then follow its redirect to the identity provider."""
    page.set_default_timeout(15_000)
    page.goto(f"{base}{url}")
    token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    answer = page.request.post(f"{base}{url}", form={"csrfmiddlewaretoken": token}, max_redirects=0)
    assert answer.status == 302, answer.status
    page.goto(answer.headers["location"])


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
    callback = callback_of(base, owner)
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

        # Not proved yet: it signs nobody in.
        early = browser.new_context().new_page()
        start_sso(early, base, f"ann@{DOMAIN}")
        expect(early.get_by_text("No organisation signs this address in")).to_be_visible()
        early.context.close()
        # The owner publishes the TXT record the page shows and checks it.
        with scopes_disabled():
            connection = SsoConnection.objects.get(tenant_id=owner.tenant_id)
        expect(page.get_by_text(connection.txt_value)).to_be_visible()
        page.get_by_role("button", name=re.compile("Check the record")).click()
        expect(page.get_by_text("No TXT record")).to_be_visible()
        from tests.dns_server import running

        running().set(connection.txt_name, "TXT", connection.txt_value)
        page.get_by_role("button", name=re.compile("Check the record")).click()
        expect(page.get_by_text(f"@{DOMAIN} is verified")).to_be_visible()

        # Someone new: an account and a Worker membership are made.
        newcomer = browser.new_context().new_page()
        start_sso(newcomer, base, f"ann@{DOMAIN}")
        provider_sign_in(newcomer, f"ann@{DOMAIN}")
        expect(newcomer).to_have_url(re.compile(r"/home/$"))
        expect(newcomer.locator("main h1")).to_be_visible()
        membership = member_of(owner, f"ann@{DOMAIN}")
        assert membership is not None and membership.role.key == "worker"
        assert SocialAccount.objects.filter(user=membership.user, provider=f"sso-{owner.tenant_id}-green-acres-test").exists()

        # Someone who already had an account of their own, outside the organisation: the identity provider's
        # word is not enough to enter it. They sign in with their password, then link from their profile.
        bob = make_user(f"bob@{DOMAIN}")
        existing = browser.new_context().new_page()
        start_sso(existing, base, f"bob@{DOMAIN}")
        provider_sign_in(existing, f"bob@{DOMAIN}")
        expect(existing.get_by_text(f"An account for bob@{DOMAIN} already exists")).to_be_visible()
        assert not SocialAccount.objects.filter(user=bob).exists() and member_of(owner, f"bob@{DOMAIN}") is None
        log_in(existing, base, bob.email)
        existing.goto(f"{base}/profile/")
        existing.get_by_role("link", name="Link Green Acres sign-in").click()
        existing.get_by_role("button", name="Continue").click()
        # The provider remembers Bob from a moment ago: it asks only for consent, if anything.
        consent = existing.get_by_role("button", name=re.compile("Continue", re.I))
        consent.or_(existing.get_by_role("heading", name="Your profile")).first.wait_for()
        if consent.count():
            consent.click()
        expect(existing).to_have_url(re.compile(r"/profile/$"))
        expect(existing.get_by_role("link", name="Link Green Acres sign-in")).to_have_count(0)
        assert User.objects.filter(email=f"bob@{DOMAIN}").count() == 1
        assert SocialAccount.objects.filter(user=bob).exists()
        assert member_of(owner, f"bob@{DOMAIN}").user_id == bob.pk
        # From now on single sign-on signs Bob in.
        again = browser.new_context().new_page()
        start_sso(again, base, f"bob@{DOMAIN}")
        provider_sign_in(again, f"bob@{DOMAIN}")
        expect(again).to_have_url(re.compile(r"/home/$"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", ["bad-signature", "wrong-audience", "expired"])
def test_a_spoiled_id_token_signs_no_one_in_and_is_logged(live_server, page: Page, owner, tmp_path, mode):
    from apps.accounts.sso import connection_create

    base = base_of(live_server)
    callback = callback_of(base, owner)
    with oidc_provider([callback], tmp_path) as (issuer, key, kid):
        with scopes_disabled():
            connection = connection_create(membership=owner, name="Green Acres sign-in", protocol="oidc",
                                           email_domain=DOMAIN, role=Role.objects.get(tenant_id=owner.tenant_id, key="worker"),
                                           issuer=issuer, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
            prove_domain(connection)
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
            prove_domain(connection_create(membership=owner, name="Green Acres SAML", protocol="saml", email_domain=DOMAIN,
                                           role=Role.objects.get(tenant_id=owner.tenant_id, key="milker"),
                                           idp_entity_id=entity_id, idp_sso_url=sso_url, idp_certificate=certificate))
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


VICTIM = "victim-farm.test"


@pytest.mark.django_db(transaction=True)
def test_another_organisation_cannot_sign_in_as_your_owner_through_single_sign_on(live_server, page: Page, browser, owner):
    """The takeover the review did: organisation X (`owner`, on a plan with single sign-on) claims the victim's
    email domain with its own SAML identity provider, which asserts the victim owner's address. It must fail
    at every step, the victim's password must keep working, and the honest path (the victim organisation
    proving its own domain) must still sign its owner in and link the account."""
    from apps.accounts.sso import connection_create, login_url
    from tests.factories import PASSWORD, make_tenant

    base = base_of(live_server)
    boss = make_user(f"boss@{VICTIM}")
    victim = make_tenant(name="Victim Farm", owner=boss)
    put_on_plan(victim, "commercial")
    with saml_identity_provider(email=boss.email) as (entity_id, sso_url, certificate):
        with scopes_disabled():
            claim = connection_create(membership=owner, name="X sign-in", protocol="saml", email_domain=VICTIM,
                                      role=Role.objects.get(tenant_id=owner.tenant_id, key="worker"), require_sso=True,
                                      idp_entity_id=entity_id, idp_sso_url=sso_url, idp_certificate=certificate)
        # 1. "Sign in with your organisation" does not route the victim's domain to an unproved claim.
        start_sso(page, base, boss.email)
        expect(page.get_by_text("No organisation signs this address in")).to_be_visible()
        # 2. Going to X's sign-in address directly: X's provider answers for the boss, and is refused.
        begin_at(page, base, login_url(claim))
        page.get_by_role("button", name=f"Continue as {boss.email}").click()
        expect(page.get_by_text("signs nobody in until its organisation proves it holds")).to_be_visible()
        page.goto(f"{base}/home/")
        expect(page).to_have_url(re.compile(r"/accounts/login/"))
        # 3. X cannot prove a domain it does not hold: the record is published at the victim's DNS, not X's.
        from apps.accounts.sso import connection_verify

        with scopes_disabled(), pytest.raises(Exception, match="No TXT record"):
            connection_verify(membership=owner, connection=claim)
    assert not SocialAccount.objects.filter(user=boss).exists()
    assert member_of(owner, boss.email) is None
    assert AbuseEvent.objects.filter(kind="login_failed", detail__contains="not verified").exists()
    # "Require single sign-on" on the claim does not lock the victim out of the password.
    fresh = browser.new_context().new_page()
    log_in(fresh, base, boss.email, PASSWORD)
    expect(fresh).to_have_url(re.compile(r"/home/$"))
    fresh.context.close()

    # The honest path: the victim organisation connects its own provider and proves the domain; its owner,
    # already a member, signs in through it and the account is linked.
    with saml_identity_provider(email=boss.email) as (entity_id, sso_url, certificate):
        with scopes_disabled():
            own = connection_create(membership=victim, name="Victim SAML", protocol="saml", email_domain=VICTIM,
                                    role=Role.objects.get(tenant_id=victim.tenant_id, key="worker"),
                                    idp_entity_id=entity_id, idp_sso_url=sso_url, idp_certificate=certificate)
        prove_domain(own)
        honest = browser.new_context().new_page()
        start_sso(honest, base, boss.email)
        honest.get_by_role("button", name=f"Continue as {boss.email}").click()
        expect(honest).to_have_url(re.compile(r"/home/$"))
    assert SocialAccount.objects.filter(user=boss, provider=own.app.provider_id).exists()
    assert member_of(victim, boss.email).role.key == "owner"  # unchanged, not made a worker
    assert member_of(owner, boss.email) is None


@pytest.mark.django_db(transaction=True)
def test_an_openid_provider_of_another_organisation_cannot_enter_an_existing_account(live_server, page: Page, owner, tmp_path):
    """OpenID Connect, the same attack: X proved its own domain, and its provider says the user is someone at
    the victim's. An address outside the proved domain is refused; no account is touched."""
    from apps.accounts.sso import connection_create, login_url

    base = base_of(live_server)
    boss = make_user(f"boss@{VICTIM}")
    callback = callback_of(base, owner)
    with oidc_provider([callback], tmp_path) as (issuer, _key, _kid):
        with scopes_disabled():
            connection = connection_create(membership=owner, name="Green Acres sign-in", protocol="oidc", email_domain=DOMAIN,
                                           role=Role.objects.get(tenant_id=owner.tenant_id, key="worker"),
                                           issuer=issuer, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
            prove_domain(connection)
        begin_at(page, base, login_url(connection))
        provider_sign_in(page, boss.email)
        expect(page.get_by_text(f"signs in addresses of @{DOMAIN} only")).to_be_visible()
    assert not SocialAccount.objects.filter(user=boss).exists()
    assert member_of(owner, boss.email) is None
