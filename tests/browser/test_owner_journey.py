"""A new owner sets up a farm on a phone and brings in a worker, in a real browser at 390x844."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from apps.herd.models import Animal

PASSWORD = "pasture-gate-2026"


def confirm_link(address: str) -> str:
    message = next(m for m in reversed(mail.outbox) if address in m.to)
    return re.search(r"(https?://\S+/accounts/confirm-email/\S+/)", message.body).group(1)


def invitation_link(address: str) -> str:
    message = next(m for m in reversed(mail.outbox) if address in m.to)
    return re.search(r"(https?://\S+/invitations/\S+/)", message.body).group(1)


def add_farm(page: Page, base: str, name: str) -> None:
    page.goto(f"{base}/farms/new/")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Milking sessions per day").fill("2")
    page.get_by_role("button", name="Save farm").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()


def add_animal(page: Page, base: str, tag: str, sex: str, born: str, farm: str, dam: str | None = None) -> None:
    page.goto(f"{base}/herd/new/")
    page.get_by_label("Management tag").fill(tag)
    page.get_by_label("Sex").select_option(sex)
    page.get_by_label(re.compile(r"^Farm\b")).select_option(label=farm)
    page.get_by_label("Date of birth").fill(born)
    if dam:
        page.get_by_label("Birth dam").select_option(label=dam)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(tag))).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_owner_signs_up_builds_herd_and_invites_a_worker(live_server, page: Page, browser):
    base = live_server.url
    page.set_default_timeout(10_000)

    # Sign up: the organisation comes with the account.
    page.goto(f"{base}/accounts/signup/")
    page.get_by_label("Your name").fill("Amina Kariuki")
    page.get_by_label("Email").fill("amina@example.test")
    page.get_by_label(re.compile(r"^Password\b(?!.*again)")).fill(PASSWORD)
    page.get_by_label(re.compile(r"Password \(again\)")).fill(PASSWORD)
    page.get_by_label("Farm business name").fill("Kariuki Dairy")
    page.get_by_label("Country").fill("KE")
    page.get_by_role("button", name=re.compile("Sign Up", re.I)).click()
    expect(page.get_by_text(re.compile("verification", re.I)).first).to_be_visible()

    # Confirm the email from the link in the message.
    page.goto(confirm_link("amina@example.test"))
    page.get_by_role("button", name=re.compile("Confirm", re.I)).click()
    expect(page.get_by_role("heading", name="Kariuki Dairy")).to_be_visible()

    # Two farms, then three animals: a cow, a bull and the cow's calf.
    add_farm(page, base, "Upper Farm")
    add_farm(page, base, "Lower Farm")
    add_animal(page, base, "COW-1", "female", "2019-04-02", "Upper Farm")
    add_animal(page, base, "BULL-1", "male", "2018-01-20", "Lower Farm")
    add_animal(page, base, "CALF-1", "female", "2025-06-10", "Upper Farm", dam="COW-1")
    expect(page.get_by_role("link", name="COW-1")).to_be_visible()  # the dam, in the lineage card
    calf = Animal.objects.unscoped().get(tag="CALF-1")
    assert calf.dam.tag == "COW-1"

    # Filter the list: typing narrows the rows without a page load.
    page.goto(f"{base}/herd/")
    expect(page.locator("#results")).to_contain_text("BULL-1")
    page.get_by_label("Tag, EID or name").fill("CALF")
    expect(page.locator("#results")).not_to_contain_text("BULL-1")
    expect(page.locator("#results")).to_contain_text("CALF-1")

    # Export what is shown as XLSX.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="XLSX").click()
    path = download_info.value.path()
    with open(path, "rb") as handle:
        assert handle.read(2) == b"PK"

    # Invite a worker to the upper farm only.
    page.goto(f"{base}/team/")
    page.get_by_label("Email").fill("juma@example.test")
    page.get_by_label("Role").select_option(label="Worker")
    page.get_by_label("All farms, including new ones").uncheck()
    page.get_by_label("Upper Farm").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("The invitation to juma@example.test is on its way.")).to_be_visible()

    # The worker opens the link on their own phone, creates an account and joins.
    worker_context = browser.new_context(viewport={"width": 390, "height": 844})
    worker = worker_context.new_page()
    worker.set_default_timeout(10_000)
    worker.goto(invitation_link("juma@example.test"))
    expect(worker.get_by_role("heading", name="Join Kariuki Dairy")).to_be_visible()
    worker.get_by_label("Your name").fill("Juma Otieno")
    worker.get_by_label("Password").fill(PASSWORD)
    worker.get_by_role("button", name="Create account and join").click()
    expect(worker.get_by_role("heading", name="Kariuki Dairy")).to_be_visible()

    # The worker sees only the farm in scope, and only its animals.
    worker.goto(f"{base}/farms/")
    expect(worker.locator("main")).to_contain_text("Upper Farm")
    expect(worker.locator("main")).not_to_contain_text("Lower Farm")
    worker.goto(f"{base}/herd/")
    expect(worker.locator("#results")).to_contain_text("COW-1")
    expect(worker.locator("#results")).not_to_contain_text("BULL-1")
    worker_context.close()
