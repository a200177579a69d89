"""ICAR ADE in and out, checked with ICAR's own JSON Schemas (adewg/ICAR, vendored in tests/icar/schemas
with its licence): what is sent is valid ICAR before it is sent, and what iFarm serves back validates.

Units are ICAR's milk characteristics table (types/icarMilkCharacteristicsType.json): SCC in x1000
cells/mL (NCL), fat, protein and lactose in % (VP), urea in mg/L (M1); weights in KGM.
"""

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import jsonschema_rs
import pytest
from django_scopes import scope

from apps.milk.models import FarmDaySummary, Lactation, MilkingVisit, MilkRecord, MilkRecordingResult
from tests.api.conftest import Api, make_key
from tests.factories import TODAY, make_farm, make_tenant
from tests.milk.conftest import make_cows

pytestmark = pytest.mark.usefixtures("owner_scope")
SCHEMAS = Path(__file__).resolve().parent.parent / "icar" / "schemas"
VISIT = "icarMilkingVisitEventResource"
DAY = TODAY - dt.timedelta(days=1)


def _retrieve(uri: str):
    return json.loads(Path(uri.removeprefix("file://")).read_text())


def icar_valid(document, schema: str) -> list[str]:
    """ICAR's verdict on `document` against `schema` (a path under the schemas): the errors, none if valid."""
    path = SCHEMAS / schema
    validator = jsonschema_rs.validator_for(json.loads(path.read_text()), base_uri=path.as_uri(), retriever=_retrieve,
                                            validate_formats=True)
    return [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in validator.iter_errors(document)]


def visit(cow, local: str, kilos, day=DAY, **more) -> dict:
    """An ICAR milking visit of `cow` starting at `local` time in Nairobi (UTC+3), checked against ICAR's schema."""
    hour, minute = map(int, local.split(":"))
    start = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.timezone(dt.timedelta(hours=3))).astimezone(dt.UTC)
    item = {"resourceType": VISIT, "animal": {"id": cow.eid or cow.tag, "scheme": "std.iso.11785" if cow.eid else "ifarm.tag"},
            "milkingStartingDateTime": start.isoformat().replace("+00:00", "Z"),
            "milkingMilkWeight": {"unitCode": "KGM", "value": kilos}, **more}
    assert icar_valid(item, f"resources/{VISIT}.json") == []
    return item


@pytest.fixture
def robot_farm(owner):
    return make_farm(owner, name="Robot Farm", milking_sessions_per_day=2, robot_milking=True,
                     morning_starts=dt.time(5, 0), evening_starts=dt.time(17, 0))


@pytest.fixture
def cow(owner, robot_farm):
    cow = make_cows(owner, robot_farm, 1)[0]
    with scope(tenant=owner.tenant_id):
        cow.eid = "982000123456789"
        cow.save(update_fields=["eid"])
    return cow


def litres(kilos) -> Decimal:
    """ICAR weighs milk; iFarm keeps litres at 1.03 kg a litre, to the hundredth."""
    return (Decimal(str(kilos)) / Decimal("1.03")).quantize(Decimal("0.01"))


def test_a_robot_day_of_visits_adds_up_to_the_milk_milked(api, owner, robot_farm, cow):
    """Three visits sent one per call (11, 9 and 8 kg) and a 0 kg kick-off: none replaces another."""
    calls = [[visit(cow, "06:10", 11)], [visit(cow, "13:40", 9)], [visit(cow, "19:20", 8)],
             [visit(cow, "19:25", 0, milkingComplete=False, milkingRemarks=["MilkingIncomplete"])]]
    for items in calls:
        body = api.post("/icar/events", items).json()
        assert body["created"] == 1, body
    morning = MilkRecord.objects.get(animal=cow, date=DAY, session="morning")
    evening = MilkRecord.objects.get(animal=cow, date=DAY, session="evening")
    assert (morning.quantity, evening.quantity) == (litres(20), litres(8))  # 19.42 L and 7.77 L
    assert (morning.method, morning.visits.count(), evening.visits.count()) == ("robot", 2, 2)
    kick_off = MilkingVisit.objects.get(animal=cow, quantity=0)
    assert kick_off.complete is False and kick_off.remarks == ["MilkingIncomplete"]
    day = FarmDaySummary.objects.get(farm=robot_farm, date=DAY)
    assert day.total == litres(20) + litres(8)
    assert abs(day.total - Decimal(28) / Decimal("1.03")) <= Decimal("0.01")  # 27.18 L milked, to each session's hundredth


