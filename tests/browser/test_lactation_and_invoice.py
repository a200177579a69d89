"""A calving starts a lactation from the cow's page; an invoice written by hand is issued and part paid."""

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from apps.finance.models import Invoice
from tests.browser.pages import log_in
from tests.factories import TODAY, make_animal, make_farm
from tests.finance.conftest import make_contact

pytestmark = pytest.mark.usefixtures("owner_scope")


@pytest.mark.django_db(transaction=True)
def test_calving_puts_the_cow_on_the_entry_page(live_server, page: Page, owner):
    farm = make_farm(owner, name="Calving Farm", milking_sessions_per_day=2)
    heifer = make_animal(owner, farm, tag="H-77", name="Zuri", date_of_birth=dt.date(2023, 1, 5))
    base = live_server.url
    log_in(page, base, owner.user.email)

    page.goto(f"{base}/herd/{heifer.pk}/")
    expect(page.get_by_text("Not in milk.")).to_be_visible()
    page.get_by_label(re.compile("^Calving date")).fill(dt.date.today().isoformat())
    page.get_by_role("button", name="Start lactation (calved)").click()
    expect(page.get_by_text(re.compile("In milk: lactation 1"))).to_be_visible()

    page.goto(f"{base}/milk/entry/?farm={farm.pk}&date={TODAY.isoformat()}&session=morning")
    expect(page.locator(f"#cow-{heifer.pk}")).to_contain_text("H-77")


@pytest.mark.django_db(transaction=True)
def test_invoice_by_hand_is_issued_its_pdf_appears_and_a_payment_is_recorded(live_server, page: Page, owner, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    make_farm(owner, name="Creamery Farm")
    make_contact(owner, name="Kinangop Creamery")
    base = live_server.url
    page.on("dialog", lambda dialog: dialog.accept())  # "Issue ...? It cannot be changed afterwards."
    log_in(page, base, owner.user.email)

    page.goto(f"{base}/money/invoices/new/")
    page.get_by_label("Customer or supplier").select_option(label="Kinangop Creamery")
    page.locator("main select[name=farm]").select_option(label="Creamery Farm")
    page.get_by_label("Description 1").fill("Milk, 1-15 November")
    page.get_by_label("Quantity 1").fill("600")
    page.get_by_label("Unit 1").fill("L")
    page.get_by_label("Unit price 1").fill("54")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_test_id("invoice-status")).to_have_text("Draft")

    page.get_by_role("button", name="Issue invoice").click()
    expect(page.get_by_test_id("invoice-status")).to_contain_text("Issued")
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible(timeout=15_000)
    invoice = Invoice.objects.get()
    assert invoice.number.startswith("INV-") and invoice.total == 32400

    page.get_by_label(re.compile("^Amount")).fill("10000")
    page.get_by_role("button", name="Record payment").click()
    expect(page.get_by_test_id("invoice-status")).to_contain_text("Partly paid")
    expect(page.get_by_test_id("balance")).to_have_text("22400.00")
