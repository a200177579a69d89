"""Events a receiver can rely on: a milking session announced once with its final totals and corrected
after, every event about a resource numbered in order, and an update carrying its new values. The
payloads are read back through the Standard Webhooks verifier, as a receiver would."""

import datetime as dt
import json
from decimal import Decimal

import jsonschema_rs
import pytest
import time_machine
from standardwebhooks import Webhook

from apps.api.models import WebhookEndpoint
from apps.api.v1 import api
from apps.api.webhooks import endpoint_create
from apps.herd.services import animal_update
from apps.milk.services import milking_record_save, sessions_due_announce
from tests.api.conftest import Api
from tests.factories import TODAY, make_animal, make_farm
from tests.milk.conftest import make_cows

pytestmark = pytest.mark.usefixtures("owner_scope")


@pytest.fixture
def hooked(owner, receiver, django_capture_on_commit_callbacks):
    """An endpoint subscribed to every event; returns a function giving the verified events received."""
    with django_capture_on_commit_callbacks(execute=True):
        endpoint, secret = endpoint_create(membership=owner, url=receiver.url, events=[
            "milk.session_completed", "milk.session_corrected", "animal.created", "animal.updated"])

    def events(kind: str | None = None) -> list[dict]:
        verified = [Webhook(secret).verify(body, {k.lower(): v for k, v in headers.items()}) for headers, body in receiver.received]
        for event in verified:
            assert as_documented(event) == [], event
        return [e for e in verified if kind is None or e["type"] == kind]

    assert isinstance(endpoint, WebhookEndpoint)
    return events


def as_documented(event: dict) -> list[str]:
    """What the OpenAPI document's `webhooks` section finds wrong with a delivered event (nothing, if right)."""
    document = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1")))
    body = document["webhooks"][event["type"]]["post"]["requestBody"]["content"]["application/json"]["schema"]
    schema = json.loads(json.dumps({**body, "$defs": document["components"]["schemas"]}).replace("#/components/schemas/", "#/$defs/"))
    validator = jsonschema_rs.validator_for(schema, validate_formats=True)
    return [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in validator.iter_errors(event)]


def at(farm, day: dt.date, hour: int, minute: int = 0):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour, minute), tzinfo=farm.zone), tick=False)


def test_a_parlour_session_is_announced_once_with_its_totals_then_corrected(owner, hooked, django_capture_on_commit_callbacks):
    farm = make_farm(owner, name="Parlour", milking_sessions_per_day=2)  # 04:00 and 15:00
    cows = make_cows(owner, farm, 2)
    day = farm.local_today()
    for quantity, cow in ((10, cows[0]), (11, cows[1]), (12, cows[0])):
        with django_capture_on_commit_callbacks(execute=True), at(farm, day, 7):
            milking_record_save(membership=owner, farm=farm, animal=cow, date=day, session="morning", quantity=Decimal(quantity))
    completed, corrected = hooked("milk.session_completed"), hooked("milk.session_corrected")
    assert [e["data"]["total"] for e in completed] == ["21.00"]  # when the second cow was in, once
    assert [e["data"]["total"] for e in corrected] == ["23.00"]  # the first cow's milk made 12
    assert [completed[0]["data"]["sequence"], corrected[0]["data"]["sequence"]] == [1, 2]
    assert completed[0]["data"]["resource"] == f"milk-session:{farm.pk}:{day.isoformat()}:morning"


def test_a_robot_session_is_announced_when_its_slot_ends_however_many_calls_fed_it(owner, hooked, client, owner_key,
                                                                                  django_capture_on_commit_callbacks):
    farm = make_farm(owner, name="Robot", milking_sessions_per_day=2, robot_milking=True,
                     morning_starts=dt.time(5, 0), evening_starts=dt.time(17, 0))
    cows = make_cows(owner, farm, 3)
    api = Api(client, owner_key[1])
    day = TODAY
    for n in range(11):  # eleven calls through the morning slot, as a robot's software sends them
        cow = cows[n % 3]
        start = dt.datetime.combine(day, dt.time(6 + n, 0), tzinfo=farm.zone)
        with django_capture_on_commit_callbacks(execute=True), at(farm, day, 6 + n, 5):
            body = api.post("/milk/ingest", {"items": [{"tag": cow.tag, "timestamp": start.isoformat(), "quantity": 5}]}).json()
        assert body["created"] == 1, body
    assert hooked("milk.session_completed") == []  # the slot runs to 17:00: cows may come back
    with django_capture_on_commit_callbacks(execute=True), at(farm, day, 17, 10):
        sessions_due_announce(tenant_id=owner.tenant_id)
        sessions_due_announce(tenant_id=owner.tenant_id)  # the round runs again: nothing new
    completed = hooked("milk.session_completed")
    assert len(completed) == 1 and completed[0]["data"]["total"] == "55.00" and completed[0]["data"]["cows"] == 3
    late = dt.datetime.combine(day, dt.time(16, 50), tzinfo=farm.zone)  # sent late by the robot's software
    with django_capture_on_commit_callbacks(execute=True), at(farm, day, 17, 20):
        api.post("/milk/ingest", {"items": [{"tag": cows[0].tag, "timestamp": late.isoformat(), "quantity": 4}]})
    corrected = hooked("milk.session_corrected")
    assert [e["data"]["total"] for e in corrected] == ["59.00"] and corrected[0]["data"]["sequence"] == 2


def test_an_animals_events_are_numbered_and_an_update_carries_its_values(owner, hooked, django_capture_on_commit_callbacks):
    farm = make_farm(owner, name="Register")
    with django_capture_on_commit_callbacks(execute=True):
        cow = make_animal(owner, farm, tag="SEQ-1", name="Old name")
    for name in ("Second", "Third"):
        with django_capture_on_commit_callbacks(execute=True):
            animal_update(membership=owner, animal=cow, name=name)
    events = hooked()
    assert [(e["type"], e["data"]["sequence"]) for e in events] == [("animal.created", 1), ("animal.updated", 2), ("animal.updated", 3)]
    assert {e["data"]["resource"] for e in events} == {f"animal:{cow.pk}"}
    last = events[-1]["data"]
    assert last["changed"] == ["name"] and last["values"] == {"name": "Third"} and last["before"] == {"name": "Second"}
    assert json.dumps(last)  # plain JSON


def test_every_event_is_described_in_the_document_and_a_wrong_payload_is_caught(client):
    document = client.get("/api/v1/openapi.json").json()
    from apps.api.webhooks import EVENTS

    assert set(document["webhooks"]) == set(EVENTS)
    good = {"id": "msg_1", "type": "webhook.test", "timestamp": "2026-12-01T06:00:00+00:00", "data": {"message": "hello"}}
    assert as_documented(good) == []
    session = {"id": "msg_2", "type": "milk.session_completed", "timestamp": "2026-12-01T06:00:00+00:00", "data": {
        "resource": "milk-session:1:2026-12-01:morning", "sequence": 1, "farm_id": 1, "date": "2026-12-01", "session": "morning",
        "cows": 2, "total": 21.0, "discarded": "0.00", "saleable": "21.00", "day_total": "21.00", "day_discarded": "0.00",
        "day_saleable": "21.00"}}
    assert as_documented(session) == ["data/total: 21.0 is not of type \"string\""]  # decimals travel as exact strings
