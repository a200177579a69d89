"""Bulk tank readings, expenses with a receipt, sales and births through the API."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from PIL import Image

from apps.finance.models import Expense, ExpenseCategory
from apps.herd.models import Animal
from tests.factories import TODAY, make_animal, make_farm

pytestmark = pytest.mark.usefixtures("owner_scope")


def test_bulk_tank_readings(api, owner):
    farm = make_farm(owner, name="Tank Farm", milking_sessions_per_day=2)
    made = api.post("/milk/tank", {"farm_id": farm.pk, "date": TODAY.isoformat(), "session": "morning", "quantity": "812.5", "scc": 180000})
    assert made.status_code == 201, made.content
    assert api.get("/milk/tank", {"farm": farm.pk}).json()["items"][0]["quantity"] == "812.50"
    midday = api.post("/milk/tank", {"farm_id": farm.pk, "date": TODAY.isoformat(), "session": "midday", "quantity": "5"})
    assert midday.status_code == 422  # the farm milks twice a day


def test_an_expense_with_its_receipt(api, owner, farm, client):
    category = ExpenseCategory.objects.filter(tenant_id=owner.tenant_id).first()
    image = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(image, "JPEG")
    image.seek(0)
    image.name = "receipt.jpg"
    response = client.post("/api/v1/expenses", {"farm_id": farm.pk, "date": TODAY.isoformat(), "category_id": category.pk,
                                                "amount": "1250.00", "description": "Dairy meal", "receipt": image},
                           HTTP_AUTHORIZATION=f"Bearer {api.secret}")
    assert response.status_code == 201, response.content
    expense = Expense.objects.get()
    assert expense.receipt and expense.amount == Decimal("1250.00")
    fake = io.BytesIO(b"not an image at all")
    fake.name = "receipt.jpg"
    refused = client.post("/api/v1/expenses", {"farm_id": farm.pk, "date": TODAY.isoformat(), "category_id": category.pk,
                                               "amount": "10", "description": "Bad", "receipt": fake},
                          HTTP_AUTHORIZATION=f"Bearer {api.secret}")
    assert refused.status_code == 422 and Expense.objects.count() == 1
    assert api.get("/expenses").json()["items"][0]["id"] == expense.pk


def test_a_birth_through_the_api(api, owner, farm):
    dam = make_animal(owner, farm, tag="DAM-API", date_of_birth=TODAY - dt.timedelta(days=2000))
    from apps.breeding.services import service_record

    service_record(membership=owner, animal=dam, served_on=TODAY - dt.timedelta(days=281), method="ai", outside_sire="AI 9")
    response = api.post("/breeding/births", {"dam_id": dam.pk, "born_on": TODAY.isoformat(), "ease": 2,
                                             "offspring": [{"sex": "female", "tag": "CALF-API", "weight": "34.5"}]})
    assert response.status_code == 201, response.content
    calf = Animal.objects.get(tag="CALF-API")
    assert calf.dam_id == dam.pk and response.json()["offspring"][0]["animal_id"] == calf.pk
    again = api.post("/breeding/births", {"dam_id": dam.pk, "born_on": TODAY.isoformat(), "ease": 9, "offspring": []})
    assert again.status_code == 422
    assert api.get("/sales").status_code == 200


def test_two_keys_of_one_organisation_may_send_the_same_idempotency_key(api, owner, farm, client):
    """Idempotency-Keys belong to the program that sends them: two programs that pick the same one each get
    their expense, a repeat by one program is a replay, and a key of up to 200 characters is taken."""
    from tests.api.conftest import make_key

    _key, other_secret = make_key(owner, name="Second program")
    category = ExpenseCategory.objects.filter(tenant_id=owner.tenant_id).first()
    fields = {"farm_id": farm.pk, "date": TODAY.isoformat(), "category_id": category.pk, "amount": "10.00", "description": "Salt"}
    long_key = "k" * 200
    first = client.post("/api/v1/expenses", fields, HTTP_AUTHORIZATION=f"Bearer {api.secret}", HTTP_IDEMPOTENCY_KEY=long_key)
    second = client.post("/api/v1/expenses", fields, HTTP_AUTHORIZATION=f"Bearer {other_secret}", HTTP_IDEMPOTENCY_KEY=long_key)
    again = client.post("/api/v1/expenses", fields, HTTP_AUTHORIZATION=f"Bearer {api.secret}", HTTP_IDEMPOTENCY_KEY=long_key)
    assert (first.status_code, second.status_code, again.status_code) == (201, 201, 201), second.content
    assert again["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
    assert Expense.objects.count() == 2
    too_long = client.post("/api/v1/expenses", fields, HTTP_AUTHORIZATION=f"Bearer {api.secret}", HTTP_IDEMPOTENCY_KEY="k" * 201)
    assert too_long.status_code == 422 and Expense.objects.count() == 2
