"""Books in the browser: a receipt photo from the yard, approval in the queue, the accountant's downloads."""

import re

import pytest
from PIL import Image
from playwright.sync_api import Browser, expect

from apps.finance.models import Expense
from tests.browser import pages
from tests.factories import make_farm, make_member
from tests.finance.conftest import issued_invoice

pytestmark = pytest.mark.usefixtures("owner_scope")


def log_in(browser: Browser, base: str, email: str):
    context = browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True)
    page = context.new_page()
    pages.log_in(page, base, email)
    return page


@pytest.mark.django_db(transaction=True)
def test_receipt_to_approval_to_accountant_downloads(live_server, browser: Browser, owner, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    farm = make_farm(owner, name="Yard Farm")
    worker = make_member(owner, "worker", farms=[farm])
    accountant = make_member(owner, "accountant")
    invoice = issued_invoice(owner)  # committed: its PDF is rendered by the outbox task
    receipt = tmp_path / "receipt.jpg"
    Image.new("RGB", (320, 480), "white").save(receipt, "JPEG")
    base = live_server.url

    # The worker photographs the receipt and submits the expense.
    page = log_in(browser, base, worker.user.email)
    page.goto(f"{base}/money/expenses/new/")
    page.get_by_label(re.compile("^Amount")).fill("3450")
    page.get_by_label(re.compile("^Description")).fill("Dairy meal, 5 bags")
    page.get_by_label(re.compile("^Receipt")).set_input_files(str(receipt))
    page.get_by_role("button", name="Submit expense").click()
    expect(page.get_by_test_id("expense-status")).to_have_text("Waiting for approval")
    expense = Expense.objects.get(description="Dairy meal, 5 bags")
    assert expense.receipt

    # The owner approves it in the queue, in place; the count drops without a reload.
    owner_page = log_in(browser, base, owner.user.email)
    owner_page.goto(f"{base}/money/approvals/")
    expect(owner_page.get_by_test_id("pending-count")).to_contain_text("1 waiting")
    row = owner_page.locator(f"#expense-{expense.pk}")
    expect(row.get_by_role("img")).to_be_visible()  # the receipt thumbnail
    row.get_by_role("button", name="Approve").click()
    expect(owner_page.locator(f"#expense-{expense.pk}")).to_contain_text("Approved")
    expect(owner_page.get_by_test_id("pending-count")).to_contain_text("0 waiting")
    expense.refresh_from_db()
    assert expense.status == "approved"

    # The worker's bell shows the decision.
    page.goto(f"{base}/home/")
    expect(page.get_by_test_id("unread")).to_have_text("1")

    # The accountant downloads the P&L as XLSX and the invoice as PDF.
    books = log_in(browser, base, accountant.user.email)
    books.goto(f"{base}/money/reports/")
    books.get_by_label("Report").select_option("pnl")
    books.get_by_label("Format").select_option("xlsx")
    with books.expect_download() as xlsx:
        books.get_by_role("button", name="Download").click()
    with open(xlsx.value.path(), "rb") as handle:
        assert handle.read(2) == b"PK"
    books.goto(f"{base}/money/invoices/{invoice.pk}/")
    with books.expect_download() as pdf:
        books.get_by_role("link", name="Download PDF").click()
    with open(pdf.value.path(), "rb") as handle:
        assert handle.read(4) == b"%PDF"
