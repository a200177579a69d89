"""A milker records a morning session on a phone, with the keyboard only."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from apps.milk.models import MilkRecord
from tests.browser.pages import log_in
from tests.factories import make_farm, make_member
from tests.milk.conftest import make_cows

pytestmark = pytest.mark.usefixtures("owner_scope")

QUANTITIES = ["12.5", "9", "14.25", "11", "8.5", "10", "13", "7.75", "15", "6.5"]


@pytest.mark.django_db(transaction=True)
def test_milker_records_a_session_by_keyboard_and_survives_bad_input_and_a_dropped_connection(live_server, page: Page, owner):
    dairy = make_farm(owner, name="Parlour Farm", milking_sessions_per_day=2)
    cows = make_cows(owner, dairy, 10)
    milker = make_member(owner, "milker", farms=[dairy])
    log_in(page, live_server.url, milker.user.email)
    expect(page.get_by_role("heading", name=owner.tenant.name)).to_be_visible()

    today = dt.date.today().isoformat()
    page.goto(f"{live_server.url}/milk/entry/?farm={dairy.pk}&date={today}&session=morning")
    expect(page.locator(".milk-row")).to_have_count(10)
    total = page.get_by_test_id("session-total")
    expect(total).to_have_text("0.0 L")

    # Keyboard only: type, Enter, type, Enter... the focus walks down the cows.
    page.locator(".milk-qty").first.focus()
    running = Decimal("0")
    for quantity in QUANTITIES:
        page.keyboard.type(quantity)
        page.keyboard.press("Enter")
        running += Decimal(quantity)
    page.keyboard.press("Tab")  # leave the last cow too
    expect(total).to_have_text(f"{running:.1f} L")
    expect(page.get_by_test_id("cows-recorded")).to_have_text("10 of 10")

    page.reload()
    for cow, quantity in zip(cows, QUANTITIES):
        expect(page.locator(f"#qty-{cow.pk}")).to_have_value(f"{Decimal(quantity).normalize():f}")
    assert MilkRecord.objects.filter(farm=dairy).count() == 10

    # A typo: the row says why, keeps what was typed, and nothing changes.
    first = page.locator(f"#qty-{cows[0].pk}")
    first.fill("95")
    first.press("Enter")
    row = page.locator(f"#cow-{cows[0].pk}")
    expect(row).to_contain_text("Enter a value between 0 and 80")
    expect(page.locator(f"#qty-{cows[0].pk}")).to_have_value("95")
    assert MilkRecord.objects.get(animal=cows[0]).quantity == Decimal("12.5")

    # The connection drops: the value stays, the row says so, and it saves once the server is back.
    page.route("**/milk/entry/row/", lambda route: route.abort())
    second = page.locator(f"#qty-{cows[1].pk}")
    second.fill("16")
    second.press("Enter")
    expect(page.locator(f"#cow-{cows[1].pk} .row-state")).to_contain_text("will retry")
    expect(page.locator(f"#qty-{cows[1].pk}")).to_have_value("16")
    assert MilkRecord.objects.get(animal=cows[1]).quantity == Decimal("9")
    page.unroute("**/milk/entry/row/")
    expect(page.locator(f"#cow-{cows[1].pk} .row-state")).to_have_text("saved", timeout=15_000)
    assert MilkRecord.objects.get(animal=cows[1]).quantity == Decimal("16")

    # The database's primary is down (read-only failover answers 503): the row keeps the value and sends it
    # when changes resume.
    from apps.core.replicas import PAUSED

    page.route("**/milk/entry/row/", lambda route: route.fulfill(status=503, body=PAUSED, headers={"Retry-After": "30"}))
    third = page.locator(f"#qty-{cows[2].pk}")
    third.fill("17.5")
    third.press("Enter")
    expect(page.locator(f"#cow-{cows[2].pk} .row-state")).to_contain_text("will retry")
    expect(third).to_have_value("17.5")
    page.unroute("**/milk/entry/row/")
    expect(page.locator(f"#cow-{cows[2].pk} .row-state")).to_have_text("saved", timeout=15_000)
    assert MilkRecord.objects.get(animal=cows[2]).quantity == Decimal("17.5")
