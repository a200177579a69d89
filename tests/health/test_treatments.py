"""Treatments draw stock and set withdrawals; the parlour discards withheld milk by itself."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from apps.health.services import administration_record, treatment_record, treatment_void
from apps.milk.models import AnimalDaySummary, MilkRecord
from apps.stock.models import Batch, StockMovement
from tests.factories import TODAY, make_animal
from tests.health.conftest import at, make_batch, make_item

pytestmark = pytest.mark.usefixtures("owner_scope")
HTMX = {"HTTP_HX_REQUEST": "true"}


def treat(owner, cow, batch, given_at, **values):
    values.setdefault("diagnosis", "Clinical mastitis, rear left")
    values.setdefault("route", "intramammary")
    values.setdefault("quarter", "LH")
    return treatment_record(membership=owner, animal=cow, batch=batch, dose=Decimal("1"), dose_unit="tube", given_at=given_at,
                            **values)


def row(client, farm, cow, day, session, quantity, **extra):
    data = {"farm": farm.pk, "date": day.isoformat(), "session": session, "animal": cow.pk, "quantity": quantity, **extra}
    return client.post(reverse("milk:row_save"), data, **HTMX)


def test_a_cow_treated_at_eight_with_72_hours_is_withheld_until_the_session_after(as_member, owner, dairy, cow, tubes):
    day0 = TODAY - dt.timedelta(days=4)
    treatment = treat(owner, cow, tubes, at(dairy, day0, 8))
    assert treatment.milk_withdrawal_ends_at == at(dairy, day0 + dt.timedelta(days=3), 8)
    client = as_member(owner)
    withheld = [(day0, "evening"), (day0 + dt.timedelta(days=1), "morning"), (day0 + dt.timedelta(days=1), "evening"),
                (day0 + dt.timedelta(days=2), "morning"), (day0 + dt.timedelta(days=2), "evening"),
                (day0 + dt.timedelta(days=3), "morning")]
    clean = [(day0, "morning"), (day0 + dt.timedelta(days=3), "evening")]
    for day, session in withheld + clean:
        page = client.get(reverse("milk:entry"), {"farm": dairy.pk, "date": day.isoformat(), "session": session}).content.decode()
        assert ('data-testid="withdrawal"' in page) == ((day, session) in withheld), (day, session)
        assert row(client, dairy, cow, day, session, "9").status_code == 200
    for day, session in withheld:
        record = MilkRecord.objects.get(animal=cow, date=day, session=session)
        assert record.discarded and record.discard_reason == "withdrawal", (day, session)
    for day, session in clean:
        assert not MilkRecord.objects.get(animal=cow, date=day, session=session).discarded
    summary = AnimalDaySummary.objects.get(animal=cow, date=day0 + dt.timedelta(days=1))
    assert summary.discarded == summary.total == Decimal("18")


def test_marking_withheld_milk_as_not_discarded_is_refused(as_member, owner, dairy, cow, tubes):
    treat(owner, cow, tubes, at(dairy, TODAY - dt.timedelta(days=1), 8))
    response = row(as_member(owner), dairy, cow, TODAY - dt.timedelta(days=1), "evening", "9", quality="1", method="machine",
                   udder="normal", appearance="normal")
    assert response.status_code == 422 and "withdrawal" in response.content.decode()
    assert not MilkRecord.objects.filter(animal=cow).exists()


def test_row_save_and_entry_page_keep_their_query_counts(as_member, owner, dairy, cow, tubes):
    client = as_member(owner)
    day = TODAY - dt.timedelta(days=1)
    row(client, dairy, cow, day, "morning", "9")
    with CaptureQueriesContext(connection) as before:
        row(client, dairy, cow, day, "morning", "10")
    treat(owner, cow, tubes, at(dairy, day - dt.timedelta(days=1), 8))
    row(client, dairy, cow, day, "morning", "10.5")  # a change to the herd reads the session's context again, once
    with CaptureQueriesContext(connection) as after:
        row(client, dairy, cow, day, "morning", "11")
    assert len(after) == len(before)


def test_the_dose_is_drawn_from_the_batch_and_a_course_counts_from_the_last_dose(owner, dairy, cow, tubes):
    first = at(dairy, TODAY - dt.timedelta(days=3), 8)
    treatment = treat(owner, cow, tubes, first, administrations_planned=3, interval_hours=24)
    administration_record(membership=owner, treatment=treatment, given_at=first + dt.timedelta(days=1), batch=tubes)
    treatment.refresh_from_db()
    assert treatment.milk_withdrawal_ends_at == first + dt.timedelta(days=1, hours=72)
    assert Batch.objects.get(pk=tubes.pk).quantity == Decimal("8")
    assert StockMovement.objects.filter(batch=tubes, kind="used").count() == 2


def test_void_returns_the_stock_and_lifts_the_withdrawal(owner, dairy, cow, tubes):
    treatment = treat(owner, cow, tubes, at(dairy, TODAY - dt.timedelta(days=1), 8))
    with pytest.raises(ValidationError):
        treatment_void(membership=owner, treatment=treatment, reason=" ")
    treatment_void(membership=owner, treatment=treatment, reason="Wrong cow")
    treatment.refresh_from_db()
    assert treatment.voided_at and treatment.milk_withdrawal_ends_at is None
    assert Batch.objects.get(pk=tubes.pk).quantity == Decimal("10")


@pytest.mark.parametrize(("change", "field"), [
    ({"dose": Decimal("0")}, "dose"),
    ({"dose": Decimal("-1")}, "dose"),
    ({"diagnosis": ""}, "diagnosis"),
    ({"quarter": ""}, "quarter"),
    ({"milk_withdrawal_hours": 24}, "withdrawal_note"),
])
def test_bad_treatments_are_refused_and_save_nothing(owner, dairy, cow, tubes, change, field):
    from apps.health.models import Treatment

    values = {"diagnosis": "Mastitis", "route": "intramammary", "quarter": "LH", "dose": Decimal("1"), **change}
    with pytest.raises(ValidationError) as refused:
        treatment_record(membership=owner, animal=cow, batch=tubes, dose_unit="tube", given_at=at(dairy, TODAY, 0), **values)
    assert field in refused.value.message_dict
    assert not Treatment.objects.exists() and Batch.objects.get(pk=tubes.pk).quantity == Decimal("10")


def test_future_and_pre_treatment_doses_are_refused(owner, dairy, cow, tubes):
    from django.utils import timezone

    with pytest.raises(ValidationError) as future:
        treat(owner, cow, tubes, timezone.now() + dt.timedelta(hours=2))
    assert "given_at" in future.value.message_dict
    treatment = treat(owner, cow, tubes, at(dairy, TODAY - dt.timedelta(days=1), 8))
    with pytest.raises(ValidationError) as early:
        administration_record(membership=owner, treatment=treatment, given_at=at(dairy, TODAY - dt.timedelta(days=2), 8), batch=tubes)
    assert "given_at" in early.value.message_dict


def test_more_than_is_on_hand_or_an_expired_batch_is_refused(owner, dairy, cow):
    item = make_item(owner, name="Pen-strep")
    one_left = make_batch(owner, item, dairy, quantity="0.5")
    with pytest.raises(ValidationError, match="left"):
        treat(owner, cow, one_left, at(dairy, TODAY, 0))
    expired = make_batch(owner, item, dairy, quantity="5", lot="OLD")
    Batch.objects.filter(pk=expired.pk).update(expires_on=TODAY - dt.timedelta(days=30))
    expired.refresh_from_db()
    with pytest.raises(ValidationError, match="expired"):
        treat(owner, cow, expired, at(dairy, TODAY, 0))


def test_a_batch_of_another_farm_or_tenant_is_refused(owner, dairy, cow, other_farm, outsider):
    elsewhere = make_batch(owner, make_item(owner, name="Other tubes"), other_farm)
    with pytest.raises(ValidationError) as refused:
        treat(owner, cow, elsewhere, at(dairy, TODAY, 0))
    assert "batch" in refused.value.message_dict
    with scope(tenant=outsider.tenant_id):
        from apps.farms.models import Farm

        rival = make_batch(outsider, make_item(outsider, name="Rival tubes"), Farm.objects.get(tenant_id=outsider.tenant_id))
    with pytest.raises(ValidationError):
        treat(owner, cow, rival, at(dairy, TODAY, 0))


def test_a_product_not_for_lactating_animals_needs_off_label_and_then_takes_the_cascade(owner, dairy, cow):
    dry_cow_tubes = make_batch(owner, make_item(owner, name="Dry-off tubes", milk_hours=None, meat_days=28,
                                                lactating_allowed=False), dairy)
    with pytest.raises(ValidationError) as refused:
        treat(owner, cow, dry_cow_tubes, at(dairy, TODAY, 0))
    assert "off_label" in refused.value.message_dict
    treatment = treat(owner, cow, dry_cow_tubes, at(dairy, TODAY, 0), off_label=True)
    assert treatment.off_label and treatment.milk_withdrawal_hours == 7 * 24 and treatment.meat_withdrawal_days == 42


def test_a_product_bought_in_takes_the_cascade_minimums(owner, dairy, cow):
    treatment = treatment_record(membership=owner, animal=cow, product_name="Neighbour's spray", lot="X9", dose=Decimal("5"),
                                 dose_unit="mL", route="topical", given_at=at(dairy, TODAY, 0), diagnosis="Wound")
    assert treatment.off_label and (treatment.milk_withdrawal_hours, treatment.meat_withdrawal_days) == (168, 28)


def test_a_sold_animal_cannot_be_treated(owner, dairy, tubes):
    sold = make_animal(owner, dairy, tag="GONE", status="sold", status_on=TODAY - dt.timedelta(days=3))
    with pytest.raises(ValidationError) as refused:
        treat(owner, sold, tubes, at(dairy, TODAY, 0))
    assert "animal" in refused.value.message_dict


@pytest.mark.django_db(transaction=True)
def test_two_people_drawing_the_last_dose_at_once_give_one_success(postgres, owner, dairy):
    from tests.milk.conftest import make_cows

    cows = make_cows(owner, dairy, 2, prefix="RACE")
    last = make_batch(owner, make_item(owner, name="Last tube"), dairy, quantity="1")
    results, barrier = [], threading.Barrier(2)

    def give(cow):
        from django.db import connections

        try:
            with scope(tenant=owner.tenant_id):
                barrier.wait()
                treat(owner, cow, last, at(dairy, TODAY, 0))
            results.append("ok")
        except ValidationError as error:
            results.append(" ".join(error.messages))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=give, args=(cow,)) for cow in cows]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(results)[-1] == "ok" and results.count("ok") == 1 and "left" in sorted(results)[0]
    assert Batch.objects.get(pk=last.pk).quantity == Decimal("0")


def _animal_sale(client, farm, cow, purpose, acknowledged=False):
    import uuid

    from tests.finance.conftest import make_contact

    data = {"key": uuid.uuid4().hex, "kind": "animal", "farm": farm.pk, "date": TODAY.isoformat(),
            "buyer": make_contact(client.owner, name=f"Buyer {uuid.uuid4().hex[:6]}").pk, "animal": cow.pk, "purpose": purpose,
            "unit_price": "60000", "live_weight": "", "product": "", "quantity": "", "unit": ""}
    if acknowledged:
        data["withdrawal_acknowledged"] = "on"
    return client.post(reverse("money:sale_create"), data)


def test_meat_withdrawal_blocks_a_sale_for_slaughter_and_needs_an_acknowledgement_alive(as_member, owner, dairy, cow, tubes):
    from apps.audit.models import AuditEntry
    from apps.finance.models import Sale

    treatment = treat(owner, cow, tubes, at(dairy, TODAY - dt.timedelta(days=1), 8))
    client = as_member(owner)
    client.owner = owner
    refused = _animal_sale(client, dairy, cow, "slaughter")
    assert refused.status_code in (200, 400) and f"until {treatment.meat_withdrawal_ends_on:%d %b %Y}" in refused.content.decode()
    assert "confirm the buyer" in _animal_sale(client, dairy, cow, "alive").content.decode()
    assert not Sale.objects.exists()
    assert _animal_sale(client, dairy, cow, "alive", acknowledged=True).status_code == 302
    sale = Sale.objects.get()
    assert sale.withdrawal_acknowledged_until == treatment.meat_withdrawal_ends_on
    entry = AuditEntry.objects.filter(action="sale.record").get()
    assert entry.after["withdrawal_acknowledged_until"] == treatment.meat_withdrawal_ends_on.isoformat()


def test_culling_under_meat_withdrawal_is_refused(as_member, owner, dairy, cow, tubes):
    from apps.herd.services import animal_update

    treatment = treat(owner, cow, tubes, at(dairy, TODAY - dt.timedelta(days=1), 8))
    with pytest.raises(ValidationError) as refused:
        animal_update(membership=owner, animal=cow, status="culled", status_on=TODAY, status_reason="Lame")
    assert f"{treatment.meat_withdrawal_ends_on:%d %b %Y}" in str(refused.value)


def test_the_dashboard_counts_withheld_milk_as_discarded_and_prices_it(as_member, owner, dairy, cow, tubes):
    treat(owner, cow, tubes, at(dairy, TODAY - dt.timedelta(days=2), 8))
    client = as_member(owner)
    with_price = client.post(reverse("money:settings"), {"price": "50"})
    assert with_price.status_code == 302
    row(client, dairy, cow, TODAY - dt.timedelta(days=1), "morning", "9")
    card = client.get(reverse("milk:dashboard_card", args=["production"])).content.decode()
    assert "Discarded in 7 days: 9.0 L" in card and "KES\xa0450.00 lost at KES\xa050.00 a L" in card
    assert client.post(reverse("money:settings"), {"price": "-3"}).status_code == 400


def test_milk_saved_before_a_late_entered_treatment_becomes_discarded(as_member, owner, dairy, cow, tubes):
    day0 = TODAY - dt.timedelta(days=2)
    client = as_member(owner)
    for day, session in [(day0, "morning"), (day0, "evening"), (day0 + dt.timedelta(days=1), "morning")]:
        row(client, dairy, cow, day, session, "10")
    treat(owner, cow, tubes, at(dairy, day0, 8))  # entered afterwards, given at 08:00 on day 0
    records = {(r.date, r.session): r for r in MilkRecord.objects.filter(animal=cow)}
    assert not records[(day0, "morning")].discarded  # milked before the dose
    assert records[(day0, "evening")].discarded and records[(day0, "evening")].discard_reason == "withdrawal"
    assert records[(day0 + dt.timedelta(days=1), "morning")].discarded
    assert AnimalDaySummary.objects.get(animal=cow, date=day0).discarded == Decimal("10")
