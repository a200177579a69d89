"""At phone size: the next cow stays in sight after Enter, and toasts cover nothing in the header."""


import pytest
from playwright.sync_api import Page, expect

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


@pytest.mark.django_db(transaction=True)
def test_a_toast_covers_nothing_in_the_header(live_server, page: Page, owner):
    log_in(page, live_server.url, owner.user.email)
    page.goto(f"{live_server.url}/profile/")
    page.get_by_role("button", name="Save").click()
    toast = page.locator(".toast.show").first
    expect(toast).to_be_visible()
    toast_box, header = toast.bounding_box(), _box(page, "header")
    assert toast_box["y"] >= header["y"] + header["height"], "the toast sits over the header"
    bar = _box(page, "nav.bottom-nav")
    assert toast_box["y"] + toast_box["height"] <= bar["y"], "the toast sits over the bottom bar"