def test_visits_in_one_batch_are_all_kept_and_a_visit_sent_again_is_updated_not_added(api, owner, robot_farm, cow):
    first = api.post("/icar/events", {"member": [visit(cow, "06:10", 11), visit(cow, "09:30", 6)]}).json()
    assert [r["result"] for r in first["results"]] == ["created", "created"]
    assert first["results"][0]["id"] == first["results"][1]["id"]  # one session, two visits
    again = api.post("/icar/events", [visit(cow, "06:10", 11.5)]).json()
    assert again["results"][0]["result"] == "updated"
    record = MilkRecord.objects.get(animal=cow, date=DAY, session="morning")
    assert record.quantity == litres("17.5") and record.visits.count() == 2
    assert MilkingVisit.objects.filter(animal=cow).count() == 2


def test_a_session_total_cannot_replace_visits(api, owner, robot_farm, cow):
    api.post("/icar/events", [visit(cow, "06:10", 11)])
    total = api.post("/milk/ingest", {"items": [{"tag": cow.tag, "date": DAY.isoformat(), "session": "morning", "quantity": 3}]})
    result = total.json()["results"][0]
    assert result["result"] == "refused" and "sum of 1 visits" in result["reason"]
    assert MilkRecord.objects.get(animal=cow, date=DAY, session="morning").quantity == litres(11)


def test_components_are_weighted_by_each_visits_yield(api, owner, robot_farm, cow):
    """Two visits, 12 kg at 4.0 % fat and SCC 100 (x1000), 8 kg at 5.0 % and SCC 300: the pooled milk is
    (12 x 4.0 + 8 x 5.0) / 20 = 4.40 % fat and (12 x 100 + 8 x 300) / 20 = 180 x1000 cells/mL."""
    api.post("/icar/events", [
        visit(cow, "06:00", 12, milkCharacteristics=[{"characteristic": "FAT", "value": "4.0"}, {"characteristic": "SCC", "value": "100"}]),
        visit(cow, "10:00", 8, milkCharacteristics=[{"characteristic": "FAT", "value": "5.0"}, {"characteristic": "SCC", "value": "300"}]),
    ])
    record = MilkRecord.objects.get(animal=cow, date=DAY, session="morning")
    assert (record.fat, record.scc) == (Decimal("4.40"), 180_000)


def test_units_are_honoured_or_refused_with_the_units_taken(api, owner, robot_farm, cow):
    characteristics = [
        [{"characteristic": "SCC", "value": "250000", "unit": "cells/ml"}],  # stated per mL: kept as is
        [{"characteristic": "SCC", "value": "250"}],  # ICAR's default, thousands per mL
        [{"characteristic": "SCC", "value": "250", "unit": "NCL"}],
        [{"characteristic": "FAT", "value": "41", "unit": "g/kg"}, {"characteristic": "PROTEIN", "value": "3.3", "unit": "VP"}],
        [{"characteristic": "UREA", "value": "25", "unit": "mg/dl"}],  # 250 mg/L
        [{"characteristic": "SCC", "value": "250", "unit": "furlongs"}],
    ]
    items = [visit(cow, f"{6 + n}:00", 5, milkCharacteristics=c) for n, c in enumerate(characteristics)]
    results = api.post("/icar/events", items).json()["results"]
    assert [r["result"] for r in results] == ["created"] * 5 + ["refused"]
    assert results[5]["field"] == "milkCharacteristics.SCC.unit" and "cells/mL" in results[5]["reason"]
    kept = list(MilkingVisit.objects.filter(animal=cow).order_by("started_at"))
    assert [v.scc for v in kept[:3]] == [250_000, 250_000, 250_000]
    assert (kept[3].fat, kept[3].protein, kept[4].urea) == (Decimal("4.10"), Decimal("3.30"), Decimal("250.0"))


