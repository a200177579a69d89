"""Policies and delegation in the browser, on a phone: an owner narrows the milkers, a milker is refused with
the policy named, a manager hands over expense approval for a holiday and takes it back."""

import datetime as dt
import re

import pytest
from playwright.sync_api import Browser, expect

from apps.accounts.models import Delegation, Policy
from tests.browser import pages
from tests.factories import make_farm, make_member

pytestmark = pytest.mark.usefixtures("owner_scope")
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def phone(browser: Browser, base: str, email: str):
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    pages.log_in(page, base, email)
    return page


@pytest.mark.django_db(transaction=True)
def test_a_policy_refuses_by_name_and_a_delegation_covers_a_holiday(live_server, browser: Browser, owner):
    farm = make_farm(owner, name="Parlour Farm")
    milker = make_member(owner, "milker")
    manager = make_member(owner, "manager")
    worker = make_member(owner, "worker")
    base = live_server.url
    today = farm.local_today()

    # The owner: milkers record milk on every day but today (so the refusal shows now).
    page = phone(browser, base, owner.user.email)
    page.goto(f"{base}/team/policies/new/")
    form = page.locator("#policy-form")
    form.get_by_label(re.compile("^Name")).fill("Rest day")
    form.get_by_label(re.compile("^Applies to the role")).select_option(label="Milker")
    form.get_by_label("Record milkings").check()
    for day in DAYS:
        if day != DAYS[today.weekday()]:
            form.get_by_label(day, exact=True).check()
    form.get_by_role("button", name="Save policy").click()
    expect(page.get_by_text("The policy Rest day is saved.")).to_be_visible()
    assert Policy.objects.get(name="Rest day").days == [d for d in range(7) if d != today.weekday()]

    refused = phone(browser, base, milker.user.email)
    refused.goto(f"{base}/milk/entry/")
    expect(refused.get_by_text(f"The policy \u201cRest day\u201d does not allow this on {today:%A}.")).to_be_visible()

    page.goto(f"{base}/team/")
    page.get_by_role("link", name=f"Permissions of {milker.user.display_name}").click()
    row = page.get_by_role("row", name=re.compile("Record milkings"))
    expect(row.get_by_role("cell", name=re.compile(r"^Rest day \("))).to_be_visible()
    expect(row.get_by_text("Refused")).to_be_visible()

    # The manager hands expense approval to the worker for three days.
    cover = phone(browser, base, manager.user.email)
    cover.goto(f"{base}/delegations/")
    form = cover.locator("#delegation-form")
    form.get_by_label(re.compile("^Who covers for you")).select_option(label=f"{worker.user.display_name} (Worker)")
    form.get_by_label("Approve expenses").check()
    form.get_by_label(re.compile("^From")).fill(today.isoformat())
    form.get_by_label(re.compile("^Until")).fill((today + dt.timedelta(days=3)).isoformat())
    form.get_by_label(re.compile("^Note")).fill("Annual leave")
    form.get_by_role("button", name="Hand over").click()
    expect(cover.get_by_text(re.compile(r"covers for you from \d+"))).to_be_visible()

    covering = phone(browser, base, worker.user.email)
    covering.goto(f"{base}/delegations/")
    expect(covering.get_by_text(re.compile("→ you"))).to_be_visible()
    covering.goto(f"{base}/money/approvals/")
    expect(covering.locator("main h1")).to_have_text(re.compile("Approv", re.I))

    # Back early: the manager revokes it, and the worker's access ends at once.
    cover.goto(f"{base}/delegations/")
    cover.once("dialog", lambda dialog: dialog.accept())
    cover.get_by_role("button", name="Revoke").click()
    expect(cover.get_by_text("The delegation was revoked.")).to_be_visible()
    assert Delegation.objects.get().revoked_at is not None
    response = covering.goto(f"{base}/money/approvals/")
    assert response.status == 403
