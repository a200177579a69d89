import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.milk.models import FarmDaySummary, MilkRecord, QualityAlert
from tests.factories import make_farm, make_member
from tests.milk.conftest import TODAY, make_cows

pytestmark = pytest.mark.usefixtures("owner_scope")

HTMX = {"HTTP_HX_REQUEST": "true"}


def row_post(client, farm, cow, quantity="12.5", session="morning", day=None, **extra):
    data = {"farm": farm.pk, "date": (day or TODAY).isoformat(), "session": session, "animal": cow.pk, "quantity": quantity}
    if extra:
        data["quality"] = "1"  # the quality fields were opened and sent
    data.update(extra)
    return client.post(reverse("milk:row_save"), data, **HTMX)


def entry_url(farm, session="morning", day=None):
    return f"{reverse('milk:entry')}?farm={farm.pk}&date={(day or TODAY).isoformat()}&session={session}"


def test_entry_lists_cows_in_milk_with_yesterdays_figure(as_member, owner, dairy):
    cows = make_cows(owner, dairy, 3)
    client = as_member(owner)
    row_post(client, dairy, cows[0], "9.5", day=TODAY - dt.timedelta(days=1))
    content = client.get(entry_url(dairy)).content.decode()
    assert all(c.tag in content for c in cows)
    assert "yesterday 9.5" in content


def test_the_rows_escape_what_people_typed_and_keep_their_own_token(as_member, owner, dairy):
    """The rows are written in Python (apps/milk/rows.py): a name or a refused value is escaped like the template
    escaped it, and each row posts with the page's CSRF token."""
    (cow,) = make_cows(owner, dairy, 1)
    cow.name = '<b onmouseover="x">Bella</b>'
    cow.save()
    client = as_member(owner)
    page = client.get(entry_url(dairy)).content.decode()
    assert "&lt;b onmouseover=&quot;x&quot;&gt;Bella&lt;/b&gt;" in page and "<b onmouseover" not in page
    assert re.search(r'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{32,}"', page)
    refused = row_post(client, dairy, cow, '"><script>', notes="<i>")
    content = refused.content.decode()
    assert refused.status_code == 422 and 'value="&quot;&gt;&lt;script&gt;"' in content and "<script>" not in content


def test_row_save_returns_the_row_and_out_of_band_totals(as_member, owner, dairy, cow):
    response = row_post(as_member(owner), dairy, cow, "12.5")
    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith(f'<form id="cow-{cow.pk}"')
    assert 'id="session-totals"' in content and 'hx-swap-oob="true"' in content
    assert "12.5 L" in content
    assert MilkRecord.objects.get(animal=cow).quantity == Decimal("12.50")


def test_bad_value_shows_message_keeps_value_and_saves_nothing(as_member, owner, dairy, cow):
    response = row_post(as_member(owner), dairy, cow, "95")
    content = response.content.decode()
    assert response.status_code == 422
    assert "Enter a value between 0 and 80" in content
    assert 'value="95"' in content
    assert not MilkRecord.objects.exists()


def test_unparseable_value_shows_message(as_member, owner, dairy, cow):
    response = row_post(as_member(owner), dairy, cow, "12,5kg")
    assert response.status_code == 422 and "Enter a number" in response.content.decode()


def test_clearing_a_value_deletes_the_record(as_member, owner, dairy, cow):
    client = as_member(owner)
    row_post(client, dairy, cow, "12")
    response = row_post(client, dairy, cow, "")
    assert response.status_code == 200
    assert not MilkRecord.objects.exists()
    assert FarmDaySummary.objects.get(farm=dairy, date=TODAY).total == 0


def test_row_save_without_javascript_redirects_back(as_member, owner, dairy, cow):
    data = {"farm": dairy.pk, "date": TODAY.isoformat(), "session": "morning", "animal": cow.pk, "quantity": "11"}
    response = as_member(owner).post(reverse("milk:row_save"), data)
    assert response.status_code == 302 and "session=morning" in response["Location"]
    assert MilkRecord.objects.filter(animal=cow).exists()


def test_bulk_tank_reading_shows_the_difference(as_member, owner, dairy, cow):
    client = as_member(owner)
    row_post(client, dairy, cow, "20")
    response = client.post(reverse("milk:bulk_tank_save"), {"farm": dairy.pk, "date": TODAY.isoformat(), "session": "morning", "quantity": "19"}, **HTMX)
    content = response.content.decode()
    assert response.status_code == 200 and "+1.0" in content and "(+5.3%)" in content


