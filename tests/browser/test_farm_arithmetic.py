"""What a vet, a breeder and a milk buyer check, in the browser at phone size: the farm's own milking
times decide which milk is withheld, the session's saleable milk is kept apart from the discarded, and
a planned mating's inbreeding shows before the service is saved."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from apps.farms.models import Farm
from apps.health.services import treatment_record
from apps.herd.models import OutsideSire
from apps.milk.models import MilkRecord
from tests.browser.pages import log_in
from tests.factories import make_animal, make_farm
from tests.health.conftest import make_batch, make_item
from tests.milk.conftest import make_cows

pytestmark = pytest.mark.usefixtures("owner_scope")


@pytest.mark.django_db(transaction=True)
def test_a_farm_milking_at_six_withholds_the_morning_of_a_0620_dose(live_server, page: Page, owner):
    farm = make_farm(owner, name="Six O'Clock Farm", milking_sessions_per_day=2, time_zone="Africa/Nairobi")
    base = live_server.url
    log_in(page, base, owner.user.email)

    # The owner sets the farm's milking times.
    page.goto(f"{base}/farms/{farm.pk}/edit/")
    page.get_by_label("Morning milking starts").fill("06:00")
    page.get_by_label("Evening milking starts").fill("17:00")
    page.get_by_role("button", name="Save farm").click()
    expect(page.get_by_test_id("milking-times")).to_contain_text("06:00")
    farm = Farm.objects.get(pk=farm.pk)
    assert (farm.morning_starts, farm.evening_starts) == (dt.time(6), dt.time(17))

    # A cow treated at 06:20 yesterday (34 h withdrawal: it ends today at 16:20).
    yesterday = farm.local_today() - dt.timedelta(days=1)
    cow, other = make_cows(owner, farm, 2, prefix="SIX")
    tubes = make_batch(owner, make_item(owner, milk_hours=34, meat_days=4), farm)
    treatment_record(membership=owner, animal=cow, batch=tubes, dose=Decimal("1"), dose_unit="tube", route="intramammary",
                     quarter="LH", diagnosis="Mastitis", given_at=dt.datetime.combine(yesterday, dt.time(6, 20), tzinfo=farm.zone))

    # Yesterday morning: her row says discard; the session's saleable total leaves her milk out.
    page.goto(f"{base}/milk/entry/?farm={farm.pk}&date={yesterday.isoformat()}&session=morning")
    row = page.locator(f"#cow-{cow.pk}")
    expect(row.get_by_test_id("withdrawal")).to_be_visible()
    page.locator(f"#qty-{cow.pk}").fill("9.5")
    page.locator(f"#qty-{cow.pk}").press("Enter")
    expect(page.get_by_test_id("session-discarded")).to_contain_text("9.5 L discarded of 9.5 L produced")
    page.locator(f"#qty-{other.pk}").fill("12")
    page.locator(f"#qty-{other.pk}").press("Enter")
    expect(page.get_by_test_id("session-total")).to_contain_text("12.0")
    expect(page.get_by_test_id("session-discarded")).to_contain_text("9.5 L discarded of 21.5 L produced")
    assert MilkRecord.objects.get(animal=cow).discarded

    # Today's evening milking (17:00) is after the end (16:20): clean.
    page.goto(f"{base}/milk/entry/?farm={farm.pk}&date={farm.local_today().isoformat()}&session=evening")
    expect(page.locator(f"#cow-{cow.pk}").get_by_test_id("withdrawal")).to_have_count(0)


@pytest.mark.django_db(transaction=True)
def test_the_service_form_shows_the_calfs_inbreeding_before_saving(live_server, page: Page, owner):
    farm = make_farm(owner, name="Pedigree Farm", milking_sessions_per_day=2)
    bull = OutsideSire.objects.create(tenant_id=owner.tenant_id, name="Kilimanjaro Red", species="cattle")
    daughter = make_animal(owner, farm, tag="KR-D1", registered_sire=bull, date_of_birth=None)
    base = live_server.url
    log_in(page, base, owner.user.email)
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{base}/breeding/animals/{daughter.pk}/")
    form = page.locator("#service-form")
    form.get_by_label("Method").select_option(label="Artificial insemination")
    form.get_by_label("Outside sire (register)").select_option(label="Kilimanjaro Red")
    expect(page.get_by_test_id("mating")).to_contain_text("The calf's inbreeding would be 25 %. Above your limit of 6.25 %.")
    page.get_by_role("button", name="Record service").click()
    expect(page.get_by_text(re.compile(r"The calf's inbreeding would be 25(\.00)? %: above 6\.25 %"))).to_be_visible()
