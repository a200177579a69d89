"""The parlour without a network: the entry page, opened once before, opens again with the network cut, saying how old
its list is; rows typed offline survive a reload and are each saved once when the network returns; a row changed
meanwhile on another device keeps the other device's value and shows the one that lost."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from apps.milk.models import MilkRecord
from apps.milk.services import milking_record_save
from tests.browser.pages import log_in
from tests.factories import make_farm
from tests.milk.conftest import make_cows

pytestmark = pytest.mark.usefixtures("owner_scope")


def _network_cut(page: Page, server: str):
    """The phone loses its network: the browser says so to the page, and nothing it sends reaches the server (the
    browser's own offline switch can lag behind a reload, as a phone's signal does)."""
    page.context.route(f"{server}/**", lambda route: route.abort("internetdisconnected"))
    page.context.set_offline(True)


def _network_back(page: Page, server: str):
    page.context.unroute(f"{server}/**")
    page.context.set_offline(False)


@pytest.mark.django_db(transaction=True)
def test_a_session_milked_without_a_network_is_saved_once_when_it_returns(live_server, page: Page, owner):
    farm = make_farm(owner, name="No Signal Farm", milking_sessions_per_day=2)
    cows = make_cows(owner, farm, 4, prefix="NS")
    day = farm.local_today() - dt.timedelta(days=1)
    url = f"{live_server.url}/milk/entry/?farm={farm.pk}&date={day.isoformat()}&session=evening"
    page.set_viewport_size({"width": 360, "height": 780})
    log_in(page, live_server.url, owner.user.email)
    page.goto(url)  # the earlier visit, with a network: the page is kept
    expect(page.locator("body[data-kept='1']")).to_have_count(1, timeout=10000)

    _network_cut(page, live_server.url)
    page.goto(url)  # the network is cut before the page is opened
    expect(page.locator("#offline-note")).to_be_visible()
    expect(page.locator("#offline-note")).to_contain_text("No network: the list as it was at")
    for cow, litres in zip(cows, ("10", "11.5", "9", "12")):
        page.locator(f"#qty-{cow.pk}").fill(litres)
        page.locator(f"#qty-{cow.pk}").press("Enter")
    expect(page.locator(f"#state-{cows[3].pk}")).to_contain_text("offline")
    # Meanwhile another device saves the second cow with the network it has.
    milking_record_save(membership=owner, farm=farm, animal=cows[1], date=day, session="evening", quantity=Decimal("14"))

    page.reload()  # still offline: nothing typed is lost
    expect(page.locator(f"#qty-{cows[0].pk}")).to_have_value("10")
    expect(page.locator(f"#state-{cows[2].pk}")).to_have_text("kept on this phone, will send")
    assert not MilkRecord.objects.filter(animal__in=[cows[0], cows[2], cows[3]]).exists()

    _network_back(page, live_server.url)  # the network returns: every kept row is sent, in the order typed
    for cow in (cows[0], cows[2], cows[3]):  # each row's save is its own request: they may answer in any order
        expect(page.locator(f"#state-{cow.pk}")).to_have_text("saved", timeout=15000)
    # The page is the offline worker's, but its saves went straight to the network (the worker's static route): the
    # worker is not woken for each row.
    routes = page.evaluate("performance.getEntriesByType('resource').filter((e) => e.name.includes('/milk/entry/row/'))"
                           ".map((e) => e.workerMatchedSourceType)")
    assert routes and set(routes) == {"network"}
    expect(page.locator(f"#state-{cows[1].pk}")).to_contain_text("Changed on another device to 14; yours, 11.5 typed offline")
    saved = {r.animal_id: r.quantity for r in MilkRecord.objects.filter(date=day, session="evening")}
    assert saved == {cows[0].pk: Decimal("10"), cows[1].pk: Decimal("14"), cows[2].pk: Decimal("9"), cows[3].pk: Decimal("12")}
    assert MilkRecord.objects.count() == 4  # each once
    page.reload()
    expect(page.locator(f"#qty-{cows[2].pk}")).to_have_value("9")
    expect(page.locator(".milk-row.save-failed")).to_have_count(0)


@pytest.mark.django_db(transaction=True)
def test_a_weighing_filled_without_a_network_is_sent_once_when_it_gets_through(live_server, page: Page, owner):
    from apps.herd.models import AnimalEvent
    from tests.factories import make_animal

    farm = make_farm(owner, name="No Signal Farm", milking_sessions_per_day=2)
    heifer = make_animal(owner, farm, tag="HF-7", date_of_birth=dt.date(2025, 1, 10))
    url = f"{live_server.url}/herd/{heifer.pk}/"
    page.set_viewport_size({"width": 360, "height": 780})
    log_in(page, live_server.url, owner.user.email)
    page.goto(url)
    expect(page.locator("body[data-kept='1']")).to_have_count(1, timeout=10000)

    _network_cut(page, live_server.url)
    page.goto(url)
    page.locator("summary", has_text="Weigh").first.click()
    page.locator("#weight_weight_kg").fill("212.5")
    page.locator("form[data-offline='Weigh'] button[type=submit]").click()
    expect(page.locator("#offline-forms")).to_contain_text("Kept on this phone, will send: Weigh")
    page.reload()
    expect(page.locator("#offline-forms")).to_contain_text("Kept on this phone, will send: Weigh")
    assert not AnimalEvent.objects.filter(animal=heifer, kind="weight").exists()

    # The phone says the network is back before anything gets through (weak signal): the weighing fails to go and
    # stays kept; it goes again a few seconds later without the phone having to say so twice.
    with page.expect_event("requestfailed", lambda request: request.method == "POST"):
        page.context.set_offline(False)
    expect(page.locator("#offline-forms")).to_contain_text("Kept on this phone, will send: Weigh")
    assert not AnimalEvent.objects.filter(animal=heifer, kind="weight").exists()
    _network_back(page, live_server.url)
    expect(page.locator("#offline-forms")).to_contain_text("Sent: Weigh", timeout=15000)
    weighings = AnimalEvent.objects.filter(animal=heifer, kind="weight")
    assert [w.weight_kg for w in weighings] == [Decimal("212.5")]