def test_bulk_tank_bad_input_is_refused(as_member, owner, dairy):
    response = as_member(owner).post(
        reverse("milk:bulk_tank_save"), {"farm": dairy.pk, "date": TODAY.isoformat(), "session": "midday", "quantity": "-3"}, **HTMX
    )
    assert response.status_code == 422


# Permissions ---------------------------------------------------------------------------------------


def test_viewer_cannot_open_entry_or_save(as_member, owner, dairy, cow):
    client = as_member(make_member(owner, "viewer"))
    assert client.get(entry_url(dairy)).status_code == 403
    assert row_post(client, dairy, cow).status_code == 403
    assert client.get(reverse("milk:dashboard")).status_code == 200
    assert not MilkRecord.objects.exists()


def test_milker_records_on_farms_in_scope_only(as_member, owner, dairy, cow):
    far = make_farm(owner, name="Far", milking_sessions_per_day=2)
    far_cow = make_cows(owner, far, 1, prefix="F")[0]
    client = as_member(make_member(owner, "milker", farms=[dairy]))
    assert row_post(client, dairy, cow).status_code == 200
    assert row_post(client, far, far_cow).status_code == 404
    assert MilkRecord.objects.filter(animal=far_cow).count() == 0
    page = client.get(entry_url(dairy)).content.decode()
    assert ">Far<" not in page


def test_outsider_gets_404(as_member, dairy, cow, outsider):
    client = as_member(outsider)
    assert row_post(client, dairy, cow).status_code == 404
    assert client.get(reverse("milk:animal", args=[cow.pk])).status_code == 404
    assert not MilkRecord.objects.exists()


# Query counts --------------------------------------------------------------------------------------


