"""In Chromium at phone size: a visitor switches the login page to Kiswahili and signs in to Kiswahili pages; in
their profile they choose French, and the money pages then write amounts the French way."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_accessibility import axe_violations
from tests.factories import PASSWORD, make_member
from tests.finance.conftest import submit

pytestmark = pytest.mark.usefixtures("owner_scope")


@pytest.mark.django_db(transaction=True)
def test_the_language_is_switched_on_the_login_page_and_chosen_in_the_profile(live_server, page: Page, owner, farm):
    submit(make_member(owner, "worker", farms=[farm]), farm, "2500", description="Mineral lick")
    page.set_viewport_size({"width": 390, "height": 844})
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("#language-choice").select_option("sw")  # sends itself
    expect(page.locator("html")).to_have_attribute("lang", "sw")
    expect(page.get_by_role("button", name="Ingia", exact=True)).to_be_visible()
    assert axe_violations(page) == []
    page.locator("input[name=login]").fill(owner.user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Ingia", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("html")).to_have_attribute("lang", "sw")

    page.goto(f"{live_server.url}/profile/")
    page.locator("#profile-form select[name=language]").select_option("fr")
    page.locator("#profile-form button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.goto(f"{live_server.url}/money/approvals/")
    expect(page.get_by_role("link", name="Mineral lick")).to_be_visible()
    expect(page.locator("main")).to_contain_text(re.compile(r"2\s500,00\sKES"))  # 2 500,00 KES, the French way
    assert axe_violations(page) == []
