"""Shared steps for the browser tests."""

import re

from playwright.sync_api import Page, expect

from tests.factories import PASSWORD


def log_in(page: Page, base: str, email: str, password: str = PASSWORD) -> None:
    """Log in through the form and wait until the login page is left behind."""
    page.set_default_timeout(10_000)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label(re.compile("^Email")).fill(email)
    page.get_by_label(re.compile("^Password")).fill(password)
    page.get_by_role("button", name="Sign In", exact=True).click()
    # The login page has a heading too: wait for the URL, not for any heading.
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("main h1")).to_be_visible()