def queries_for(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_entry_page_query_count_is_constant_in_the_number_of_cows(as_member, owner, dairy):
    client = as_member(owner)
    cows = make_cows(owner, dairy, 2)
    for cow in cows:
        row_post(client, dairy, cow, "10", day=TODAY - dt.timedelta(days=1))
    few = queries_for(client, entry_url(dairy))
    cows += make_cows(owner, dairy, 20, prefix="M")
    for cow in cows[2:]:
        row_post(client, dairy, cow, "10", day=TODAY - dt.timedelta(days=1))
    assert queries_for(client, entry_url(dairy)) == few


def test_the_entry_page_reads_its_cows_once(as_member, owner, dairy):
    """Drawn cold, the page reads the cows in milk for its rows and takes the totals' "of N" from them, rather than
    counting them again; the count it shows is the rows'."""
    from django.core.cache import cache

    client = as_member(owner)
    make_cows(owner, dairy, 3)
    client.get(entry_url(dairy))
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        page = client.get(entry_url(dairy)).content.decode()
    counted = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"] and "herd_animal" in q["sql"]]
    assert counted == []
    assert re.search(r'data-testid="cows-recorded">\s*0 of 3', page)


def test_dashboard_query_count_is_constant_and_cached(as_member, owner, dairy):
    client = as_member(owner)
    cows = make_cows(owner, dairy, 2)
    for cow in cows:
        row_post(client, dairy, cow, "10")
    from django.core.cache import cache

    counts = {}
    for card in ("production", "chart", "producers", "alerts", "scc"):
        url = reverse("milk:dashboard_card", args=[card])
        cache.clear()  # the same cold start as below (sessions live in the cache too)
        with CaptureQueriesContext(connection) as first:
            assert client.get(url).status_code == 200
        counts[card] = len(first)
    more = make_cows(owner, dairy, 15, prefix="M")
    for cow in more:
        row_post(client, dairy, cow, "10")
    for card, expected in counts.items():
        cache.clear()
        url = reverse("milk:dashboard_card", args=[card])
        with CaptureQueriesContext(connection) as again:
            client.get(url)
        assert len(again) == expected, card
        with CaptureQueriesContext(connection) as cached:
            client.get(url)
        assert len(cached) < expected, f"{card} was not served from the cache"


def test_dashboard_cache_is_invalidated_by_a_save(as_member, owner, dairy, cow, django_capture_on_commit_callbacks):
    client = as_member(owner)
    url = reverse("milk:dashboard_card", args=["production"])
    assert "No milk recorded" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        row_post(client, dairy, cow, "17")
    assert "17.0" in client.get(url).content.decode()


def test_dashboard_figures_add_up_across_farms(as_member, owner, dairy):
    """The production card's herd row is its farms' rows added up; the producers card ranks the week's cows."""
    from apps.milk import selectors

    hill = make_farm(owner, name="Hill Farm", milking_sessions_per_day=2)
    client = as_member(owner)
    a, b = make_cows(owner, dairy, 2)
    (c,) = make_cows(owner, hill, 1, prefix="H")
    row_post(client, dairy, a, "10")
    row_post(client, dairy, b, "4.5")
    row_post(client, dairy, b, "6", day=TODAY - dt.timedelta(days=1))
    row_post(client, hill, c, "20", day=TODAY - dt.timedelta(days=8))
    production = selectors.production(owner, TODAY)
    producers = selectors.producers(owner, TODAY, limit=2)
    farms = {row["name"]: row for row in production["farms"]}
    assert farms["Dairy Farm"]["today"] == Decimal("14.5") and farms["Dairy Farm"]["week"] == Decimal("20.5")
    assert farms["Hill Farm"]["today"] == 0 and farms["Hill Farm"]["week"] == 0 and farms["Hill Farm"]["month"] == Decimal("20")
    overall = production["overall"]
    assert (overall["today"], overall["week"], overall["month"]) == (Decimal("14.5"), Decimal("20.5"), Decimal("40.5"))
    # The week before holds Hill Farm's 20 litres; yesterday Dairy Farm's 6.
    assert (overall["week_change"], overall["today_change"], farms["Hill Farm"]["week_change"]) == (
        Decimal("2.5"), Decimal("141.7"), Decimal("-100.0"))
    assert [row["animal__tag"] for row in producers["top"]] == [b.tag, a.tag]
    assert [row["animal__tag"] for row in producers["bottom"]] == [a.tag, b.tag]


# Other pages ---------------------------------------------------------------------------------------


def test_records_list_filters_and_exports(as_member, owner, dairy):
    a, b = make_cows(owner, dairy, 2)
    client = as_member(owner)
    row_post(client, dairy, a, "10")
    row_post(client, dairy, b, "11", session="evening")
    content = client.get(reverse("milk:records"), {"session": "evening"}).content.decode()
    assert b.tag in content and f">{a.tag}<" not in content
    export = client.get(reverse("milk:records"), {"_export": "csv", "animal": a.tag}).content.decode()
    assert a.tag in export and b.tag not in export
    assert client.get(reverse("milk:records"), {"_export": "xlsx"}).content[:2] == b"PK"
    bad = client.get(reverse("milk:records"), {"since": "2026-05-01", "until": "2026-04-01"})
    assert bad.status_code == 400 and "start date is after" in bad.content.decode()


def test_animal_milk_section_shows_lactation_and_alerts(as_member, owner, dairy, cow):
    client = as_member(owner)
    row_post(client, dairy, cow, "10", scc="500000")
    content = client.get(reverse("milk:animal", args=[cow.pk])).content.decode()
    assert "In milk" in content and "500,000" in content and "Lactation 1" in content


def test_start_lactation_from_the_animal_page_and_bad_date(as_member, owner, dairy):
    from tests.factories import make_animal

    heifer = make_animal(owner, dairy, tag="H-1", date_of_birth=dt.date(2022, 1, 1))
    client = as_member(owner)
    bad = client.post(reverse("milk:lactation_start", args=[heifer.pk]), {"calving_date": (TODAY + dt.timedelta(days=1)).isoformat()}, **HTMX)
    assert bad.status_code == 422 and "future" in bad.content.decode()
    ok = client.post(reverse("milk:lactation_start", args=[heifer.pk]), {"calving_date": TODAY.isoformat()}, **HTMX)
    assert ok.status_code == 200 and "In milk" in ok.content.decode()


def test_alert_can_be_marked_dealt_with(as_member, owner, dairy, cow):
    client = as_member(owner)
    row_post(client, dairy, cow, "10", appearance="bloody")
    alert = QualityAlert.objects.get(animal=cow)
    assert client.post(reverse("milk:alert_resolve", args=[alert.pk]), **HTMX).status_code == 200
    alert.refresh_from_db()
    assert alert.resolved_at is not None


def test_dealing_with_an_alert_refreshes_the_cached_dashboard(as_member, owner, dairy, cow, django_capture_on_commit_callbacks):
    client = as_member(owner)
    with django_capture_on_commit_callbacks(execute=True):
        row_post(client, dairy, cow, "10", appearance="bloody")
    url = reverse("milk:dashboard_card", args=["alerts"])
    alert = QualityAlert.objects.get(animal=cow)
    assert alert.message in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("milk:alert_resolve", args=[alert.pk]), **HTMX)
    assert alert.message not in client.get(url).content.decode()


