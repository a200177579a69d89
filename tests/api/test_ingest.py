"""Bulk milk ingest for parlour software: 5,000 milkings in iFarm's and ICAR's shapes, item by item."""

import datetime as dt
import json
from decimal import Decimal
from unittest import mock

import pytest
from django.db.models import Sum

from apps.herd.models import Animal
from apps.milk.models import FarmDaySummary, Lactation, MilkRecord
from apps.milk.services import ingest as milk_ingest
from tests.factories import TODAY, make_animal, make_farm
from tests.milk.conftest import make_cows

pytestmark = pytest.mark.usefixtures("owner_scope")
DAYS = [TODAY - dt.timedelta(days=n) for n in range(5)]


def herd_of(owner, farm, count: int) -> list[Animal]:
    """Cows in milk, made in bulk (the register's rules are tested elsewhere)."""
    animals = Animal.objects.bulk_create([
        Animal(tenant_id=owner.tenant_id, farm=farm, species="cattle", sex="female", tag=f"B{n:04d}", eid=f"982000{n:09d}",
               date_of_birth=dt.date(2019, 1, 1)) for n in range(count)])
    Lactation.objects.bulk_create([Lactation(tenant_id=owner.tenant_id, animal=a, number=1, calving_date=TODAY - dt.timedelta(days=60))
                                   for a in animals])
    return animals


def summaries_match(tenant_id) -> None:
    """Every farm-day and animal-day summary equals its records (grouped queries: fast on thousands)."""
    from django.db.models import Count

    from apps.milk.models import AnimalDaySummary

    farm_days = {(r["farm_id"], r["date"]): (r["t"], r["n"]) for r in MilkRecord.objects.filter(tenant_id=tenant_id)
                 .values("farm_id", "date").annotate(t=Sum("quantity"), n=Count("id"))}
    assert {(s.farm_id, s.date): (s.total, s.records) for s in FarmDaySummary.objects.filter(tenant_id=tenant_id)} == farm_days
    animal_days = {(r["animal_id"], r["date"]): (r["t"], r["n"]) for r in MilkRecord.objects.filter(tenant_id=tenant_id)
                   .values("animal_id", "date").annotate(t=Sum("quantity"), n=Count("id"))}
    assert {(s.animal_id, s.date): (s.total, s.records) for s in AnimalDaySummary.objects.filter(tenant_id=tenant_id)} == animal_days


def test_five_thousand_milkings_in_one_call_refresh_each_farm_day_once(api, owner):
    farm = make_farm(owner, name="Robot Farm", milking_sessions_per_day=2)
    cows = herd_of(owner, farm, 500)
    items = [{"tag": cow.tag, "date": day.isoformat(), "session": session, "quantity": str(Decimal("10.5") + n % 7)}
             for day in DAYS for n, cow in enumerate(cows) for session in ("morning", "evening")]
    assert len(items) == 5000
    with mock.patch.object(milk_ingest, "summaries_refresh_day", wraps=milk_ingest.summaries_refresh_day) as refresh:
        response = api.post("/milk/ingest", {"format": "ifarm", "items": items})
    assert response.status_code == 200, response.content[:500]
    body = response.json()
    assert (body["created"], body["updated"], body["refused"]) == (5000, 0, 0)
    assert refresh.call_count == len(DAYS)  # once per farm-day, not once per row
    assert MilkRecord.objects.count() == 5000
    summaries_match(owner.tenant_id)
    # Sent again with one change: every item is an update.
    items[0]["quantity"] = "30"
    again = api.post("/milk/ingest", {"format": "ifarm", "items": items}).json()
    assert (again["created"], again["updated"]) == (0, 5000)
    summaries_match(owner.tenant_id)


