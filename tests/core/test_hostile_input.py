"""Bad input from a browser or an attacker: a clear refusal, never a 500, and nothing saved."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse

from apps.finance.models import Sale
from apps.herd.models import Animal
from apps.milk.models import BulkTankReading, MilkRecord
from tests.finance.conftest import make_contact
from tests.milk.conftest import make_cows

pytestmark = pytest.mark.usefixtures("owner_scope")
HTMX = {"HTTP_HX_REQUEST": "true"}
ANCIENT = "0001-01-01"


@pytest.fixture
def dairy_cow(owner, farm):
    return make_cows(owner, farm, 1)[0]


# Dates -------------------------------------------------------------------------------------------


def test_milk_entry_page_dated_year_one_explains_instead_of_failing(as_member, owner, farm, dairy_cow):
    response = as_member(owner).get(reverse("milk:entry"), {"farm": farm.pk, "date": ANCIENT, "session": "morning"})
    assert response.status_code in (200, 400)
    assert "1950" in response.content.decode()


@pytest.mark.parametrize("day", [ANCIENT, "1949-12-31"])
def test_milk_row_dated_before_1950_is_refused(as_member, owner, farm, dairy_cow, day):
    data = {"farm": farm.pk, "date": day, "session": "morning", "animal": dairy_cow.pk, "quantity": "10"}
    response = as_member(owner).post(reverse("milk:row_save"), data, **HTMX)
    assert response.status_code in (400, 422)
    assert not MilkRecord.objects.exists()


def test_bulk_tank_reading_dated_year_one_is_refused(as_member, owner, farm):
    data = {"farm": farm.pk, "date": ANCIENT, "session": "morning", "quantity": "100"}
    response = as_member(owner).post(reverse("milk:bulk_tank_save"), data, **HTMX)
    assert response.status_code in (302, 422)
    assert not BulkTankReading.objects.exists()


def test_animal_born_before_1950_is_refused(as_member, owner, farm):
    data = {"tag": "OLD-1", "species": "cattle", "sex": "female", "farm": farm.pk, "date_of_birth": "1900-05-01",
            "acquisition": "born", "status": "active"}
    response = as_member(owner).post(reverse("herd:create"), data)
    assert response.status_code == 400 and "1950" in response.content.decode()
    assert not Animal.objects.filter(tag="OLD-1").exists()


def test_expense_dated_year_one_is_refused(as_member, owner, farm):
    from tests.finance.conftest import category

    data = {"key": uuid.uuid4().hex, "farm": farm.pk, "date": ANCIENT, "category": category(owner).pk, "amount": "100",
            "description": "Diesel"}
    response = as_member(owner).post(reverse("money:expense_submit"), data)
    assert response.status_code in (200, 400) and "1950" in response.content.decode()


# Ids in query strings ------------------------------------------------------------------------------


@pytest.mark.parametrize("query", [{"farm": "abc"}, {"category": "1.5"}, {"farm": "-1"}, {"farm": "9" * 40},
                                   {"category": "١"}, {"farm": "1e3"}])
def test_approval_queue_ignores_a_bad_id_in_the_query(as_member, owner, query):
    assert as_member(owner).get(reverse("money:queue"), query).status_code == 200


@pytest.mark.parametrize("query", [{"farm": "abc"}, {"farm": "1.5"}, {"date": "tomorrow"}, {"session": "dawn"}])
def test_milk_entry_ignores_a_bad_query(as_member, owner, farm, query):
    assert as_member(owner).get(reverse("milk:entry"), query).status_code in (200, 400)


def test_sale_form_ignores_bad_ids_in_the_query(as_member, owner, farm):
    assert as_member(owner).get(reverse("money:sale_create"), {"animal": "x", "farm": "2.5"}).status_code == 200


def test_farm_switch_with_a_bad_id_changes_nothing(as_member, owner, farm):
    client = as_member(owner)
    assert client.post(reverse("accounts:farm_switch"), {"farm": "1.5"}).status_code == 302
    assert "farm_id" not in client.session


# Sales ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("quantity", ["0", "-2"])
def test_produce_sale_of_zero_or_less_is_refused(as_member, owner, farm, quantity):
    buyer = make_contact(owner)
    data = {"key": uuid.uuid4().hex, "kind": "milk", "farm": farm.pk, "date": dt.date.today().isoformat(), "buyer": buyer.pk,
            "quantity": quantity, "unit": "L", "unit_price": "50", "animal": "", "live_weight": "", "product": ""}
    response = as_member(owner).post(reverse("money:sale_create"), data)
    assert response.status_code in (200, 400) and "above zero" in response.content.decode()
    assert not Sale.objects.exists()


def test_produce_sale_without_a_quantity_is_refused(as_member, owner, farm):
    buyer = make_contact(owner)
    data = {"key": uuid.uuid4().hex, "kind": "milk", "farm": farm.pk, "date": dt.date.today().isoformat(), "buyer": buyer.pk,
            "quantity": "", "unit": "L", "unit_price": "50", "animal": "", "live_weight": "", "product": ""}
    as_member(owner).post(reverse("money:sale_create"), data)
    assert not Sale.objects.exists()


# Images ------------------------------------------------------------------------------------------


def _png(width: int, height: int) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG", optimize=True)
    return out.getvalue()


@pytest.fixture(scope="module")
def bomb_pngs():
    """Small files that declare huge images: 15,000 and 12,000 pixels square, under 30 KB each."""
    return {side: _png(side, side) for side in (15_000, 12_000)}


@pytest.mark.parametrize("side", [15_000, 12_000])
def test_receipt_photo_past_the_pixel_limit_is_refused_before_decoding(as_member, owner, farm, bomb_pngs, side):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.finance.models import Expense
    from tests.finance.conftest import category

    assert len(bomb_pngs[side]) < 60_000
    data = {"key": uuid.uuid4().hex, "farm": farm.pk, "date": dt.date.today().isoformat(), "category": category(owner).pk,
            "amount": "100", "description": "Diesel", "receipt": SimpleUploadedFile("r.png", bomb_pngs[side], "image/png")}
    response = as_member(owner).post(reverse("money:expense_submit"), data)
    assert response.status_code in (200, 400) and "megapixels" in response.content.decode()
    assert not Expense.objects.exists()


def test_animal_photo_past_the_pixel_limit_is_refused(as_member, owner, farm, bomb_pngs):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"tag": "BIG-1", "species": "cattle", "sex": "female", "farm": farm.pk, "acquisition": "born", "status": "active",
            "photo": SimpleUploadedFile("p.png", bomb_pngs[15_000], "image/png")}
    response = as_member(owner).post(reverse("herd:create"), data)
    assert response.status_code == 400 and "megapixels" in response.content.decode()
    assert not Animal.objects.filter(tag="BIG-1").exists()


def test_profile_photo_past_the_pixel_limit_is_refused(as_member, owner, bomb_pngs):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = as_member(owner)
    data = {"full_name": "Grace", "phone": "", "language": "en", "time_zone": "Africa/Nairobi",
            "photo": SimpleUploadedFile("p.png", bomb_pngs[12_000], "image/png")}
    response = client.post(reverse("accounts:profile"), data)
    assert "megapixels" in response.content.decode()