def test_a_kept_card_carries_each_sessions_own_token_and_the_readers_rights(owner, dairy, cow, django_capture_on_commit_callbacks):
    """Cards are kept drawn: the alerts card's "Dealt with" button posts with the CSRF token of the session that
    reads it (checks on, as in a browser), and a viewer of the same organisation gets no button."""
    from django.test import Client

    from apps.milk import services
    from tests.conftest import login
    from tests.formdata import form_data

    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    login(first, owner)
    login(second, owner)
    with django_capture_on_commit_callbacks(execute=True):
        services.milking_record_save(membership=owner, farm=dairy, animal=cow, date=TODAY, session="morning",
                                     quantity=Decimal("10"), appearance="bloody")
    url = reverse("milk:dashboard_card", args=["alerts"])
    alert = QualityAlert.objects.get(animal=cow)
    action = reverse("milk:alert_resolve", args=[alert.pk])
    assert alert.message in first.get(url).content.decode()
    viewer = Client()
    login(viewer, make_member(owner, "viewer"))
    page = viewer.get(url).content.decode()
    assert alert.message in page and action not in page
    card = second.get(url).content.decode()
    assert second.post(action, form_data(card, action=action), **HTMX).status_code == 200
    alert.refresh_from_db()
    assert alert.resolved_at is not None


@pytest.mark.parametrize("name", ["entry", "dashboard", "records"])
def test_pages_need_login(client, name):
    response = client.get(reverse(f"milk:{name}"))
    assert response.status_code == 302


def test_quality_fields_load_on_demand_and_a_quantity_edit_keeps_them(as_member, owner, dairy, cow):
    client = as_member(owner)
    row_post(client, dairy, cow, "10", scc="250000", fat="4.1")
    fields = client.get(reverse("milk:row_quality"), {"farm": dairy.pk, "date": TODAY.isoformat(), "session": "morning", "animal": cow.pk})
    assert 'value="250000"' in fields.content.decode() and 'name="quality"' in fields.content.decode()
    row_post(client, dairy, cow, "11")  # quality not opened: only the quantity is sent
    record = MilkRecord.objects.get(animal=cow)
    assert record.quantity == Decimal("11") and record.scc == 250000 and record.fat == Decimal("4.10")


def test_the_milker_can_be_another_member_who_milks_on_the_farm(as_member, owner, dairy, cow):
    milker = make_member(owner, "milker", farms=[dairy])
    viewer = make_member(owner, "viewer")
    client = as_member(owner)
    assert "Milked by" in client.get(entry_url(dairy)).content.decode()
    row_post(client, dairy, cow, "10", milker=str(milker.pk))
    assert MilkRecord.objects.get(animal=cow).milker == milker
    response = row_post(client, dairy, cow, "11", milker=str(viewer.pk))
    assert response.status_code == 422 and "milks on this farm" in response.content.decode()
    assert MilkRecord.objects.get(animal=cow).quantity == Decimal("10")


def test_the_milker_picker_lists_those_who_milk_on_the_farm_in_a_constant_number_of_queries(as_member, owner, dairy):
    """Members limited to other farms are left out; their farms are read in one query however many they are."""
    from apps.accounts.models import User

    hill = make_farm(owner, name="Hill Farm")
    here = make_member(owner, "milker", farms=[dairy])
    there = make_member(owner, "milker", farms=[hill])
    client = as_member(owner)

    def picker():
        page = client.get(entry_url(dairy)).content.decode()
        return page[page.index('id="milker-pick"'):page.index("</select>", page.index('id="milker-pick"'))]

    names = picker()
    assert User.objects.get(pk=here.user_id).display_name in names
    assert User.objects.get(pk=there.user_id).display_name not in names
    few = queries_for(client, entry_url(dairy))
    for _ in range(4):
        make_member(owner, "milker", farms=[hill, dairy])
    assert queries_for(client, entry_url(dairy)) == few
    assert picker().count("<option") == 2 + 4