def test_icar_milking_visits_map_onto_sessions_by_the_farms_clock(api, owner):
    farm = make_farm(owner, name="ICAR Farm", milking_sessions_per_day=2)  # Nairobi, UTC+3
    cows = herd_of(owner, farm, 2)
    day = TODAY - dt.timedelta(days=1)
    visits = [
        {"resourceType": "icarMilkingVisitEventResource", "animal": {"scheme": "eu.eid", "id": cows[0].eid}, "milkingStartingDateTime": f"{day.isoformat()}T02:40:00Z",
         "milkingMilkWeight": {"unitCode": "KGM", "value": 12.36},
         "milkCharacteristics": [{"characteristic": "SCC", "value": "180"}, {"characteristic": "FAT", "value": "4.1"}]},
        {"resourceType": "icarMilkingVisitEventResource", "animal": {"scheme": "tag", "id": cows[1].tag}, "milkingStartingDateTime": f"{day.isoformat()}T14:10:00Z",
         "milkingMilkWeight": {"unitCode": "KGM", "value": 10.3}},
        {"resourceType": "icarMilkingVisitEventResource", "animal": {"scheme": "eu.eid", "id": "999"}, "milkingStartingDateTime": f"{day.isoformat()}T14:10:00Z",
         "milkingMilkWeight": {"unitCode": "KGM", "value": 10.3}},
        {"resourceType": "icarMilkingVisitEventResource", "animal": {"scheme": "eu.eid", "id": cows[1].eid}, "milkingStartingDateTime": f"{day.isoformat()}T14:10:00",
         "milkingMilkWeight": {"unitCode": "KGM", "value": 10.3}},
    ]
    body = api.post("/milk/ingest", {"format": "icar", "items": visits}).json()
    assert [r["result"] for r in body["results"]] == ["created", "created", "refused", "refused"]
    assert body["results"][2]["field"] == "animal.id" and "time zone" in body["results"][3]["reason"]
    morning = MilkRecord.objects.get(animal=cows[0])
    assert (morning.date, morning.session, morning.scc, morning.fat) == (day, "morning", 180_000, Decimal("4.10"))
    assert morning.quantity == Decimal("12.00")  # 12.36 kg at 1.03 kg a litre
    assert MilkRecord.objects.get(animal=cows[1]).session == "evening"  # 17:10 in Nairobi


def test_bad_items_are_refused_one_by_one_and_the_good_ones_saved(api, owner):
    farm = make_farm(owner, name="Mixed Farm", milking_sessions_per_day=1)
    cows = make_cows(owner, farm, 2)
    make_animal(owner, farm, tag="TWIN", eid="111")
    make_animal(owner, farm, tag="OTHER", eid="111")
    items = [
        {"tag": cows[0].tag, "date": TODAY.isoformat(), "session": "morning", "quantity": 11},
        {"tag": "NOBODY", "date": TODAY.isoformat(), "session": "morning", "quantity": 11},
        {"eid": "111", "date": TODAY.isoformat(), "session": "morning", "quantity": 11},
        {"tag": cows[1].tag, "date": (TODAY + dt.timedelta(days=3)).isoformat(), "session": "morning", "quantity": 11},
        {"tag": cows[1].tag, "date": TODAY.isoformat(), "session": "evening", "quantity": 11},
        {"tag": cows[1].tag, "date": TODAY.isoformat(), "session": "morning", "quantity": 120},
        {"tag": cows[1].tag, "date": "2026-02-30", "session": "morning", "quantity": 11},
        {"tag": cows[1].tag, "date": TODAY.isoformat(), "session": "morning", "quantity": "NaN"},
        {"tag": cows[1].tag, "date": TODAY.isoformat(), "session": "morning", "quantity": 9, "colour": "white"},
        "not an object",
    ]
    body = api.post("/milk/ingest", {"items": items}).json()
    results = body["results"]
    assert [r["result"] for r in results] == ["created"] + ["refused"] * 9
    assert [r["field"] for r in results[1:]] == ["tag", "eid", "date", "session", "quantity", "date", "quantity", "colour", ""]
    assert "matches 2" in results[2]["reason"]
    assert MilkRecord.objects.count() == 1
    assert FarmDaySummary.objects.get(farm=farm, date=TODAY).total == Decimal("11.00")


