"""Health in the browser: a vet treats from stock, the milker sees the cow withheld, the owner exports the book."""

import datetime as dt
import re

import pytest
from playwright.sync_api import Browser, expect

from apps.milk.models import MilkRecord
from apps.stock.models import Batch
from tests.browser import pages
from tests.factories import make_farm, make_member
from tests.health.conftest import make_batch, make_item
from tests.milk.conftest import make_cows

pytestmark = pytest.mark.usefixtures("owner_scope")


def _page(browser: Browser, base: str, email: str):
    context = browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True)
    page = context.new_page()
    pages.log_in(page, base, email)
    return page


@pytest.mark.django_db(transaction=True)
def test_vet_treats_milker_discards_owner_exports_the_book(live_server, browser: Browser, owner, tmp_path):
    dairy = make_farm(owner, name="Parlour Farm", milking_sessions_per_day=2)
    cow = make_cows(owner, dairy, 2, prefix="TB")[0]
    tubes = make_batch(owner, make_item(owner, name="Masticlear"), dairy, quantity="12", lot="MC-1")
    vet = make_member(owner, "vet")
    milker = make_member(owner, "milker", farms=[dairy])
    base = live_server.url
    yesterday = dairy.local_today() - dt.timedelta(days=1)

    # The vet records an intramammary tube from stock, given at 08:00 yesterday.
    page = _page(browser, base, vet.user.email)
    page.goto(f"{base}/health/")
    page.get_by_role("link", name="Record a treatment").click()
    page.get_by_label("Animal").select_option(str(cow.pk))
    page.get_by_label("Diagnosis").fill("Clinical mastitis, rear left")
    page.get_by_label("Product from stock").select_option(str(tubes.pk))
    page.locator("#id_dose").fill("1")
    page.get_by_label("Dose unit").fill("tube")
    page.get_by_label("Route").select_option(label="Intramammary")
    page.get_by_label("Quarter").select_option(label="Left hind")
    page.get_by_label("Given at").fill(f"{yesterday.isoformat()}T08:00")
    page.locator("summary", has_text="Prescription").click()  # the less common details wait behind their heading
    page.get_by_label("Prescribing vet").fill("Dr Wambui")
    page.get_by_role("button", name="Record treatment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Masticlear for {cow.tag}")
    assert Batch.objects.get(pk=tubes.pk).quantity == 11

    # The milker opens yesterday's evening session: the cow is marked, and her milk is discarded.
    parlour = _page(browser, base, milker.user.email)
    parlour.goto(f"{base}/milk/entry/?farm={dairy.pk}&date={yesterday.isoformat()}&session=evening")
    row = parlour.locator(f"#cow-{cow.pk}")
    expect(row.get_by_test_id("withdrawal")).to_contain_text("discard until")
    row.locator(".milk-qty").fill("8.5")
    row.locator(".milk-qty").press("Enter")
    expect(parlour.locator(f"#cow-{cow.pk} .row-state")).to_have_text("discarded")
    record = MilkRecord.objects.get(animal=cow, date=yesterday, session="evening")
    assert record.discarded and record.discard_reason == "withdrawal"

    # The owner exports the medicine book for an inspector.
    office = _page(browser, base, owner.user.email)
    office.goto(f"{base}/health/book/")
    expect(office.get_by_role("cell", name="MC-1")).to_be_visible()
    with office.expect_download() as download:
        office.get_by_role("link", name="PDF").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    assert re.search(r"medicine-book-.*\.pdf", download.value.suggested_filename)
