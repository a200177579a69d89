"""The milk charts drawn on the server: their shapes follow the figures, and a page draws them with no script."""

import datetime as dt

import pytest
from django.urls import reverse

from apps.milk import charts
from tests.milk.conftest import TODAY, make_cows

pytestmark = pytest.mark.usefixtures("owner_scope")


def test_the_bars_stack_each_days_sessions_to_its_total():
    series = {"labels": ["2026-11-01", "2026-11-02"], "morning": [10.0, 0.0], "midday": [0.0, 0.0], "evening": [6.0, 8.0]}
    chart = charts.sessions_chart(series, width=200, height=100)
    first_day = [bar for bar in chart["bars"] if bar["title"].startswith("1 Nov")]
    assert [bar["session"] for bar in first_day] == ["morning", "evening"]
    # 16 L on a scale topped at 20 L, 70 px tall (100 less 8 above and 22 below): 56 px of bars, touching each other.
    assert sum(float(bar["h"]) for bar in first_day) == pytest.approx(56.0, abs=0.2)
    assert float(first_day[1]["y"]) + float(first_day[1]["h"]) == pytest.approx(float(first_day[0]["y"]), abs=0.2)
    assert [s for s, _ in chart["sessions"]] == ["morning", "evening"]  # no midday milked: no midday in the legend
    assert charts.sessions_chart({**series, "morning": [0, 0], "evening": [0, 0]}) is None


def test_the_curve_runs_from_calving_to_the_last_day_with_its_peak():
    chart = charts.curve_chart([[5, 20.0], [40, 31.5], [100, 25.0]], width=300, height=150)
    first, peak, last = chart["polyline"].split()
    assert float(first.split(",")[0]) == pytest.approx(30 + 5 / 100 * 264, abs=0.1)
    assert float(last.split(",")[0]) == pytest.approx(294, abs=0.1)
    assert chart["peak"]["dim"] == 40 and chart["peak"]["value"] == "31.5"
    assert charts.curve_chart([[5, 20.0]]) is None


def test_the_dashboard_and_the_animal_page_draw_their_charts_without_a_script(as_member, owner, farm):
    from decimal import Decimal

    from apps.milk.services import milking_record_save

    cow = make_cows(owner, farm, 1)[0]
    for n in range(3):
        milking_record_save(membership=owner, farm=farm, animal=cow, date=TODAY - dt.timedelta(days=n), session="morning",
                            quantity=Decimal("12.5"))
    client = as_member(owner)
    card = client.get(reverse("milk:dashboard_card", args=["chart"])).content.decode()
    assert '<svg class="milk-chart' in card and "<rect " in card and "<canvas" not in card
    page = client.get(reverse("milk:animal", args=[cow.pk])).content.decode()
    assert '<svg class="milk-chart' in page and "<polyline" in page
