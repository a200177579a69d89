"""From heat to calf in the browser, at phone size, starting from the Today page."""

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from apps.herd.models import Animal
from tests.browser.pages import log_in
from tests.factories import make_animal, make_farm

pytestmark = pytest.mark.usefixtures("owner_scope")


@pytest.mark.django_db(transaction=True)
def test_owner_records_heat_service_check_and_calving(live_server, page: Page, owner):
    farm = make_farm(owner, name="Breeding Farm", milking_sessions_per_day=2)
    today = farm.local_today()
    cow = make_animal(owner, farm, tag="MAMA-1", name="Baraka", date_of_birth=today - dt.timedelta(days=1500))
    base = live_server.url
    log_in(page, base, owner.user.email)
    page.goto(f"{base}/herd/{cow.pk}/")
    page.get_by_role("link", name="Breeding").click()

    page.locator("#heat-form").get_by_label("Seen in heat on").fill((today - dt.timedelta(days=279)).isoformat())
    page.get_by_role("button", name="Record heat").click()
    expect(page.get_by_text("Heat of MAMA-1 recorded.")).to_be_visible()

    service = page.locator("#service-form")
    service.get_by_label("Served on").fill((today - dt.timedelta(days=278)).isoformat())
    service.get_by_label("Method").select_option(label="Artificial insemination")
    service.get_by_label("Outside sire").fill("Holstein AI bull HO-011")
    page.get_by_role("button", name="Record service").click()
    expect(page.get_by_text("Service of MAMA-1 recorded.")).to_be_visible()

    check = page.locator("#check-form")
    check.get_by_label("Checked on").fill((today - dt.timedelta(days=240)).isoformat())
    check.get_by_label("Result").select_option(label="Pregnant")
    page.get_by_role("button", name="Record check").click()
    expect(page.get_by_text(re.compile(r"MAMA-1: pregnant\. Due on"))).to_be_visible()

    # The Today page lists her as due; its line opens the birth form.
    page.goto(f"{base}/breeding/today/")
    page.locator("section", has=page.locator("#due-soon-heading")).get_by_role("link", name="MAMA-1").click()
    birth = page.locator("#birth-form")
    birth.get_by_label("Born on").fill(today.isoformat())
    birth.locator("#id_young-0-sex").select_option("female")
    birth.locator("#id_young-0-tag").fill("MAMA-1-C1")
    page.get_by_role("button", name="Record birth").click()
    expect(page.get_by_text("MAMA-1-C1 joined the herd.")).to_be_visible()

    calf = Animal.objects.get(tag="MAMA-1-C1")
    assert calf.dam_id == cow.pk and calf.sire_external == "Holstein AI bull HO-011"
    page.goto(f"{base}/milk/entry/?farm={farm.pk}&date={today.isoformat()}&session=morning")
    expect(page.locator(f"#cow-{cow.pk}")).to_contain_text("MAMA-1")
