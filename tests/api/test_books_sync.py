"""An accounting package's nightly sync: it writes a month of books through the API (contacts, sales, invoices
drafted, issued and credited, payments, expenses), pulls them back, and the next night pulls only what changed,
paid invoices included. Its copy then equals the server's books, amount for amount, in the currency's form."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django_scopes import scope

from apps.api.endpoints.money import in_currency
from apps.finance.models import Expense, Invoice, Sale
from tests.api.conftest import Api, make_key
from tests.factories import TODAY, make_farm

pytestmark = pytest.mark.usefixtures("owner_scope")
LISTS = ("contacts", "sales", "invoices", "expenses")


class Package:
    """The accounting side: a copy of the books kept by id, filled by paging each list."""

    def __init__(self, api: Api):
        self.api, self.books, self.pulled = api, {name: {} for name in LISTS}, {}

    def sync(self, since: dt.datetime | None) -> dict[str, int]:
        for name in LISTS:
            params, count = ({"updated_since": since.isoformat()} if since else {}), 0
            while True:
                page = self.api.get(f"/{name}", {**params, "limit": 7}).json()
                for item in page["items"]:
                    self.books[name][item["id"]] = item
                    count += 1
                if not page["next_cursor"]:
                    break
                params["cursor"] = page["next_cursor"]
            self.pulled[name] = count
        return self.pulled


def moment(day: dt.date, hour: int):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC), tick=False)


def test_a_month_of_books_round_trips_and_the_next_night_brings_only_the_changes(client, owner, django_capture_on_commit_callbacks):
    farm = make_farm(owner, name="Books Farm")
    with scope(tenant=owner.tenant_id):
        from apps.accounts.models import Role

        role = Role.objects.get(tenant_id=owner.tenant_id, key="owner")
    api = Api(client, make_key(owner, name="Accounts", role=role)[1])
    first_night, second_day, second_night = TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=2), TODAY + dt.timedelta(days=2)
    with moment(first_night, 6), django_capture_on_commit_callbacks(execute=True):
        buyers = [api.post("/contacts", {"name": f"Dairy {n}", "kind": "customer", "tax_number": f"P05{n}"}).json() for n in range(3)]
        supplier = api.post("/contacts", {"name": "Feeds Ltd", "kind": "supplier"}).json()
        assert api.post("/contacts", {"name": "dairy 0"}).status_code == 422  # one name, one contact
        category = api.get("/expense-categories").json()["items"][0]
        sales = []
        for day in range(1, 31):
            on = TODAY - dt.timedelta(days=31 - day)
            sale = api.post("/sales", {"kind": "milk", "farm_id": farm.pk, "date": on.isoformat(), "buyer_id": buyers[day % 3]["id"],
                                       "quantity": "100.5", "unit": "L", "unit_price": "45.50"}, headers={"Idempotency-Key": f"sale-{day}"})
            assert sale.status_code == 201, sale.content
            sales.append(sale.json())
            if day % 3 == 0:
                spent = client.post("/api/v1/expenses", {"farm_id": farm.pk, "date": on.isoformat(), "category_id": category["id"],
                                                         "amount": "1200", "description": f"Dairy meal, week {day // 7}",
                                                         "supplier_name": supplier["name"]},
                                    HTTP_AUTHORIZATION=f"Bearer {api.secret}", HTTP_IDEMPOTENCY_KEY=f"expense-{day}")
                assert spent.status_code == 201, spent.content
        assert sales[0]["total"] == "4572.75"  # 100.5 L at 45.50, in KES's form
        assert api.post("/sales", {"kind": "milk", "farm_id": farm.pk, "date": TODAY.isoformat(), "buyer_id": buyers[0]["id"],
                                   "quantity": "1", "unit": "L", "unit_price": "45.505"}).status_code == 422
        invoices = []
        for buyer in buyers:
            draft = api.post("/invoices", {"contact_id": buyer["id"], "farm_id": farm.pk, "lines": [
                {"description": "Milk, November", "quantity": "1005", "unit": "L", "unit_price": "45.50"},
                {"description": "Transport", "quantity": "1", "unit_price": "1000", "tax_rate": "16"}]}).json()
            assert (draft["status"], draft["number"], draft["total"]) == ("draft", "", "46887.50")  # 45,727.50 + 1,000 + 16 % VAT
            issued = api.post(f"/invoices/{draft['id']}/issue").json()
            assert issued["status"] == "issued" and issued["number"]
            invoices.append(issued)
        paid = api.post(f"/invoices/{invoices[0]['id']}/payments", {"date": first_night.isoformat(), "amount": "46887.50", "method": "bank"},
                        headers={"Idempotency-Key": "pay-1"})
        assert paid.status_code == 201 and paid.json()["amount"] == "46887.50", paid.content

    package = Package(api)
    with moment(first_night, 23):
        started = dt.datetime.combine(first_night, dt.time(23), tzinfo=dt.UTC)
        first = package.sync(None)
    assert first == {"contacts": 4, "sales": 30, "invoices": 3, "expenses": 10}
    pdf = api.get(package.books["invoices"][invoices[1]["id"]]["pdf_url"].removeprefix("/api/v1"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.getvalue().startswith(b"%PDF")

    with moment(second_day, 9), django_capture_on_commit_callbacks(execute=True):
        api.post(f"/invoices/{invoices[1]['id']}/payments", {"date": second_day.isoformat(), "amount": "20000", "method": "mobile"},
                 headers={"Idempotency-Key": "pay-2"})
        credit = api.post(f"/invoices/{invoices[2]['id']}/credit-note")
        assert credit.status_code == 201, credit.content
        api.post(f"/invoices/{credit.json()['id']}/issue")
        api.patch(f"/contacts/{buyers[2]['id']}", {"phone": "+254700000002"})
    with moment(second_night, 23):
        second = package.sync(started)
    assert second == {"contacts": 1, "sales": 0, "invoices": 2, "expenses": 0}  # the part-paid invoice and the credit note
    assert package.books["invoices"][invoices[1]["id"]]["status"] == "partly_paid"
    assert package.books["invoices"][invoices[1]["id"]]["paid_total"] == "20000.00"

    with scope(tenant=owner.tenant_id):
        server = {
            "sales": {s.pk: in_currency(s.total, "KES") for s in Sale.objects.filter(tenant_id=owner.tenant_id)},
            "invoices": {i.pk: (i.status, in_currency(i.total, "KES"), in_currency(i.paid_total, "KES"))
                         for i in Invoice.objects.filter(tenant_id=owner.tenant_id)},
            "expenses": {e.pk: (e.status, in_currency(e.amount, "KES")) for e in Expense.objects.filter(tenant_id=owner.tenant_id)},
        }
    assert {k: v["total"] for k, v in package.books["sales"].items()} == server["sales"]
    assert {k: (v["status"], v["total"], v["paid_total"]) for k, v in package.books["invoices"].items()} == server["invoices"]
    assert {k: (v["status"], v["amount"]) for k, v in package.books["expenses"].items()} == server["expenses"]
    assert sum(Decimal(v) for v in server["sales"].values()) == Decimal("137182.50")  # 30 x 4,572.75


@pytest.mark.parametrize(("currency", "written"), [("KES", "1000.00"), ("UGX", "1000"), ("KWD", "1000.000")])
def test_amounts_are_written_in_their_currencys_form(currency, written):
    """ISO 4217 minor units: shillings of Kenya have cents, Uganda's none, Kuwait's dinar three decimals."""
    assert in_currency(Decimal("1000"), currency) == written


def test_every_list_of_changing_things_takes_updated_since_and_an_edited_animal_comes_back(client, owner, owner_key):
    document = client.get("/api/v1/openapi.json").json()
    lists = {path for path, operations in document["paths"].items() if "get" in operations and "{" not in path}
    taking = {path for path in lists if any(p["name"] == "updated_since" for p in document["paths"][path]["get"]["parameters"])}
    # Summaries are recounted, never edited; categories and the organisation hardly change; ICAR lists take since/until.
    assert lists - taking == {"/api/v1/milk/summaries", "/api/v1/expense-categories", "/api/v1/organisation",
                              "/api/v1/icar/milking-visits", "/api/v1/icar/test-day-results", "/api/v1/icar/dry-offs"}
    api = Api(client, owner_key[1])
    farm = make_farm(owner, name="Changing Farm")
    with moment(TODAY, 1):
        cows = [api.post("/animals", {"tag": f"UPD-{n}", "farm_id": farm.pk, "sex": "female"}).json() for n in range(3)]
    with moment(TODAY, 2):
        api.patch(f"/animals/{cows[1]['id']}", {"name": "Renamed"})
    changed = api.get("/animals", {"updated_since": dt.datetime.combine(TODAY, dt.time(1, 30), tzinfo=dt.UTC).isoformat()}).json()
    assert [a["tag"] for a in changed["items"]] == ["UPD-1"]