def test_what_is_kept_is_stored_and_the_rest_is_named_as_ignored(api, owner, robot_farm, cow):
    item = visit(cow, "06:00", 10.3, milkingDuration={"unitCode": "MIN", "value": 7}, milkingDeviceId="robot-2",
                 milkCharacteristics=[
                     {"characteristic": "LAC", "value": "4.8"}, {"characteristic": "UREA", "value": "230"},
                     {"characteristic": "AVGCOND", "value": "5.1"}, {"characteristic": "AVGFLWR", "value": "2.4"},
                     {"characteristic": "BLOOD", "value": "true"}, {"characteristic": "ACETONE", "value": "0.2"},
                     {"characteristic": "FAT", "value": ""}],
                 quarterMilkings=[{"icarQuarterId": "LR", "quarterMilkingWeight": {"unitCode": "KGM", "value": 2.06},
                                   "icarQuarterCharacteristics": [{"characteristic": "AVGCOND", "value": "6.2"}]}])
    result = api.post("/icar/events", [item]).json()["results"][0]
    assert result["result"] == "created"
    assert result["ignored"] == ["milkCharacteristics.ACETONE", "milkCharacteristics.FAT"]
    kept = MilkingVisit.objects.get(animal=cow)
    assert (kept.lactose, kept.urea, kept.conductivity, kept.flow, kept.blood, kept.duration_seconds, kept.device) == (
        Decimal("4.80"), Decimal("230.0"), Decimal("5.10"), Decimal("2.40"), True, 420, "robot-2")
    assert kept.quarters == [{"quarter": "LH", "conductivity": "6.20", "quantity": "2.0000"}]
    record = kept.record
    assert (record.quantity, record.lactose, record.appearance, record.duration_minutes) == (Decimal("10.00"), Decimal("4.80"), "bloody", 7)


def test_resource_types_are_read_and_a_dry_off_is_not_a_milking(api, owner, robot_farm, cow):
    dry_off = {"resourceType": "icarMilkingDryOffEventResource", "animal": {"id": cow.eid, "scheme": "std.iso.11785"},
               "eventDateTime": f"{DAY.isoformat()}T16:00:00Z", "milkingMilkWeight": {"unitCode": "KGM", "value": 6.8}}
    assert icar_valid(dry_off, "resources/icarMilkingDryOffEventResource.json") == []
    untyped = visit(cow, "06:00", 7)
    del untyped["resourceType"]
    other = {**visit(cow, "07:00", 7), "resourceType": "icarReproHeatEventResource"}
    results = api.post("/icar/events", [untyped, other, dry_off]).json()["results"]
    assert [(r["result"], r.get("field")) for r in results] == [("refused", "resourceType"), ("refused", "resourceType"), ("created", "")]
    assert not MilkRecord.objects.filter(animal=cow).exists()
    assert Lactation.objects.get(animal=cow).dried_off_on == DAY  # 16:00 UTC is 19:00 in Nairobi, the same day
    again = api.post("/icar/events", [dry_off]).json()["results"][0]
    assert again["result"] == "updated"


def test_identifiers_match_written_with_spaces_or_by_their_scheme(api, owner, robot_farm, cow):
    spaced = visit(cow, "06:00", 7)
    spaced["animal"] = {"id": "982 000 123 456 789", "scheme": "std.iso.11785"}
    by_tag = visit(cow, "07:00", 7)
    by_tag["animal"] = {"id": cow.tag.lower(), "scheme": "ifarm.tag"}
    results = api.post("/icar/events", [spaced, by_tag]).json()["results"]
    assert [r["result"] for r in results] == ["created", "created"]


def test_one_bad_number_refuses_its_item_only(api, owner, robot_farm, cow):
    items = [visit(cow, "06:00", 1e30), visit(cow, "07:00", 7, milkCharacteristics=[{"characteristic": "FAT", "value": "1e30"}]),
             visit(cow, "08:00", 7, milkCharacteristics=[{"characteristic": "FAT", "value": "4.0899999"}]), visit(cow, "09:00", 7)]
    response = api.post("/icar/events", items)
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["result"] for r in results] == ["refused", "refused", "created", "created"]
    assert [r["field"] for r in results[:2]] == ["milkingMilkWeight.value", "milkCharacteristics.FAT.value"]