def test_cows_already_in_milk_are_started_together_from_the_herd_list(as_member, owner, dairy):
    from apps.milk.models import Lactation
    from tests.factories import make_animal
    from tests.formdata import form_data

    cows = [make_animal(owner, dairy, tag=f"MID-{n}", date_of_birth=dt.date(2020, 1, 1)) for n in range(3)]
    bull = make_animal(owner, dairy, tag="MID-BULL", sex="male", date_of_birth=dt.date(2020, 1, 1))
    client = as_member(owner)
    page = client.get(reverse("herd:list")).content.decode()
    data = form_data(page, "herd-selection")
    data["calving_date"] = (TODAY - dt.timedelta(days=90)).isoformat()
    response = client.post(reverse("milk:lactations_start_many"), {**data, "animal": [c.pk for c in cows] + [bull.pk]}, follow=True)
    text = response.content.decode()
    assert "3 cows in milk" in text and "MID-BULL: MID-BULL is male." in text
    assert Lactation.objects.filter(animal__in=cows).count() == 3 and not Lactation.objects.filter(animal=bull).exists()
    entry = client.get(reverse("milk:entry"), {"farm": dairy.pk, "date": TODAY.isoformat(), "session": "morning"}).content.decode()
    assert all(c.tag in entry for c in cows)


def test_bulk_start_ignores_animals_outside_the_member_farms(as_member, owner, dairy, other_farm):
    from apps.milk.models import Lactation
    from tests.factories import make_animal, make_member

    far = make_animal(owner, other_farm, tag="FAR-COW", date_of_birth=dt.date(2020, 1, 1))
    worker = make_member(owner, "worker", farms=[dairy])
    response = as_member(worker).post(reverse("milk:lactations_start_many"),
                                      {"animal": [far.pk, "abc"], "calving_date": TODAY.isoformat()})
    assert response.status_code == 302 and not Lactation.objects.filter(animal=far).exists()


def test_bulk_start_without_a_date_or_cows_changes_nothing(as_member, owner, dairy, cow):
    from apps.milk.models import Lactation

    before = Lactation.objects.count()
    client = as_member(owner)
    client.post(reverse("milk:lactations_start_many"), {"animal": [cow.pk], "calving_date": ""})
    client.post(reverse("milk:lactations_start_many"), {"calving_date": TODAY.isoformat()})
    assert Lactation.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_a_row_save_takes_at_most_twelve_queries(postgres, as_member, owner, dairy):
    """What a browser sends (the milker select included), counted as production runs it (no test savepoints)."""
    cows = make_cows(owner, dairy, 3)
    client = as_member(owner)
    from django.core.cache import cache

    from apps.core.events import webhooks_flag

    cache.set(webhooks_flag(owner.tenant_id), False)  # an organisation without webhooks, as most are
    row_post(client, dairy, cows[0], "10", milker=owner.pk)  # warm the session and the session context
    for cow, quantity in ((cows[1], "11"), (cows[1], "12.5")):  # a new record, then a change to it
        with CaptureQueriesContext(connection) as queries:
            response = row_post(client, dairy, cow, quantity, milker=owner.pk)
        assert response.status_code == 200 and "session-totals" in response.content.decode()
        assert len(queries) <= 12, "\n".join(q["sql"][:120] for q in queries.captured_queries)
    from apps.milk.models import AnimalDaySummary, FarmDaySummary

    day = FarmDaySummary.objects.get(farm=dairy)
    assert day.total == Decimal("22.50") and day.records == 2 and day.cows_milked == 2
    assert AnimalDaySummary.objects.get(animal=cows[1]).total == Decimal("12.50")


def test_a_lactation_without_milk_says_so_rather_than_a_yield_of_nought(as_member, owner, farm):
    """A past lactation with no records (started before the farm used iFarm) has no 305-day yield to show."""
    from tests.milk.conftest import make_cows

    cow = make_cows(owner, farm, 1, prefix="DRY")[0]
    page = as_member(owner).get(reverse("milk:animal", args=[cow.pk])).content.decode()
    assert 'data-testid="no-milk"' in page and 'data-testid="yield-305"' not in page
