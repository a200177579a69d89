"""Every API operation that takes an id or a name answers 404 to another tenant's key, and to a key
limited to other farms; every list shows nothing of them."""

import datetime as dt
import re

import pytest
from django.test import Client
from django_scopes import scope

from tests.api.conftest import Api, make_key
from tests.factories import TODAY, make_farm


def _victim_farm(owner):
    from apps.farms.models import Farm

    return Farm.objects.filter(tenant_id=owner.tenant_id, name="Victim Farm").first() or make_farm(
        owner, name="Victim Farm", milking_sessions_per_day=2)


def _cow(owner):
    from apps.herd.models import Animal
    from tests.milk.conftest import make_cows

    taken = Animal.objects.filter(tenant_id=owner.tenant_id, tag__startswith="VICTIM").count()
    return make_cows(owner, _victim_farm(owner), 1, prefix=f"VICTIM{taken}-")[0]


def _record(owner):
    from decimal import Decimal

    from apps.milk.services import milking_record_save

    cow = _cow(owner)
    return milking_record_save(membership=owner, farm=cow.farm, animal=cow, date=TODAY, session="morning", quantity=Decimal("9"))


def _invoice(owner):
    from tests.finance.conftest import issued_invoice

    return issued_invoice(owner, farm=_victim_farm(owner))


def _service(owner):
    from apps.breeding.services import service_record

    cow = _cow(owner)
    return service_record(membership=owner, animal=cow, served_on=TODAY - dt.timedelta(days=35), method="ai", outside_sire="X")


def _expense(owner):
    from tests.finance.conftest import submit

    return submit(owner, _victim_farm(owner), description="VICTIM expense")


def _sale(owner):
    import uuid
    from decimal import Decimal

    from apps.finance.services import sale_record
    from tests.finance.conftest import make_contact

    return sale_record(membership=owner, key=uuid.uuid4().hex, kind="milk", farm=_victim_farm(owner), date=TODAY,
                       buyer=make_contact(owner, name="Victim buyer"), unit_price=Decimal("50"), quantity=Decimal("10"), unit="L")


def _delivery(owner):
    from decimal import Decimal

    from apps.deliveries.services import buyer_save, delivery_record

    farm = _victim_farm(owner)
    buyer = buyer_save(membership=owner, name=f"VICTIM co-op {farm.pk}-{TODAY}")
    return delivery_record(membership=owner, farm=farm, buyer=buyer, date=TODAY, sessions=["morning"], quantity=Decimal("10"),
                           over_reason="not entered yet")


def _statement(owner):
    from decimal import Decimal

    from apps.deliveries.services import statement_save

    delivery = _delivery(owner)
    return statement_save(membership=owner, buyer=delivery.buyer, farm=delivery.farm, month=TODAY.replace(day=1), lines=[
        {"kind": "milk", "date": TODAY, "description": "", "quantity": Decimal("10"), "price": Decimal("50"), "amount": Decimal("500")}])


# Path -> (make the victim's object, how its path parameter is filled, methods with a body to send)
PROBES = {
    "/api/v1/animals/{animal_id}": (_cow, "pk", {"get": None, "patch": {"name": "x"}}),
    "/api/v1/animals/by-tag/{tag}": (_cow, "tag", {"get": None}),
    "/api/v1/animals/by-eid/{eid}": (lambda o: _eid_cow(o), "eid", {"get": None}),
    "/api/v1/milk/records/{record_id}": (_record, "pk", {"patch": {"quantity": "1"}, "delete": None}),
    "/api/v1/invoices/{invoice_id}": (_invoice, "pk", {"get": None}),
    "/api/v1/expenses/{expense_id}": (_expense, "pk", {"get": None}),
    "/api/v1/sales/{sale_id}": (_sale, "pk", {"get": None}),
    "/api/v1/invoices/{invoice_id}/payments": (_invoice, "pk", {"post": {"date": TODAY.isoformat(), "amount": "1", "method": "cash"}}),
    "/api/v1/invoices/{invoice_id}/issue": (_invoice, "pk", {"post": {}}),
    "/api/v1/invoices/{invoice_id}/credit-note": (_invoice, "pk", {"post": {}}),
    "/api/v1/invoices/{invoice_id}/pdf": (_invoice, "pk", {"get": None}),
    "/api/v1/deliveries/{delivery_id}": (_delivery, "pk", {"get": None}),
    "/api/v1/statements/{statement_id}": (_statement, "pk", {"get": None}),
    "/api/v1/breeding/services/{service_id}/checks": (_service, "pk", {"post": {"checked_on": TODAY.isoformat(), "method": "palpation",
                                                                                "result": "open"}}),
}


