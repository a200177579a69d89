"""At phone size: the next cow stays in sight after Enter, and toasts cover nothing in the header."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from apps.milk.services import milking_record_save
from tests.browser.pages import log_in
from tests.factories import make_farm, make_member
from tests.milk.conftest import make_cows

pytestmark = pytest.mark.usefixtures("owner_scope")


def _box(page: Page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


@pytest.mark.django_db(transaction=True)
def test_the_focused_cow_is_never_under_the_bottom_bar(live_server, page: Page, owner):
    dairy = make_farm(owner, name="Long Parlour", milking_sessions_per_day=2)
    make_cows(owner, dairy, 14)
    milker = make_member(owner, "milker", farms=[dairy])
    log_in(page, live_server.url, milker.user.email)
    page.goto(f"{live_server.url}/milk/entry/?farm={dairy.pk}&date={dairy.local_today().isoformat()}&session=morning")
    page.locator(".milk-qty").first.focus()
    for n in range(13):
        page.keyboard.type(str(10 + n))
        page.keyboard.press("Enter")
        page.wait_for_timeout(150)  # the smooth part of the scroll
        field = page.evaluate("(() => { const r = document.activeElement.getBoundingClientRect(); return [r.top, r.bottom]; })()")
        bar_top = _box(page, "nav.bottom-nav")["y"]
        header_bottom = _box(page, "header")["y"] + _box(page, "header")["height"]
        assert field[1] <= bar_top and field[0] >= header_bottom, f"cow {n + 2}: field {field}, bar at {bar_top}"


def _a_message(page: Page, base: str, email: str):
    """Save the profile and answer the message it brings up, once it shows."""
    log_in(page, base, email)
    page.goto(f"{base}/profile/")
    page.get_by_role("button", name="Save").click()
    toast = page.locator(".toast.show").first
    expect(toast).to_be_visible()
    return toast


@pytest.mark.django_db(transaction=True)
def test_a_toast_covers_nothing_in_the_header(live_server, page: Page, owner):
    toast = _a_message(page, live_server.url, owner.user.email)
    toast_box, header = toast.bounding_box(), _box(page, "header")
    assert toast_box["y"] >= header["y"] + header["height"], "the toast sits over the header"
    bar = _box(page, "nav.bottom-nav")
    assert toast_box["y"] + toast_box["height"] <= bar["y"], "the toast sits over the bottom bar"


@pytest.mark.django_db(transaction=True)
def test_breeding_and_lifecycle_pages_fit_a_phone(live_server, page: Page, owner):
    import datetime as dt
    from decimal import Decimal

    from apps.breeding.services import service_record, task_save
    from apps.herd.lifecycle import event_record
    from tests.factories import make_animal

    farm = make_farm(owner, name="A farm with a rather long name for a small screen")
    today = farm.local_today()
    cows = make_cows(owner, farm, 3)
    service_record(membership=owner, animal=cows[0], served_on=today - dt.timedelta(days=35), method="ai",
                   outside_sire="A very long outside sire name, Holstein-Friesian")
    task_save(membership=owner, farm=farm, title="Clean out every water trough in the far paddocks", due_on=today)
    calf = make_animal(owner, farm, tag="CALF-WIDE", date_of_birth=today - dt.timedelta(days=100))
    event_record(membership=owner, animal=calf, kind="weight", on=today - dt.timedelta(days=30), weight_kg=Decimal("80"))
    event_record(membership=owner, animal=calf, kind="weight", on=today, weight_kg=Decimal("101.5"))
    log_in(page, live_server.url, owner.user.email)
    for path in ("/breeding/today/", f"/herd/{calf.pk}/", f"/breeding/animals/{cows[0].pk}/", "/breeding/tasks/",
                 "/breeding/fertility/", f"/herd/group-action/?animal={calf.pk}", "/herd/outside/", "/breeding/hires/new/"):
        page.goto(live_server.url + path)
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, f"{path} is {wide} px wider than the phone"


@pytest.mark.django_db(transaction=True)
def test_access_pages_fit_a_phone(live_server, page: Page, owner):
    import datetime as dt

    from apps.accounts.models import Role
    from apps.accounts.policies import delegation_create, policy_save

    farm = make_farm(owner, name="A farm with a rather long name for a small screen")
    manager = make_member(owner, "manager")
    policy_save(membership=owner, name="Milking hours for the early and late parlour shifts",
                role=Role.objects.get(tenant_id=owner.tenant_id, key="milker"), member=None,
                permissions=["milk.record", "finance.submit_expense"], days=[0, 1, 2, 3, 4, 5], start_time=dt.time(4),
                end_time=dt.time(21), amount_limit=None, farms=[farm], ends_on=None)
    today = farm.local_today()
    delegation_create(membership=owner, delegate=manager, permissions=["finance.approve_expense", "finance.manage"],
                      starts_on=today, ends_on=today + dt.timedelta(days=14), note="Two weeks of annual leave at the coast")
    log_in(page, live_server.url, owner.user.email)
    for path in ("/team/policies/", "/team/policies/new/", "/delegations/", f"/team/members/{manager.pk}/access/",
                 "/devices/", "/organisation/sso/", "/sso/"):
        page.goto(live_server.url + path)
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, f"{path} is {wide} px wider than the phone"


@pytest.mark.django_db(transaction=True)
def test_menus_open_close_and_stay_on_the_screen(live_server, page: Page, owner):
    """The header's account menu and the bottom bar's "More": open on a tap, inside the screen, arrow keys walk
    their items, Escape closes them and gives the focus back, a tap elsewhere closes them; Log out works from it."""
    page.set_viewport_size({"width": 360, "height": 780})
    log_in(page, live_server.url, owner.user.email)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/home/")
    width = page.evaluate("document.documentElement.clientWidth")

    account = page.locator("header [data-bs-toggle='dropdown']").last
    account.click()
    menu = page.locator("header .dropdown-menu.show")
    expect(menu).to_be_visible()
    expect(account).to_have_attribute("aria-expanded", "true")
    box = menu.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"the account menu leaves the screen: {box}"
    page.keyboard.press("ArrowDown")
    expect(menu.get_by_role("link", name="Profile")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(menu.get_by_role("link", name="Notifications")).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).to_have_count(0)
    expect(account).to_be_focused()
    expect(account).to_have_attribute("aria-expanded", "false")

    more = page.locator("nav.bottom-nav [data-bs-toggle='dropdown']")
    more.click()
    opened = page.locator("nav.bottom-nav .dropdown-menu.show")
    expect(opened).to_be_visible()
    box, bar = opened.bounding_box(), _box(page, "nav.bottom-nav")
    assert box["y"] + box["height"] <= bar["y"] + 1 and box["y"] >= 0, f"'More' opens off the screen: {box}, bar {bar}"
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"'More' leaves the screen: {box}"
    page.locator("main h1").click()
    expect(opened).to_have_count(0)

    account.click()
    page.locator("header .dropdown-menu.show").get_by_role("button", name="Log out").click()
    expect(page).not_to_have_url(f"{live_server.url}/home/")
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_a_message_goes_by_itself_or_when_closed(live_server, page: Page, owner):
    toast = _a_message(page, live_server.url, owner.user.email)
    toast.get_by_role("button", name="Close").click()
    expect(page.locator(".toast.show")).to_have_count(0)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".toast.show")).to_have_count(1)
    expect(page.locator(".toast.show")).to_have_count(0, timeout=8_000)  # a success message's 4 seconds


SHIFTS = """window.__shift = 0; new PerformanceObserver((list) => list.getEntries().forEach((entry) => {
  if (!entry.hadRecentInput) { window.__shift += entry.value; } })).observe({type: "layout-shift", buffered: true});"""


@pytest.mark.django_db(transaction=True)
def test_the_milk_cards_arrive_without_moving_the_page(live_server, page: Page, owner):
    """The milk dashboard and home load their cards after the page: the room kept for each is what it takes on a
    360 px phone, so what is below does not jump when they arrive (Lighthouse's cumulative layout shift; 0.09 when the
    production card's room was a third short)."""
    farm = make_farm(owner, name="Green Valley Home Farm", milking_sessions_per_day=2)
    today = farm.local_today()
    for n, cow in enumerate(make_cows(owner, farm, 3)):
        for days in range(8):
            milking_record_save(membership=owner, farm=farm, animal=cow, date=today - dt.timedelta(days=days), session="morning",
                                quantity=Decimal("11.5"), discarded=n == 0 and days < 2, discard_reason="abnormal" if n == 0 and days < 2 else "")
    page.set_viewport_size({"width": 360, "height": 780})
    log_in(page, live_server.url, owner.user.email)
    page.add_init_script(SHIFTS)
    for path in ("/milk/", "/home/"):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("[hx-get*='/cards/production/'] table")).to_be_visible()
        page.wait_for_timeout(500)
        shift = page.evaluate("window.__shift")
        assert shift < 0.02, f"{path}: the page moved by {shift:.3f} as its cards arrived"
