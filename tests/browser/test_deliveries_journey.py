"""The milk that leaves the farm, on a 360 px phone: the do-not-ship list keeps a treated cow's milk out, the
delivery is recorded from the end of the milking, and the buyer's statement shows where it differs, with the money."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from apps.deliveries import services
from apps.deliveries.models import Delivery
from apps.milk.models import MilkRecord
from tests.browser.pages import log_in
from tests.factories import make_farm
from tests.health.conftest import at, make_batch, make_item
from tests.health.test_treatments import treat
from tests.milk.conftest import make_cows

pytestmark = pytest.mark.usefixtures("owner_scope")
D = Decimal


@pytest.mark.django_db(transaction=True)
def test_a_treated_cows_milk_stays_out_and_the_statement_shows_its_differences(live_server, page: Page, owner):
    farm = make_farm(owner, name="Kiambu Dairy", milking_sessions_per_day=2)
    day = farm.local_today() - dt.timedelta(days=1)
    cows = make_cows(owner, farm, 3, prefix="KD")
    treat(owner, cows[0], make_batch(owner, make_item(owner), farm), at(farm, day, 8))  # withheld from that evening
    coop = services.buyer_save(membership=owner, name="Githunguri Co-op")
    services.schedule_save(membership=owner, buyer=coop, valid_from=day - dt.timedelta(days=400), base_price=D("50.00"),
                           transport_per_unit=D("1.00"))
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size({"width": 360, "height": 780})
    base = live_server.url
    log_in(page, base, owner.user.email)

    # The evening milking: the treated cow's milk is discarded by the parlour, the others are saleable.
    page.goto(f"{base}/milk/entry/?farm={farm.pk}&date={day.isoformat()}&session=evening")
    for cow, litres in zip(cows, ("9", "11", "12.5")):
        page.locator(f"#qty-{cow.pk}").fill(litres)
        page.locator(f"#qty-{cow.pk}").press("Enter")
    expect(page.get_by_test_id("session-total")).to_contain_text("23.5")

    # Before the pickup: the do-not-ship list names her, and the farm declares it for the driver.
    page.get_by_role("link", name="Do-not-ship list").click()
    expect(page.get_by_test_id("do-not-ship")).to_contain_text("KD000")
    expect(page.get_by_test_id("do-not-ship")).not_to_contain_text("KD001")
    page.get_by_role("button", name="Declare for the driver").click()
    expect(page.get_by_test_id("declaration")).to_contain_text("1 kept out")

    # The delivery, from the end of the milking: 24 L is more than the 23.5 L saleable, so a reason is asked.
    page.goto(f"{base}/milk/entry/?farm={farm.pk}&date={day.isoformat()}&session=evening")
    page.get_by_role("link", name="Record the delivery").click()
    page.get_by_label("Quantity delivered, as the farm measured").fill("24")
    page.get_by_role("button", name="Record the delivery").click()
    expect(page.get_by_text("more than the 23.50 L of saleable milk")).to_be_visible()
    page.get_by_label("Quantity delivered, as the farm measured").fill("23.5")
    page.get_by_role("button", name="Record the delivery").click()
    expect(page.get_by_test_id("delivery-value")).to_contain_text("1,175.00")  # 23.5 L x 50.00
    delivery = Delivery.objects.get()
    assert delivery.sessions == ["evening"] and delivery.quantity == D("23.5")
    assert MilkRecord.objects.get(animal=cows[0], date=day, session="evening").discarded

    # The buyer's statement: 22.5 L paid at 49.00, and 1.20 a litre of transport.
    month = day.replace(day=1)
    page.goto(f"{base}/deliveries/statements/new/")
    page.get_by_label("Farm").select_option(label="Kiambu Dairy")
    page.get_by_label("Month").fill(month.strftime("%Y-%m"))
    page.get_by_label("Or its lines").fill(
        f"date,kind,description,quantity,price,amount\n{day.isoformat()},milk,,22.5,49.00,1102.50\n,transport,Transport,,,27.00")
    page.get_by_role("button", name="Check against the deliveries").click()
    expect(page.get_by_test_id("difference-count")).to_have_text("2")
    # 1,102.50 paid for the day against 1,175.00 (-72.50); transport 27.00 against 23.50 (-3.50): -76.00 in all.
    expect(page.get_by_test_id("at-stake")).to_have_text("-KES 76.00")
    wider = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert wider <= 0, f"the statement is {wider} px wider than the phone"
    with page.expect_download() as download:
        page.get_by_role("link", name="Dispute sheet (PDF)").click()
    assert download.value.suggested_filename.endswith("-differences.pdf")
    assert not errors


@pytest.mark.django_db(transaction=True)
def test_a_feeding_beyond_the_stock_is_recorded_and_flagged_on_a_phone(live_server, page: Page, owner):
    from apps.herd.models import AnimalGroup
    from apps.stock.services import batch_receive, item_save

    farm = make_farm(owner, name="Kiambu Dairy", milking_sessions_per_day=2)
    AnimalGroup.objects.create(tenant_id=owner.tenant_id, farm=farm, name="Milkers")
    hay = item_save(membership=owner, kind="feed", name="Rhodes hay", unit="bale")
    batch_receive(membership=owner, item=hay, farm=farm, quantity=D("10"), unit_cost=D("350"))
    page.set_viewport_size({"width": 360, "height": 780})
    base = live_server.url
    log_in(page, base, owner.user.email)
    page.goto(f"{base}/feeding/new/")
    page.get_by_label("Group").select_option(label="Milkers")
    page.get_by_label("Rhodes hay (bale fed)").fill("12")
    page.get_by_role("button", name="Record the feeding").click()
    expect(page.get_by_text("The stock held less than was fed of: Rhodes hay")).to_be_visible()
    expect(page.get_by_test_id("shortfall")).to_contain_text("2 not in stock")
    wider = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert wider <= 0
