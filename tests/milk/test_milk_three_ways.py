"""Milk counted three ways: produced (all milked), discarded (withheld or spoilt), saleable (produced less
discarded). The entry page, the tank comparison, the dashboard, the API and the events keep them apart."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.milk.services import bulk_tank_save
from tests.api.conftest import Api, owner_key  # noqa: F401 (a fixture)
from tests.milk.conftest import TODAY, make_cows
from tests.milk.test_milk_views import entry_url, row_post

pytestmark = pytest.mark.usefixtures("owner_scope")


@pytest.fixture
def evening(as_member, owner, dairy):
    """Two cows milked in the evening: 12.0 L saleable, and 9.5 L discarded (colostrum)."""
    kept, colostrum = make_cows(owner, dairy, 2)
    client = as_member(owner)
    assert row_post(client, dairy, kept, "12.0", session="evening").status_code == 200
    assert row_post(client, dairy, colostrum, "9.5", session="evening", discarded="on",
                    discard_reason="colostrum").status_code == 200
    return client


def test_the_entry_page_shows_the_saleable_total_and_the_discarded_apart(evening, owner, dairy):
    page = evening.get(entry_url(dairy, session="evening")).content.decode()
    total = page.split('data-testid="session-total">')[1].split("</div>")[0]
    assert total.strip().startswith("12.0")
    assert "9.5 L discarded of 21.5 L produced" in page


def test_the_tank_is_compared_with_the_saleable_milk(evening, owner, dairy):
    bulk_tank_save(membership=owner, farm=dairy, date=TODAY, session="evening", quantity=Decimal("12.0"))
    page = evening.get(entry_url(dairy, session="evening")).content.decode()
    tank = page.split("Bulk tank")[1]
    assert "0.0" in tank.split("</span>")[0] and "text-bg-light" in tank.split("</span>")[0]  # agrees: no warning


def test_the_dashboard_says_saleable_and_defines_it(evening, owner, dairy):
    card = evening.get(reverse("milk:dashboard_card", args=["production"])).content.decode()
    assert "Saleable milk" in card and "Saleable: milk produced less milk discarded" in card
    today = card.split("<tbody>")[1].split("</td>")[1]
    assert "12.0" in today and "21.5" not in today


def test_the_api_summary_gives_produced_discarded_and_saleable(client, owner, owner_key, evening, dairy):
    body = Api(client, owner_key[1]).get(f"/milk/summaries?farm={dairy.pk}").json()
    (day,) = body["items"]
    assert (day["total"], day["discarded"], day["saleable"]) == ("21.50", "9.50", "12.00")
    assert (day["evening"], day["evening_discarded"]) == ("21.50", "9.50")


def test_the_session_completed_event_names_each_figure(owner, dairy):
    from apps.milk.models import FarmDaySummary
    from apps.milk.services.records import session_completed_data

    summary = FarmDaySummary(tenant_id=owner.tenant_id, farm=dairy, date=TODAY - dt.timedelta(days=1),
                             evening=Decimal("21.5"), evening_discarded=Decimal("9.5"), total=Decimal("30"),
                             discarded=Decimal("9.5"), evening_count=2)
    data = session_completed_data(summary, "evening")
    assert (data["total"], data["discarded"], data["saleable"]) == (Decimal("21.5"), Decimal("9.5"), Decimal("12.0"))
    assert (data["day_total"], data["day_saleable"]) == (Decimal("30"), Decimal("20.5"))