def test_too_many_items_or_too_large_a_body_are_refused_whole(api, owner, client):
    farm = make_farm(owner, name="Big Farm")
    items = [{"tag": "X", "date": TODAY.isoformat(), "session": "morning", "quantity": 1}] * 5001
    too_many = api.post("/milk/ingest", {"items": items})
    assert too_many.status_code == 422 and too_many.json()["errors"][0]["field"] == "payload.items"
    huge = client.post("/api/v1/milk/ingest", json.dumps({"items": [], "pad": "x" * (5 * 1024 * 1024)}), content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {api.secret}")
    assert huge.status_code == 413 and huge["Content-Type"] == "application/problem+json"
    assert not MilkRecord.objects.exists()
    assert farm.pk


def test_ingest_totals_match_the_sum_of_items(api, owner):
    farm = make_farm(owner, name="Sum Farm", milking_sessions_per_day=2)
    cows = herd_of(owner, farm, 20)
    items = [{"eid": cow.eid, "date": TODAY.isoformat(), "session": "morning", "quantity": "9.25"} for cow in cows]
    api.post("/milk/ingest", {"items": items})
    assert MilkRecord.objects.aggregate(s=Sum("quantity"))["s"] == Decimal("185.00")
    assert FarmDaySummary.objects.get(farm=farm).cows_milked == 20


def test_hostile_values_are_refused_item_by_item_and_the_good_ones_saved(api, owner):
    """What the review sent: years 9999 and 0001, 1e308 and 1E+999999, a NUL in a tag. Each is one item's
    refusal naming its field; the batch is not lost."""
    farm = make_farm(owner, name="Robust Farm", milking_sessions_per_day=2)
    cow = make_cows(owner, farm, 1)[0]
    good = {"tag": cow.tag, "date": TODAY.isoformat(), "session": "morning", "quantity": 11}
    items = [
        good,
        {"tag": cow.tag, "timestamp": "9999-12-31T23:30:00+00:00", "quantity": 5},
        {"tag": cow.tag, "timestamp": "0001-01-01T00:10:00+03:00", "quantity": 5},
        {"tag": cow.tag, "date": TODAY.isoformat(), "session": "evening", "quantity": 1e308},
        {"tag": cow.tag, "date": TODAY.isoformat(), "session": "evening", "quantity": "1E+999999"},
        {"tag": cow.tag, "date": TODAY.isoformat(), "session": "evening", "quantity": 5, "scc": "1E+999999"},
        {"tag": cow.tag + "\x00", "date": TODAY.isoformat(), "session": "evening", "quantity": 5},
        {"tag\x00": "x", "quantity": 5},
    ]
    response = api.post("/milk/ingest", {"items": items})
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["result"] for r in results] == ["created"] + ["refused"] * 7
    assert [r["field"] for r in results[1:]] == ["timestamp", "timestamp", "quantity", "quantity", "scc", "tag", "tag"]
    icar = api.post("/milk/ingest", {"format": "icar", "items": [
        {"resourceType": "icarMilkingVisitEventResource", "animal": {"id": cow.tag}, "milkingStartingDateTime": "9999-12-31T23:59:00+00:00",
         "milkingMilkWeight": {"unitCode": "KGM", "value": 1e308}},
        {"resourceType": "icarMilkingVisitEventResource", "animal": {"id": "A\x00"}, "milkingStartingDateTime": f"{TODAY.isoformat()}T17:10:00+03:00",
         "milkingMilkWeight": {"unitCode": "KGM", "value": 10}},
        {"resourceType": "icarMilkingVisitEventResource", "animal": {"id": cow.tag}, "milkingStartingDateTime": f"{TODAY.isoformat()}T17:10:00+03:00",
         "milkingMilkWeight": {"unitCode": "KGM", "value": 10}, "milkCharacteristics": [{"characteristic": "SCC", "value": "1E+999999"}]},
    ]})
    assert icar.status_code == 200, icar.content
    assert [r["field"] for r in icar.json()["results"]] == ["milkingMilkWeight.value", "animal.id",
                                                                 "milkCharacteristics.SCC.value"]
    assert MilkRecord.objects.count() == 1


@pytest.mark.parametrize("path", ["/animals/by-tag/%00", "/animals?search=%00", "/animals?tag%00=1"])
def test_a_nul_character_in_a_path_or_query_is_a_problem_document(api, path, client):
    response = client.get(f"/api/v1{path}", HTTP_AUTHORIZATION=f"Bearer {api.secret}")
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"


def test_a_nul_character_in_a_json_body_is_refused_naming_its_field(api, owner, client):
    farm = make_farm(owner, name="Nul Farm")
    response = api.post("/animals", {"tag": "COW\x00-1", "farm_id": farm.pk, "sex": "female"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "tag"
    assert not Animal.objects.filter(farm=farm).exists()