def test_test_day_results_are_kept_and_served_back_in_icar_shape(api, owner, robot_farm, cow):
    result = {"resourceType": "icarTestDayResultEventResource", "id": "mro-77", "animal": {"id": cow.eid, "scheme": "std.iso.11785"},
              "eventDateTime": f"{DAY.isoformat()}T09:00:00Z", "milkWeight24Hours": {"unitCode": "KGM", "value": 30.9},
              "milkCharacteristics": [{"characteristic": "FAT", "value": "4.25"}, {"characteristic": "SCC", "value": "95"},
                                      {"characteristic": "UREA", "value": "210"}, {"characteristic": "BHB", "value": "0.1"}]}
    collection = {"view": {"totalItems": 1}, "member": [result]}
    assert icar_valid(collection, "collections/icarTestDayResultEventCollection.json") == []
    body = api.post("/icar/events", collection).json()
    assert body["results"][0]["result"] == "created" and body["results"][0]["ignored"] == ["milkCharacteristics.BHB"]
    kept = MilkRecordingResult.objects.get(animal=cow)
    assert (kept.date, kept.quantity, kept.fat, kept.scc, kept.urea) == (DAY, litres("30.9"), Decimal("4.25"), 95_000, Decimal("210.0"))
    served = api.get("/icar/test-day-results").json()
    assert icar_valid(served, "collections/icarTestDayResultEventCollection.json") == []
    member = served["member"][0]
    assert member["milkWeight24Hours"] == {"unitCode": "KGM", "value": 30.9}
    assert {c["characteristic"]: c["value"] for c in member["milkCharacteristics"]} == {
        "FAT": "4.25", "SCC": "95", "UREA": "210.0"}


def test_milking_visits_are_served_back_as_icar_collections_page_by_page(api, owner, robot_farm, cow):
    sent = [visit(cow, f"{6 + n}:00", 10 + n, milkingDuration={"unitCode": "SEC", "value": 400},
                  milkCharacteristics=[{"characteristic": "SCC", "value": "120"}, {"characteristic": "FAT", "value": "4.1"}],
                  quarterMilkings=[{"icarQuarterId": "RF", "quarterMilkingWeight": {"unitCode": "KGM", "value": 2.5}}])
            for n in range(3)]
    api.post("/icar/events", sent)
    first = api.get("/icar/milking-visits", {"limit": 2}).json()
    assert icar_valid(first, "collections/icarMilkingVisitEventCollection.json") == []
    assert len(first["member"]) == 2 and first["view"]["next"].startswith("http")
    rest = api.client.get(first["view"]["next"], HTTP_AUTHORIZATION=f"Bearer {api.secret}").json()
    assert icar_valid(rest, "collections/icarMilkingVisitEventCollection.json") == []
    served = first["member"] + rest["member"]
    assert "next" not in rest["view"] and len(served) == 3
    for out, back in zip(sent, served, strict=True):
        assert back["animal"] == out["animal"] and back["milkingStartingDateTime"] == out["milkingStartingDateTime"]
        assert back["milkingMilkWeight"] == out["milkingMilkWeight"] and back["milkingDuration"] == {"unitCode": "SEC", "value": 400}
        assert back["milkingType"] == "Automated"
        assert {c["characteristic"]: c["value"] for c in back["milkCharacteristics"]} == {"SCC": "120", "FAT": "4.10"}
        assert back["quarterMilkings"] == [{"icarQuarterId": "RF", "quarterMilkingWeight": {"unitCode": "KGM", "value": 2.5}}]
    dry = api.get("/icar/dry-offs").json()
    assert icar_valid(dry, "collections/icarMilkingDryOffEventCollection.json") == [] and dry["member"] == []


def test_another_organisation_sees_none_of_it_and_cannot_write_to_it(api, owner, robot_farm, cow, client):
    api.post("/icar/events", [visit(cow, "06:00", 7)])
    stranger = make_tenant(name="Other Dairy")
    other = Api(client, make_key(stranger, name="Other key")[1])
    for path in ("/icar/milking-visits", "/icar/test-day-results", "/icar/dry-offs"):
        assert other.get(path).json()["member"] == []
    assert other.get("/icar/milking-visits", {"farm_id": robot_farm.pk}).status_code == 404
    elsewhere = make_farm(owner, name="Other Farm")
    limited = Api(client, make_key(owner, name="Other farm only", all_farms=False, farms=[elsewhere])[1])
    assert limited.get("/icar/milking-visits").json()["member"] == []
    assert limited.post("/icar/events", [visit(cow, "08:00", 7)]).json()["results"][0]["field"] == "animal.id"
    written = other.post("/icar/events", [visit(cow, "07:00", 7)]).json()["results"][0]
    assert written["result"] == "refused" and written["field"] == "animal.id"
    assert MilkingVisit.objects.filter(animal=cow).count() == 1


