"""Keys, tenancy, problem documents and the everyday operations."""

import datetime as dt
from decimal import Decimal

import pytest
from django_scopes import scope

from apps.api.services import api_key_revoke
from apps.milk.models import MilkRecord
from tests.api.conftest import Api, make_key
from tests.factories import TODAY, make_animal, make_farm
from tests.milk.conftest import make_cows

pytestmark = pytest.mark.usefixtures("owner_scope")


def test_a_key_lists_its_organisations_animals_only(api, owner, farm, outsider):
    make_animal(owner, farm, tag="MINE-1")
    response = api.get("/animals")
    assert response.status_code == 200, response.content
    tags = [a["tag"] for a in response.json()["items"]]
    assert tags == ["MINE-1"]
    from apps.herd.models import Animal

    with scope(tenant=outsider.tenant_id):
        theirs = Animal.objects.get(tag="R-1")
    assert api.get(f"/animals/{theirs.pk}").status_code == 404


def test_missing_bad_revoked_and_expired_keys_are_401_problems(client, owner, owner_key):
    assert Api(client, None).get("/animals").status_code == 401
    bad = Api(client, "ifk_1_abcd_nope").get("/animals")
    assert bad.status_code == 401 and bad["Content-Type"] == "application/problem+json"
    assert bad.json()["detail"] == "This API key is not valid."
    key, secret = owner_key
    api_key_revoke(membership=owner, key=key)
    revoked = Api(client, secret).get("/animals")
    assert revoked.status_code == 401 and "revoked" in revoked.json()["detail"]


def test_a_viewer_key_reads_but_cannot_write(client, owner, farm):
    _, secret = make_key(owner, name="Reader", permissions=["herd.view", "farms.view"])
    reader = Api(client, secret)
    assert reader.get("/animals").status_code == 200
    refused = reader.post("/animals", {"tag": "NEW", "farm_id": farm.pk, "sex": "female"})
    assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"
    assert reader.get("/milk/records").status_code == 403


def test_create_update_and_validation_problems(api, farm):
    created = api.post("/animals", {"tag": "API-1", "farm_id": farm.pk, "sex": "female", "date_of_birth": "2024-01-02"})
    assert created.status_code == 201, created.content
    animal_id = created.json()["id"]
    assert api.patch(f"/animals/{animal_id}", {"name": "Daisy"}).json()["name"] == "Daisy"
    unknown = api.post("/animals", {"tag": "API-2", "farm_id": farm.pk, "sex": "female", "colour": "red"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "payload.colour"
    future = api.post("/animals", {"tag": "API-3", "farm_id": farm.pk, "sex": "female",
                                   "date_of_birth": (TODAY + dt.timedelta(days=5)).isoformat()})
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "date_of_birth"
    clash = api.post("/animals", {"tag": "api-1", "farm_id": farm.pk, "sex": "female"})
    assert clash.status_code == 422 and clash.json()["errors"][0]["field"] == "tag"
    assert api.get("/animals/by-tag/API-1").json()["id"] == animal_id


def test_cursor_pages_and_a_tampered_cursor(api, owner, farm):
    for n in range(5):
        make_animal(owner, farm, tag=f"P-{n}")
    first = api.get("/animals", {"limit": 2}).json()
    second = api.get("/animals", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [a["tag"] for a in first["items"] + second["items"]] == ["P-0", "P-1", "P-2", "P-3"]
    tampered = api.get("/animals", {"cursor": first["next_cursor"][:-2] + "xx"})
    assert tampered.status_code == 400 and tampered["Content-Type"] == "application/problem+json"


def test_milk_records_through_the_api(api, owner):
    farm = make_farm(owner, name="Parlour Farm", milking_sessions_per_day=2)
    cow = make_cows(owner, farm, 1)[0]
    made = api.post("/milk/records", {"animal_id": cow.pk, "date": TODAY.isoformat(), "session": "morning", "quantity": "12.5"})
    assert made.status_code == 201, made.content
    record_id = made.json()["id"]
    assert api.patch(f"/milk/records/{record_id}", {"quantity": "13"}).json()["quantity"] == "13.00"
    over = api.post("/milk/records", {"animal_id": cow.pk, "date": TODAY.isoformat(), "session": "evening", "quantity": "95"})
    assert over.status_code == 422 and over.json()["errors"][0]["field"] == "payload.quantity"
    listed = api.get("/milk/records", {"farm": farm.pk, "date_from": TODAY.isoformat()}).json()["items"]
    assert [r["id"] for r in listed] == [record_id]
    assert api.delete(f"/milk/records/{record_id}").status_code == 204
    assert not MilkRecord.objects.exists()
    summary = api.get("/milk/summaries", {"farm": farm.pk}).json()["items"]
    assert summary and Decimal(summary[0]["total"]) == 0


def test_a_farm_limited_key_sees_its_farms_only(client, owner, farm, other_farm):
    make_animal(owner, farm, tag="HOME")
    make_animal(owner, other_farm, tag="AWAY")
    _, secret = make_key(owner, name="Home only", all_farms=False, farms=[farm])
    limited = Api(client, secret)
    assert [a["tag"] for a in limited.get("/animals").json()["items"]] == ["HOME"]
    assert [f["name"] for f in limited.get("/farms").json()["items"]] == [farm.name]
    away = limited.post("/animals", {"tag": "X", "farm_id": other_farm.pk, "sex": "male"})
    assert away.status_code == 404


def test_openapi_and_docs_are_served(client, api):
    document = client.get("/api/v1/openapi.json")
    assert document.status_code == 200 and "/api/v1/milk/ingest" in document.json()["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and b"cdn" not in docs.content.lower()