# Contacts belong to the whole organisation (a farm-limited member sells to the same buyers): only another
# organisation is kept out.
TENANT_WIDE = {
    "/api/v1/contacts/{contact_id}": (lambda o: _contact(o), "pk", {"get": None, "patch": {"phone": "1"}}),
}


def _contact(owner):
    from tests.finance.conftest import make_contact

    return make_contact(owner, name="VICTIM buyer")


def _eid_cow(owner):
    from apps.herd.services import animal_update

    cow = _cow(owner)
    return animal_update(membership=owner, animal=cow, eid="982000000000777")


def _paths():
    from apps.api.v1 import api

    return api.get_openapi_schema(path_prefix="/api/v1/")["paths"]


def test_every_api_path_with_a_parameter_is_probed():
    with_params = {path for path in _paths() if "{" in path}
    assert with_params == set(PROBES) | set(TENANT_WIDE), f"probe these: {sorted(with_params - set(PROBES) - set(TENANT_WIDE))}"


def _call(api: Api, method: str, path: str, body):
    path = path.removeprefix("/api/v1")
    if method == "get":
        return api.get(path)
    if method == "delete":
        return api.delete(path)
    return getattr(api, method)(path, body)


@pytest.mark.parametrize("path", sorted(PROBES))
def test_another_tenants_key_and_a_key_of_other_farms_get_404(path, owner, outsider):
    make_object, attribute, methods = PROBES[path]
    with scope(tenant=owner.tenant_id):
        obj = make_object(owner)
        home = make_farm(owner, name="Home Farm")
    url = re.sub(r"\{[^}]+\}", str(getattr(obj, attribute)), path)
    _, rival_secret = make_key(outsider, name="Rival")
    _, limited_secret = make_key(owner, name="Home only", all_farms=False, farms=[home])
    for secret in (rival_secret, limited_secret):
        caller = Api(Client(), secret)
        for method, body in methods.items():
            response = _call(caller, method, url, body)
            assert response.status_code == 404, f"{method.upper()} {url} gave {response.status_code}"


def test_lists_show_nothing_of_another_tenant_or_farm(owner, outsider):
    with scope(tenant=owner.tenant_id):
        _record(owner)
        _invoice(owner)
        _service(owner)
        home = make_farm(owner, name="Home Farm")
    _, rival_secret = make_key(outsider, name="Rival")
    _, limited_secret = make_key(owner, name="Home only", all_farms=False, farms=[home])
    lists = [p for p in _paths() if "{" not in p and "get" in _paths()[p]]
    assert len(lists) >= 9
    for secret in (rival_secret, limited_secret):
        caller = Api(Client(), secret)
        for path in lists:
            response = caller.get(path.removeprefix("/api/v1"))
            assert response.status_code in (200, 403), f"{path}: {response.status_code}"
            assert b"VICTIM" not in response.content and b"Victim Farm" not in response.content, path
            if response.status_code == 200:
                assert all(item.get("farm_id") != getattr(home, "pk", None) or secret == limited_secret
                           for item in response.json().get("items", response.json().get("member", [])))  # ICAR: member


@pytest.mark.parametrize("path", sorted(TENANT_WIDE))
def test_another_organisations_key_gets_404_for_what_is_organisation_wide(path, owner, outsider):
    make_object, attribute, methods = TENANT_WIDE[path]
    with scope(tenant=owner.tenant_id):
        obj = make_object(owner)
    url = re.sub(r"\{[^}]+\}", str(getattr(obj, attribute)), path)
    caller = Api(Client(), make_key(outsider, name="Rival")[1])
    for method, body in methods.items():
        response = _call(caller, method, url, body)
        assert response.status_code == 404, f"{method.upper()} {url} gave {response.status_code}"