def test_the_lowest_role_reads_but_cannot_send(client, owner, robot_farm, cow):
    from apps.accounts.models import Role

    with scope(tenant=owner.tenant_id):
        viewer = Role.objects.get(tenant_id=owner.tenant_id, key="viewer")
    reader = Api(client, make_key(owner, name="Reader", role=viewer)[1])
    assert reader.get("/icar/milking-visits").status_code == 200
    refused = reader.post("/icar/events", [visit(cow, "06:00", 7)])
    assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"


def test_bad_bodies_are_problem_documents_not_errors(api, owner, robot_farm):
    for body in ({"member": "x"}, {"items": []}, "not json", 7):
        response = api.post("/icar/events", body)
        assert response.status_code in (400, 422) and response["Content-Type"] == "application/problem+json", body


def test_the_entry_page_shows_a_robot_session_as_its_visits_and_will_not_type_over_them(api, owner, robot_farm, cow, client):
    from apps.milk.services import milking_record_save

    api.post("/icar/events", [visit(cow, "06:10", 11), visit(cow, "13:40", 9)])
    client.force_login(owner.user)
    page = client.get("/milk/entry/", {"farm": robot_farm.pk, "date": DAY.isoformat(), "session": "morning"})
    html = page.content.decode()
    row = html[html.index(f'id="cow-{cow.pk}"'):]
    row = row[:row.index("</form>")]
    assert "2 visits" in row and 'name="quantity"' in row and "readonly" in row
    with scope(tenant=owner.tenant_id), pytest.raises(Exception, match="sum of 2 visits"):
        milking_record_save(membership=owner, farm=robot_farm, animal=cow, date=DAY, session="morning", quantity=Decimal("5"))
    assert MilkRecord.objects.get(animal=cow, date=DAY, session="morning").quantity == litres(20)


def test_the_cows_page_shows_her_visits_and_her_test_days(api, owner, robot_farm, cow, client):
    api.post("/icar/events", [visit(cow, "06:10", 11, milkingDuration={"unitCode": "SEC", "value": 420}),
                              visit(cow, "06:40", 0, milkingComplete=False),
                              {"resourceType": "icarTestDayResultEventResource", "animal": {"id": cow.eid, "scheme": "std.iso.11785"},
                               "eventDateTime": f"{DAY.isoformat()}T09:00:00Z", "milkWeight24Hours": {"unitCode": "KGM", "value": 30.9},
                               "milkCharacteristics": [{"characteristic": "SCC", "value": "95"}]}])
    client.force_login(owner.user)
    html = client.get(f"/milk/animals/{cow.pk}/").content.decode()
    visits = html[html.index('data-testid="visits"'):]
    visits = visits[:visits.index("</table>")]
    assert visits.count("<tr>") == 3 and "10.68" in visits and "incomplete" in visits  # 11 kg is 10.68 L
    recordings = html[html.index('data-testid="recordings"'):]
    assert "30.00" in recordings[:recordings.index("</table>")] and "95000" in recordings


def test_a_visit_sent_again_after_the_milking_times_changed_is_refused_not_an_error(api, owner, robot_farm, cow):
    from apps.farms.models import Farm

    first = visit(cow, "16:30", 7)  # the morning slot runs to 17:00
    assert api.post("/icar/events", [first]).json()["created"] == 1
    Farm.objects.filter(pk=robot_farm.pk).update(evening_starts=dt.time(16, 0))  # 16:30 is now the evening's
    again = api.post("/icar/events", [first])
    assert again.status_code == 200
    result = again.json()["results"][0]
    assert result["result"] == "refused" and "kept in the morning" in result["reason"]
    assert MilkingVisit.objects.filter(animal=cow).count() == 1
