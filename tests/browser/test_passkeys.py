"""Passkeys in Chromium with its virtual authenticator: registration, passwordless sign-in, second factor."""

import re

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import Page, expect

from tests.browser.pages import log_in
from tests.factories import PASSWORD


def virtual_authenticator(page: Page) -> tuple[object, str]:
    """A platform authenticator that holds resident keys and verifies the user without asking."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    answer = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})
    return cdp, answer["authenticatorId"]


def sign_out(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/logout/")
    page.get_by_role("button", name=re.compile("Sign Out", re.I)).click()
    expect(page).to_have_url(re.compile(r"/accounts/login/|/$"))


@pytest.mark.django_db(transaction=True)
def test_a_passkey_is_registered_then_signs_in_without_a_password_and_as_a_second_factor(live_server, page: Page, owner):
    base = live_server.url.replace("127.0.0.1", "localhost")  # WebAuthn needs a secure context: https or localhost
    cdp, authenticator_id = virtual_authenticator(page)
    log_in(page, base, owner.user.email)

    page.goto(f"{base}/accounts/2fa/webauthn/add/")
    if "/reauthenticate/" in page.url:  # adding a key asks for the password again
        page.get_by_label(re.compile("^Password")).fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    page.get_by_label(re.compile("^Name")).fill("Phone passkey")
    page.get_by_label(re.compile("^Passwordless")).check()
    page.get_by_role("button", name="Add").click()
    expect(page).not_to_have_url(re.compile(r"/webauthn/add/"))
    key = Authenticator.objects.get(user=owner.user, type=Authenticator.Type.WEBAUTHN)
    assert key.wrap().name == "Phone passkey" and key.wrap().is_passwordless
    assert len(cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"]) == 1

    # Passwordless: the passkey alone signs in.
    sign_out(page, base)
    page.goto(f"{base}/accounts/login/")
    page.get_by_role("button", name=re.compile("Sign in with a passkey", re.I)).click()
    expect(page).not_to_have_url(re.compile(r"/accounts/"))
    expect(page.locator("main h1")).to_be_visible()

    # As a second factor: the password alone is not enough any more.
    sign_out(page, base)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label(re.compile("^Email")).fill(owner.user.email)
    page.get_by_label(re.compile("^Password")).fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.get_by_role("button", name=re.compile("Use a security key", re.I)).click()
    expect(page).not_to_have_url(re.compile(r"/accounts/"))
    expect(page.locator("main h1")).to_be_visible()
