"""Buyers, deliveries, statements and rations through the API, and their webhooks read back through the Standard
Webhooks verifier and checked against the OpenAPI document's `webhooks` section."""

import datetime as dt
from decimal import Decimal

import pytest
from standardwebhooks import Webhook

from apps.api.webhooks import endpoint_create
from apps.deliveries.models import Delivery, Statement
from apps.milk.models import FarmDaySummary
from tests.api.conftest import Api, make_key
from tests.api.test_events import as_documented
from tests.factories import TODAY, make_farm

pytestmark = pytest.mark.usefixtures("owner_scope")
D = Decimal


def test_a_delivery_and_a_statement_through_the_api_send_their_webhooks(client, owner, owner_key, receiver,
                                                                      django_capture_on_commit_callbacks):
    farm = make_farm(owner, name="Api Farm", milking_sessions_per_day=2)
    day = farm.local_today() - dt.timedelta(days=1)
    FarmDaySummary.objects.create(tenant_id=owner.tenant_id, farm=farm, date=day, morning=D("60"), total=D("60"))
    with django_capture_on_commit_callbacks(execute=True):
        _, secret = endpoint_create(membership=owner, url=receiver.url, events=["delivery.recorded", "statement.entered"])
    api = Api(client, owner_key[1])
    with django_capture_on_commit_callbacks(execute=True):
        buyer = api.post("/buyers", {"name": "Brookside collection", "measures": "L"})
        assert buyer.status_code == 201, buyer.content
        from apps.deliveries.models import Buyer
        from apps.deliveries.services import schedule_save
        schedule_save(membership=owner, buyer=Buyer.objects.get(), valid_from=day - dt.timedelta(days=40), base_price=D("48.50"))
        refused = api.post("/deliveries", {"farm_id": farm.pk, "buyer_id": buyer.json()["id"], "date": day.isoformat(),
                                           "sessions": ["morning"], "quantity": "61"})
        assert refused.status_code == 422 and "over_reason" in refused.content.decode()
        made = api.post("/deliveries", {"farm_id": farm.pk, "buyer_id": buyer.json()["id"], "date": day.isoformat(),
                                        "sessions": ["morning"], "quantity": "60", "fat": "3.80"})
        assert made.status_code == 201, made.content
        assert made.json()["expected_value"] == "2910.00"  # 60 L x 48.50
        statement = api.post("/statements", {"farm_id": farm.pk, "buyer_id": buyer.json()["id"], "month": day.strftime("%Y-%m"),
                                             "lines": [{"kind": "milk", "date": day.isoformat(), "quantity": "58", "price": "48.50",
                                                        "amount": "2813.00"}]})
        assert statement.status_code == 201, statement.content
    body = statement.json()
    assert (body["differences"], body["at_stake"], body["net"]) == (1, "-97.00", "2813.00")  # 2 L short at 48.50
    assert api.get(f"/statements/{body['id']}").json() == body
    listed = api.get("/deliveries", {"buyer": buyer.json()["id"], "date_from": day.isoformat()}).json()["items"]
    assert [d["id"] for d in listed] == [made.json()["id"]]
    events = [Webhook(secret).verify(raw, {k.lower(): v for k, v in headers.items()}) for headers, raw in receiver.received]
    assert sorted(e["type"] for e in events) == ["delivery.recorded", "statement.entered"]
    for event in events:
        assert as_documented(event) == [], event
    delivered = next(e for e in events if e["type"] == "delivery.recorded")["data"]
    assert (delivered["quantity"], delivered["expected_value"], delivered["resource"]) == ("60", "2910.00", f"delivery:{made.json()['id']}")


def test_bad_statements_through_the_api_are_refused_and_save_nothing(client, owner, owner_key):
    farm = make_farm(owner, name="Api Farm", milking_sessions_per_day=2)
    api = Api(client, owner_key[1])
    buyer = api.post("/buyers", {"name": "Hotel"}).json()
    month = TODAY.replace(day=1).strftime("%Y-%m")
    for lines, status in (([], 422), ([{"kind": "milk", "amount": "1"}], 422),
                          ([{"kind": "milk", "date": "2001-01-01", "quantity": "1", "amount": "1"}], 422),
                          ([{"kind": "cheese", "amount": "1"}], 422)):
        response = api.post("/statements", {"farm_id": farm.pk, "buyer_id": buyer["id"], "month": month, "lines": lines})
        assert response.status_code == status, (lines, response.content)
    assert api.post("/statements", {"farm_id": farm.pk, "buyer_id": buyer["id"], "month": "0000-01", "lines": []}).status_code == 422
    assert not Statement.objects.exists() and not Delivery.objects.exists()


def test_a_viewer_key_reads_but_cannot_deliver(client, owner):
    from apps.accounts.models import Role

    farm = make_farm(owner, name="Api Farm", milking_sessions_per_day=2)
    _, secret = make_key(owner, name="Viewer", role=Role.objects.get(tenant_id=owner.tenant_id, key="viewer"))
    api = Api(client, secret)
    assert api.get("/deliveries").status_code == 200 and api.get("/rations").status_code == 200
    assert api.post("/buyers", {"name": "X"}).status_code == 403
    assert api.post("/deliveries", {"farm_id": farm.pk, "buyer_id": 1, "date": TODAY.isoformat(), "sessions": ["morning"],
                                    "quantity": "1"}).status_code in (403, 404)
