"""From heat to calf in the browser, at phone size, from the Today page: each line's action in place."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from apps.breeding.models import Heat, PregnancyCheck, Service
from apps.herd.models import Animal
from apps.herd.services import outside_sire_save
from apps.milk.models import Lactation
from tests.browser.pages import log_in
from tests.factories import make_animal, make_farm
from tests.milk.conftest import start_lactation

pytestmark = pytest.mark.usefixtures("owner_scope")


def today_section(page: Page, heading_id: str):
    return page.locator("section", has=page.locator(f"#{heading_id}"))


@pytest.mark.django_db(transaction=True)
def test_owner_records_heat_service_check_and_calving_from_today(live_server, page: Page, owner):
    farm = make_farm(owner, name="Breeding Farm", milking_sessions_per_day=2)
    today = farm.local_today()
    cow = make_animal(owner, farm, tag="MAMA-1", name="Baraka", date_of_birth=today - dt.timedelta(days=1500))
    lactation = start_lactation(owner, cow, calving_date=today - dt.timedelta(days=70))
    outside_sire_save(membership=owner, name="HO-011 Holstein", species="cattle", semen_code="HO-011")
    base = live_server.url
    log_in(page, base, owner.user.email)

    # 70 days after calving and never seen in heat: the Today page says so; one tap records the heat.
    page.goto(f"{base}/breeding/today/")
    no_heat = today_section(page, "noheat-heading")
    no_heat.get_by_role("button", name=re.compile(r"^In heat\W+MAMA-1$")).click()
    expect(no_heat.get_by_text("✓ MAMA-1 seen in heat today.")).to_be_visible()
    assert Heat.objects.get().observed_on == today

    # The AI service, on her breeding page, with the AI bull from the outside register.
    page.goto(f"{base}/breeding/animals/{cow.pk}/")
    service = page.locator("#service-form")
    service.get_by_label("Method").select_option(label="Artificial insemination")
    service.get_by_label("Outside sire (register)").select_option(label="HO-011 Holstein (HO-011)")
    service.get_by_label("Straw code or batch").fill("HO-011-2026")
    page.get_by_role("button", name="Record service").click()
    expect(page.get_by_text("Service of MAMA-1 recorded.")).to_be_visible()

    # Five weeks on, the check is due: "Pregnant" in place.
    Service.objects.update(served_on=today - dt.timedelta(days=35))
    page.goto(f"{base}/breeding/today/")
    checks = today_section(page, "check-heading")
    checks.get_by_label("Method for MAMA-1").select_option("ultrasound")
    checks.get_by_role("button", name=re.compile(r"^Pregnant\W+MAMA-1$")).click()
    expect(checks.get_by_text(re.compile(r"✓ MAMA-1: pregnant, due"))).to_be_visible()
    assert PregnancyCheck.objects.get().result == "pregnant"

    # Nine months on she is due: the birth of a heifer calf in place.
    Lactation.objects.update(calving_date=today - dt.timedelta(days=349))
    Heat.objects.update(observed_on=today - dt.timedelta(days=279))
    Service.objects.update(served_on=today - dt.timedelta(days=279))
    PregnancyCheck.objects.update(checked_on=today - dt.timedelta(days=244), expected_birth_on=today + dt.timedelta(days=4))
    page.goto(f"{base}/breeding/today/")
    due = today_section(page, "due-soon-heading")
    due.get_by_text("Record the birth").click()
    due.get_by_label("Sex").select_option("female")
    due.get_by_label("Tag of the young").fill("MAMA-1-C1")
    due.get_by_label("Weight (kg)").fill("36.5")
    due.get_by_role("button", name=re.compile(r"^Born today\W+MAMA-1$")).click()
    expect(due.get_by_text("✓ MAMA-1 gave birth: MAMA-1-C1 joined the herd.")).to_be_visible()

    calf = Animal.objects.select_related("registered_sire").get(tag="MAMA-1-C1")
    assert (calf.dam_id, calf.registered_sire.name, calf.sex, calf.date_of_birth) == (cow.pk, "HO-011 Holstein", "female", today)
    page.goto(f"{base}/herd/{calf.pk}/")
    expect(page.locator("#lineage-heading").locator("..")).to_contain_text("MAMA-1")
    expect(page.locator("#lineage-heading").locator("..")).to_contain_text("HO-011 Holstein")
    expect(page.get_by_text("36.5", exact=True)).to_be_visible()
    lactation.refresh_from_db()
    assert lactation.dried_off_on == today - dt.timedelta(days=1)  # the old lactation closed, a new one started
    page.goto(f"{base}/milk/entry/?farm={farm.pk}&date={today.isoformat()}&session=morning")
    expect(page.locator(f"#cow-{cow.pk}")).to_contain_text("MAMA-1")


@pytest.mark.django_db(transaction=True)
def test_a_worker_weighs_calves_from_the_herd_list_and_sees_the_growth(live_server, page: Page, owner):
    farm = make_farm(owner, name="Calf Farm")
    today = farm.local_today()
    calves = [make_animal(owner, farm, tag=f"CALF-{n}", date_of_birth=today - dt.timedelta(days=60)) for n in range(2)]
    from apps.herd.lifecycle import event_record

    event_record(membership=owner, animal=calves[0], kind="weight", on=today - dt.timedelta(days=30), weight_kg=Decimal("50"))
    base = live_server.url
    log_in(page, base, owner.user.email)
    page.goto(f"{base}/herd/?q=CALF")
    for calf in calves:
        page.get_by_label(f"Select {calf.tag}").check()
    page.get_by_text("With the ticked animals…").click()
    page.get_by_role("button", name="Weigh, move or wean them…").click()
    expect(page.locator("h1")).to_contain_text("2 animals")
    page.get_by_label("CALF-0").fill("68")
    page.get_by_role("button", name="Save for all").click()
    expect(page.get_by_role("alert")).to_contain_text("CALF-1")
    page.get_by_label("CALF-1").fill("61")
    page.get_by_role("button", name="Save for all").click()
    expect(page.get_by_text("2 animals weighed.")).to_be_visible()
    page.goto(f"{base}/herd/{calves[0].pk}/")
    expect(page.get_by_text("0.600 kg/day")).to_be_visible()
    expect(page.locator("svg.growth-chart")).to_be_visible()
