"""An owner makes an API key in the browser, a program uses it, and the page shows it was used."""

import json
import re
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from apps.herd.models import Animal
from tests.browser.pages import log_in
from tests.factories import make_farm

pytestmark = pytest.mark.usefixtures("owner_scope")


@pytest.mark.django_db(transaction=True)
def test_owner_makes_a_key_and_a_program_uses_it(live_server, page: Page, owner):
    farm = make_farm(owner, name="Key Farm")
    base = live_server.url
    log_in(page, base, owner.user.email)
    page.goto(f"{base}/integrations/")
    form = page.locator("#key-form")
    form.get_by_label(re.compile(r"^Name")).fill("Parlour software")
    form.get_by_label(re.compile(r"^Role")).select_option(label="Manager")
    form.get_by_role("button", name="Make the key").click()
    expect(page.get_by_text("Copy the secret now")).to_be_visible()
    secret = page.locator("#new-secret").inner_text().strip()
    assert re.fullmatch(r"ifk_\d+_[0-9a-f]{8}_\S+", secret)

    request = urllib.request.Request(f"{base}/api/v1/animals", method="POST", headers={
        "Authorization": f"Bearer {secret}", "Content-Type": "application/json", "Idempotency-Key": "first-cow"},
        data=json.dumps({"tag": "API-COW", "farm_id": farm.pk, "sex": "female"}).encode())
    with urllib.request.urlopen(request) as response:
        assert response.status == 201 and json.loads(response.read())["tag"] == "API-COW"
    assert Animal.objects.filter(tag="API-COW").exists()

    page.reload()
    expect(page.get_by_text(re.compile(r"last used .* from 127\.0\.0\.1"))).to_be_visible()
    page.get_by_role("button", name="Revoke Parlour software").click()
    expect(page.get_by_text("Key Parlour software revoked")).to_be_visible()
    refused = urllib.request.Request(f"{base}/api/v1/animals", headers={"Authorization": f"Bearer {secret}"})
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(refused)
    assert error.value.code == 401

    page.goto(f"{base}/api/v1/docs")
    expect(page.locator(".swagger-ui")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_a_robots_visits_sent_through_icar_show_on_the_entry_page_and_the_cows_page(live_server, page: Page, owner):
    import datetime as dt

    from tests.api.conftest import make_key
    from tests.milk.conftest import make_cows

    farm = make_farm(owner, name="Robot Farm", milking_sessions_per_day=2, robot_milking=True,
                     morning_starts=dt.time(5, 0), evening_starts=dt.time(17, 0))
    cow = make_cows(owner, farm, 1, prefix="BOT")[0]
    _, secret = make_key(owner, name="Robot software")
    day = farm.local_today() - dt.timedelta(days=1)
    visits = [{"resourceType": "icarMilkingVisitEventResource", "animal": {"id": cow.tag, "scheme": "ifarm.tag"},
               "milkingStartingDateTime": dt.datetime.combine(day, dt.time(hour), tzinfo=farm.zone).isoformat(),
               "milkingMilkWeight": {"unitCode": "KGM", "value": kilos}} for hour, kilos in ((6, 11), (13, 9))]
    request = urllib.request.Request(f"{live_server.url}/api/v1/icar/events", method="POST", data=json.dumps(visits).encode(),
                                     headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        assert json.loads(response.read())["created"] == 2

    log_in(page, live_server.url, owner.user.email)
    page.goto(f"{live_server.url}/milk/entry/?farm={farm.pk}&date={day.isoformat()}&session=morning")
    row = page.locator(f"#cow-{cow.pk}")
    expect(row.get_by_test_id("visits")).to_have_text("2 visits")
    expect(page.locator(f"#qty-{cow.pk}")).to_have_value("19.42")  # 20 kg at 1.03 kg a litre
    expect(page.locator(f"#qty-{cow.pk}")).not_to_be_editable()
    page.goto(f"{live_server.url}/herd/{cow.pk}/")
    expect(page.get_by_test_id("visits").locator("tbody tr")).to_have_count(2)
