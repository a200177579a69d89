"""The Health and Stock pages, posted as a browser posts them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.health.models import Treatment
from apps.stock.models import Batch, StockItem, WithdrawalPeriod
from tests.factories import TODAY, make_member
from tests.formdata import form_data
from tests.health.conftest import make_batch, make_item

pytestmark = pytest.mark.usefixtures("owner_scope")


def test_vet_records_a_treatment_from_stock(as_member, owner, dairy, cow, tubes):
    vet = make_member(owner, "vet")
    client = as_member(vet)
    page = client.get(reverse("health:treatment_create") + f"?animal={cow.pk}").content.decode()
    data = form_data(page, "treatment-form")
    assert data["animal"] == str(cow.pk)
    given = (dt.datetime.now() - dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    data.update({"diagnosis": "Mastitis RL", "batch": tubes.pk, "dose": "1", "dose_unit": "tube", "route": "intramammary",
                 "quarter": "LH", "given_at": given, "prescribing_vet": "Dr Wambui", "prescription_ref": "RX-88"})
    response = client.post(reverse("health:treatment_create"), data)
    treatment = Treatment.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("health:treatment", args=[treatment.pk])
    assert treatment.recorded_by == vet and treatment.milk_withdrawal_hours == 72
    assert Batch.objects.get(pk=tubes.pk).quantity == Decimal("9")
    detail = client.get(response["Location"]).content.decode()
    assert "Dr Wambui" in detail and "RX-88" in detail
    home = client.get(reverse("health:home")).content.decode()
    assert cow.tag in home and "Milk until" in home


def test_a_bad_treatment_form_shows_its_message_and_saves_nothing(as_member, owner, dairy, cow, tubes):
    client = as_member(owner)
    data = form_data(client.get(reverse("health:treatment_create")).content.decode(), "treatment-form")
    data.update({"animal": cow.pk, "diagnosis": "Lame", "batch": tubes.pk, "dose": "0", "dose_unit": "tube", "route": "im"})
    response = client.post(reverse("health:treatment_create"), data)
    assert response.status_code == 400 and "above zero" in response.content.decode()
    assert not Treatment.objects.exists()


def test_milker_sees_withdrawals_but_does_not_record_treatments(as_member, owner, dairy):
    client = as_member(make_member(owner, "milker", farms=[dairy]))
    assert client.get(reverse("health:home")).status_code == 200
    assert client.get(reverse("health:treatment_create")).status_code == 403


def test_viewer_cannot_change_stock(as_member, owner):
    client = as_member(make_member(owner, "viewer"))
    assert client.get(reverse("stock:home")).status_code == 200
    assert client.get(reverse("stock:item_create")).status_code == 403
    assert client.get(reverse("stock:receive")).status_code == 403


def test_owner_adds_a_medicine_with_its_label_and_receives_a_delivery(as_member, owner, dairy):
    client = as_member(owner)
    data = form_data(client.get(reverse("stock:item_create")).content.decode(), "item-form")
    data.update({"kind": "medicine", "name": "Oxytetracycline 20%", "unit": "mL", "reorder_level": "100",
                 "milk_cattle": "168", "meat_cattle": "28", "milk_goat": "", "meat_goat": "21"})
    assert client.post(reverse("stock:item_create"), data).status_code == 302
    item = StockItem.objects.get(name="Oxytetracycline 20%")
    periods = {p.species: (p.milk_hours, p.meat_days) for p in WithdrawalPeriod.objects.filter(item=item)}
    assert periods == {"cattle": (168, 28), "goat": (None, 21)}
    receive = form_data(client.get(reverse("stock:receive")).content.decode(), "receive-form")
    receive.update({"item": item.pk, "farm": dairy.pk, "quantity": "250", "lot": "OX-7", "unit_cost": "12.50",
                    "expires_on": (TODAY + dt.timedelta(days=20)).isoformat()})
    assert client.post(reverse("stock:receive"), receive).status_code == 302
    page = client.get(reverse("stock:home")).content.decode()
    assert "Oxytetracycline 20%" in page and "3,125.00" in page and "OX-7" in page  # value, and expiring soon


@pytest.mark.parametrize("bad", [{"quantity": "0"}, {"quantity": "-5"}, {"expires_on": "0001-01-01"}, {"unit_cost": "-1"}])
def test_bad_deliveries_are_refused(as_member, owner, dairy, bad):
    item = make_item(owner, name="Bad delivery item")
    client = as_member(owner)
    data = {"item": item.pk, "farm": dairy.pk, "quantity": "10", "lot": "", "expires_on": "", "unit_cost": "", "supplier": "",
            **bad}
    assert client.post(reverse("stock:receive"), data).status_code == 400
    assert not Batch.objects.filter(item=item).exists()


def test_an_adjustment_needs_a_reason(as_member, owner, dairy):
    batch = make_batch(owner, make_item(owner, name="Counted"), dairy, quantity="10")
    client = as_member(owner)
    assert client.post(reverse("stock:batch_adjust", args=[batch.pk]), {"counted": "7", "reason": ""}).status_code == 400
    assert client.post(reverse("stock:batch_adjust", args=[batch.pk]), {"counted": "7", "reason": "Shelf count"}).status_code == 302
    assert Batch.objects.get(pk=batch.pk).quantity == Decimal("7")


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "pdf"])
def test_the_medicine_book_lists_every_dose_for_an_inspector(as_member, owner, dairy, cow, tubes, file_format):
    import csv
    import io

    from apps.health.services import treatment_void
    from tests.health.conftest import at
    from tests.health.test_treatments import treat

    kept = treat(owner, cow, tubes, at(dairy, TODAY - dt.timedelta(days=2), 8), prescribing_vet="Dr Wambui", prescription_ref="RX-1")
    wrong = treat(owner, cow, tubes, at(dairy, TODAY - dt.timedelta(days=1), 9))
    treatment_void(membership=owner, treatment=wrong, reason="Entered twice")
    response = as_member(owner).get(reverse("health:book"), {"format": file_format})
    assert response.status_code == 200
    if file_format == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        headers, doses = rows[1], rows[2:]
        assert headers[:6] == ["Date given", "Product", "Batch (lot)", "Quantity", "Supplier", "Animal"]
        assert len(doses) == 2 and doses[0][1] == kept.product_name and doses[0][2] == "L-1" and doses[0][5] == cow.tag
        assert doses[0][8] == "Dr Wambui" and doses[0][9] == "RX-1" and doses[0][10] == "72"
        assert doses[1][-1] == "void: Entered twice"
    else:
        assert response.content[:4] in (b"PK\x03\x04", b"%PDF")


def test_the_medicine_book_refuses_a_reversed_period(as_member, owner):
    response = as_member(owner).get(reverse("health:book"), {"since": "2026-05-01", "until": "2026-04-01"})
    assert response.status_code == 400


def test_a_vaccination_campaign_draws_a_dose_each_and_sets_the_booster(as_member, owner, dairy):
    from apps.herd.services import animal_group_create
    from tests.factories import make_animal

    vaccine = make_item(owner, name="Lumpy skin vaccine", kind="vaccine", unit="dose", milk_hours=0, meat_days=0)
    StockItem.objects.filter(pk=vaccine.pk).update(booster_days=5)
    batch = make_batch(owner, vaccine, dairy, quantity="10")
    group = animal_group_create(membership=owner, farm=dairy, name="Heifers")
    for n in range(2):
        make_animal(owner, dairy, tag=f"HF-{n}", group=group)
    other = make_animal(owner, dairy, tag="OTHER-1")
    client = as_member(owner)
    page = client.get(reverse("health:vaccinate") + f"?animal={other.pk}&animal=bad").content.decode()
    data = form_data(page, "vaccinate-form")
    assert data.get("animals") == str(other.pk)
    data.update({"group": group.pk, "batch": batch.pk, "dose": "1", "dose_unit": "dose", "route": "sc",
                 "given_at": (dt.datetime.now() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")})
    response = client.post(reverse("health:vaccinate"), data)
    assert response.status_code == 302
    vaccinations = Treatment.objects.filter(kind="vaccination")
    assert sorted(v.animal.tag for v in vaccinations) == ["HF-0", "HF-1", "OTHER-1"]
    assert Batch.objects.get(pk=batch.pk).quantity == Decimal("7")
    assert all(v.next_due_on == v.first_given_at.astimezone(dairy.zone).date() + dt.timedelta(days=5) for v in vaccinations)
    home = client.get(reverse("health:home")).content.decode()
    assert "Vaccinations due this week" in home and "HF-0" in home.split("Vaccinations due this week")[1]


def test_a_campaign_with_a_sold_animal_saves_nothing(as_member, owner, dairy):
    from apps.health.services import vaccination_record
    from tests.factories import make_animal

    vaccine = make_item(owner, name="FMD vaccine", kind="vaccine", unit="dose", milk_hours=0, meat_days=0)
    batch = make_batch(owner, vaccine, dairy, quantity="10")
    alive = make_animal(owner, dairy, tag="ALIVE")
    gone = make_animal(owner, dairy, tag="GONE", status="dead", status_on=TODAY - dt.timedelta(days=2))
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="GONE"):
        vaccination_record(membership=owner, animals=[alive, gone], batch=batch, dose=Decimal("1"), dose_unit="dose", route="sc",
                           given_at=dt.datetime.now(dairy.zone) - dt.timedelta(hours=1))
    assert not Treatment.objects.exists() and Batch.objects.get(pk=batch.pk).quantity == Decimal("10")


def test_the_animal_page_timeline_shows_treatments(as_member, owner, dairy, cow, tubes):
    from tests.health.conftest import at
    from tests.health.test_treatments import treat

    treatment = treat(owner, cow, tubes, at(dairy, TODAY - dt.timedelta(days=1), 8))
    page = as_member(owner).get(reverse("herd:detail", args=[cow.pk])).content.decode()
    assert f'href="{reverse("health:treatment", args=[treatment.pk])}">treated: Clinical mastitis, rear left, Masticlear' in page
    assert "milk withdrawal until" in page


def test_home_shows_animals_under_withdrawal_and_stock_alerts(as_member, owner, dairy, cow, tubes):
    from tests.health.conftest import at
    from tests.health.test_treatments import treat

    StockItem.objects.filter(pk=tubes.item_id).update(reorder_level=Decimal("20"))
    treat(owner, cow, tubes, at(dairy, TODAY - dt.timedelta(days=1), 8))
    page = as_member(owner).get(reverse("home")).content.decode()
    section = page.split('id="health-heading"')[1]
    assert cow.tag in section and "milk clean from the evening milking" in section and "1 item low" in section


def test_a_health_check_marks_vitals_out_of_range_and_shows_on_the_timeline(as_member, owner, dairy, cow):
    from apps.health.models import HealthCheck

    client = as_member(make_member(owner, "vet"))
    data = form_data(client.get(reverse("health:check_create") + f"?animal={cow.pk}").content.decode(), "check-form")
    data.update({"temperature": "40.6", "heart_rate": "70", "body_condition": "2.75", "mobility": "1", "findings": ["mastitis"],
                 "quarter": "LF", "notes": "Hard quarter"})
    response = client.post(reverse("health:check_create"), data, follow=True)
    text = response.content.decode()
    assert "Out of the normal range: Temperature (°C)." in text
    assert "checked: Mastitis (out of range: temperature)" in text
    check = HealthCheck.objects.get()
    assert check.findings == ["mastitis"] and check.quarter == "LF" and check.foot == ""


@pytest.mark.parametrize(("change", "field"), [
    ({"body_condition": "3.3"}, "body_condition"),
    ({"body_condition": "5.5"}, "body_condition"),
    ({"temperature": "50"}, "temperature"),
    ({"mobility": "4"}, "mobility"),
    ({"findings": ["lameness"]}, "foot"),
    ({"checked_at": "2099-01-01T08:00"}, "checked_at"),
])
def test_bad_health_checks_are_refused(as_member, owner, dairy, cow, change, field):
    from apps.health.models import HealthCheck

    client = as_member(owner)
    data = form_data(client.get(reverse("health:check_create") + f"?animal={cow.pk}").content.decode(), "check-form")
    data.update(change)
    response = client.post(reverse("health:check_create"), data)
    assert response.status_code == 400
    assert not HealthCheck.objects.exists()


def test_goats_score_body_condition_in_half_points(owner, dairy):
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from apps.health.services import health_check_record
    from tests.factories import make_animal

    goat = make_animal(owner, dairy, tag="G-1", species="goat")
    with pytest.raises(ValidationError):
        health_check_record(membership=owner, animal=goat, checked_at=timezone.now(), findings=[], body_condition=Decimal("3.25"))
    assert health_check_record(membership=owner, animal=goat, checked_at=timezone.now(), findings=[],
                               body_condition=Decimal("3.5")).body_condition == Decimal("3.5")


def test_stock_moves_between_farms_with_its_lot(as_member, owner, dairy, other_farm):
    batch = make_batch(owner, make_item(owner, name="Movable"), dairy, quantity="10", lot="MV-1")
    client = as_member(owner)
    assert client.post(reverse("stock:batch_move", args=[batch.pk]), {"to_farm": other_farm.pk, "quantity": "11"}).status_code == 400
    assert client.post(reverse("stock:batch_move", args=[batch.pk]), {"to_farm": other_farm.pk, "quantity": "4"}).status_code == 302
    moved = Batch.objects.get(farm=other_farm)
    assert moved.lot == "MV-1" and moved.quantity == Decimal("4") and Batch.objects.get(pk=batch.pk).quantity == Decimal("6")


def test_a_delivery_can_be_linked_to_an_approved_expense_only(as_member, owner, dairy):
    from apps.stock.models import StockMovement
    from tests.finance.conftest import submit

    item = make_item(owner, name="Linked item")
    approved = submit(owner, dairy, "500", description="Tubes from the agrovet")  # an owner's own expense is approved
    client = as_member(owner)
    data = {"item": item.pk, "farm": dairy.pk, "quantity": "6", "lot": "", "expires_on": "", "unit_cost": "", "supplier": "",
            "expense": approved.pk, "invoice": ""}
    assert client.post(reverse("stock:receive"), data).status_code == 302
    assert StockMovement.objects.get(kind="received", batch__item=item).expense_id == approved.pk



def test_a_group_is_treated_at_once_all_or_none(as_member, owner, dairy, tubes):
    from apps.herd.services import animal_group_create
    from tests.factories import make_animal

    calves = animal_group_create(membership=owner, farm=dairy, name="Calf pen")
    for n in range(3):
        make_animal(owner, dairy, tag=f"CALF-{n}", group=calves, date_of_birth=TODAY - dt.timedelta(days=60))
    client = as_member(owner)
    data = form_data(client.get(reverse("health:treatment_create")).content.decode(), "treatment-form")
    data.update({"group": calves.pk, "diagnosis": "Scours", "batch": tubes.pk, "dose": "4", "dose_unit": "tube", "route": "oral"})
    refused = client.post(reverse("health:treatment_create"), data)  # 3 x 4 tubes: only 10 on hand
    assert refused.status_code == 400 and not Treatment.objects.exists()
    data["dose"] = "2"
    assert client.post(reverse("health:treatment_create"), data).status_code == 302
    assert Treatment.objects.filter(animal__group=calves).count() == 3 and Batch.objects.get(pk=tubes.pk).quantity == Decimal("4")


def test_a_treatment_needs_an_animal_or_a_group(as_member, owner, dairy, tubes):
    client = as_member(owner)
    data = form_data(client.get(reverse("health:treatment_create")).content.decode(), "treatment-form")
    data.update({"diagnosis": "Scours", "batch": tubes.pk, "dose": "1", "dose_unit": "tube", "route": "oral"})
    response = client.post(reverse("health:treatment_create"), data)
    assert response.status_code == 400 and "Pick the animal treated, or a group." in response.content.decode()


def test_feed_used_from_stock_goes_down_and_too_much_is_refused(as_member, owner, dairy):
    from apps.stock.models import StockMovement

    meal = make_batch(owner, make_item(owner, name="Dairy meal", kind="feed", unit="bag"), dairy, quantity="12", lot="")
    client = as_member(owner)
    assert client.post(reverse("stock:batch_use", args=[meal.pk]), {"quantity": "13", "reason": "Fed"}).status_code == 400
    assert client.post(reverse("stock:batch_use", args=[meal.pk]), {"quantity": "2", "reason": ""}).status_code == 400
    assert client.post(reverse("stock:batch_use", args=[meal.pk]), {"quantity": "2", "reason": "Milking herd"}).status_code == 302
    assert Batch.objects.get(pk=meal.pk).quantity == Decimal("10")
    assert StockMovement.objects.get(batch=meal, kind="used").reason == "Milking herd"


def test_a_worker_treats_only_on_their_farm(as_member, owner, dairy, other_farm, cow, tubes):
    worker = make_member(owner, "worker", farms=[dairy])
    on_farm = as_member(worker)
    data = form_data(on_farm.get(reverse("health:treatment_create")).content.decode(), "treatment-form")
    base = {**data, "animal": cow.pk, "diagnosis": "Mastitis", "batch": tubes.pk, "dose": "1", "dose_unit": "tube",
            "route": "intramammary", "quarter": "LH"}
    elsewhere = as_member(make_member(owner, "worker", farms=[other_farm]))
    page = elsewhere.get(reverse("health:treatment_create")).content.decode()
    assert cow.tag not in page and "Masticlear" not in page
    assert elsewhere.post(reverse("health:treatment_create"), base).status_code == 400
    assert not Treatment.objects.exists()
    on_farm = as_member(worker)  # the test client is one browser: sign the worker back in
    assert on_farm.post(reverse("health:treatment_create"), base).status_code == 302
    assert Treatment.objects.count() == 1


def test_the_treatment_form_offers_the_medicine_in_stock_and_keeps_the_rest_behind_headings(as_member, owner, dairy, cow, tubes):
    """The medicine a farm holds is the usual case: its batch is chosen, "bought in" is the exception; the course,
    the prescription and a changed withdrawal wait closed until they hold something."""
    page = as_member(owner).get(reverse("health:treatment_create") + f"?animal={cow.pk}").content.decode()
    assert f'<option value="{tubes.pk}" selected>' in page
    assert page.count("<details ") == 4 and " open>" not in page
    assert page.index('name="diagnosis"') < page.index('name="prescribing_vet"')
    data = form_data(page, "treatment-form", fill={"diagnosis": "Mastitis", "dose": "1", "given_at": "1990-01-01T08:00",
                                                   "prescribing_vet": "Dr Wambui"})
    response = as_member(owner).post(reverse("health:treatment_create"), data)  # refused for its date
    assert response.status_code == 400 and "Dr Wambui" in response.content.decode()
    assert response.content.decode().count(" open>") == 1  # the prescription, which holds a value


def test_the_vaccination_list_can_be_searched_filtered_and_ticked_at_once(as_member, owner, dairy, other_farm):
    from tests.factories import make_animal

    make_animal(owner, dairy, tag="VAC-1")
    make_animal(owner, other_farm, tag="VAC-2")
    page = as_member(owner).get(reverse("health:vaccinate")).content.decode()
    assert 'class="form-control form-control-sm js-tick-search"' in page and "js-tick-all" in page
    assert f'data-farm="{other_farm.pk}"' in page and 'id="tick-farm"' in page


def test_the_health_page_is_kept_until_a_treatment_or_the_stock_changes(as_member, owner, dairy):
    """Kept drawn (apps.core.fragments) from the herd and the stock: a new item below its reorder level shows at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_member(owner)
    client.get(reverse("health:home"))
    with CaptureQueriesContext(connection) as kept:
        assert "Nothing low or expiring." in client.get(reverse("health:home")).content.decode()
    item = make_item(owner, name="Oxytetracycline")
    StockItem.objects.filter(pk=item.pk).update(reorder_level=5)
    item.refresh_from_db()
    item.save()  # through save(), as the stock pages write: the page is drawn again
    make_batch(owner, item, dairy, quantity="2")
    page = client.get(reverse("health:home")).content.decode()
    assert "Low: Oxytetracycline (2 tube)" in page
    assert len(kept) <= 8
