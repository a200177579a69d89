"""A stick reader in keyboard mode, as the browser sees it: the number's keys, then Enter."""


import pytest
from playwright.sync_api import Page, expect

from apps.herd.services import animal_update
from tests.browser.pages import log_in
from tests.factories import make_farm
from tests.milk.conftest import make_cows

pytestmark = pytest.mark.usefixtures("owner_scope")


@pytest.mark.django_db(transaction=True)
def test_a_reader_finds_the_cow_on_the_entry_page_and_in_the_herd(live_server, page: Page, owner):
    farm = make_farm(owner, name="Reader Farm", milking_sessions_per_day=2)
    cows = make_cows(owner, farm, 12, prefix="RD")
    animal_update(membership=owner, animal=cows[9], eid="982000123456789")
    page.set_viewport_size({"width": 360, "height": 780})
    base = live_server.url
    log_in(page, base, owner.user.email)
    page.goto(f"{base}/milk/entry/?farm={farm.pk}&date={farm.local_today().isoformat()}&session=morning")
    scan = page.locator("#scan")
    scan.click()
    page.keyboard.type("982 000123456789", delay=5)  # what the reader types, spaces and all
    page.keyboard.press("Enter")
    expect(page.locator(f"#qty-{cows[9].pk}")).to_be_focused()
    page.keyboard.type("11.5")
    page.keyboard.press("Enter")  # saved, and on to the next cow
    expect(page.locator(f"#qty-{cows[10].pk}")).to_be_focused()
    scan.click()
    page.keyboard.type("rd004")
    page.keyboard.press("Enter")
    expect(page.locator(f"#qty-{cows[4].pk}")).to_be_focused()
    scan.click()
    page.keyboard.type("999999999999999")
    page.keyboard.press("Enter")
    expect(page.locator("#scan-state")).to_have_text("No cow with that tag or EID in this list.")

    page.goto(f"{base}/herd/")
    page.locator("#id_q").click()
    page.keyboard.type("982000123456789", delay=5)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/herd/{cows[9].pk}/")


# A reader on a serial port, as Web Serial hands it to the page: a port that opens and streams what the reader sends
# ("LA 982 000123456789" and a line end, as many stick readers print a tag).
FAKE_SERIAL = """
(() => {
  const port = {
    open: async () => {},
    readable: new ReadableStream({ start(controller) {
      setTimeout(() => controller.enqueue(new TextEncoder().encode("LA 982 0001234")), 200);
      setTimeout(() => controller.enqueue(new TextEncoder().encode("56789\\r\\n")), 300);
    } }),
  };
  Object.defineProperty(navigator, "serial", { value: { requestPort: async () => port } });
})();
"""


@pytest.mark.django_db(transaction=True)
def test_a_reader_on_a_serial_port_finds_the_cow(live_server, page: Page, owner):
    farm = make_farm(owner, name="Reader Farm", milking_sessions_per_day=2)
    cows = make_cows(owner, farm, 6, prefix="SR")
    animal_update(membership=owner, animal=cows[4], eid="982 000123456789")
    page.add_init_script(FAKE_SERIAL)
    page.set_viewport_size({"width": 360, "height": 780})
    log_in(page, live_server.url, owner.user.email)
    page.goto(f"{live_server.url}/milk/entry/?farm={farm.pk}&date={farm.local_today().isoformat()}&session=morning")
    page.get_by_role("button", name="Connect a reader").click()
    expect(page.locator(f"#qty-{cows[4].pk}")).to_be_focused()
    expect(page.get_by_role("button", name="Reader connected")).to_be_disabled()
