"""Voiding a birth, the outside register, hire agreements and their invoice, tasks and the morning round."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.breeding.models import Birth, SireHire, Task
from apps.breeding.services import (
    birth_record,
    birth_void,
    hire_end,
    hire_save,
    hires_end_due,
    next_due,
    reminders_send,
    service_record,
    task_close,
    task_save,
)
from apps.farms.services import external_farm_save
from apps.finance.models import Invoice
from apps.herd.lifecycle import event_record
from apps.herd.models import Animal
from apps.herd.services import outside_sire_save
from apps.milk.models import Lactation
from apps.notify.models import Notification
from tests.factories import TODAY, make_animal, make_member
from tests.formdata import form_data
from tests.milk.conftest import start_lactation

pytestmark = pytest.mark.usefixtures("owner_scope")


@pytest.fixture
def cow(owner, farm):
    return make_animal(owner, farm, tag="COW-7", date_of_birth=TODAY - dt.timedelta(days=2000))


@pytest.fixture
def neighbour(owner):
    return external_farm_save(membership=owner, name="Kamau Farm", holding_number="KE-123", contact="0700 000 000")


@pytest.fixture
def hired_bull(owner, neighbour):
    return outside_sire_save(membership=owner, name="Simba", species="cattle", owner=neighbour, registration_number="KSB-9")


def calve(owner, cow, **values):
    service_record(membership=owner, animal=cow, served_on=TODAY - dt.timedelta(days=282), method="ai", outside_sire="AI bull")
    return birth_record(membership=owner, animal=cow, born_on=TODAY, ease=1, **values)


# Voiding a birth ---------------------------------------------------------------------------------


def test_voiding_a_birth_removes_untouched_offspring_and_the_lactation_it_started(owner, cow):
    old = start_lactation(owner, cow, calving_date=TODAY - dt.timedelta(days=400))
    birth = calve(owner, cow, offspring=[{"sex": "female", "outcome": "alive", "tag": "CALF-A", "weight": Decimal("35")}])
    assert Lactation.objects.get(animal=cow, dried_off_on=None).calving_date == TODAY
    kept = birth_void(membership=owner, birth=birth, reason="entered on the wrong cow")
    assert kept == []
    assert not Animal.objects.filter(tag="CALF-A").exists()
    old.refresh_from_db()
    assert old.dried_off_on is None  # the lactation the birth closed is open again
    assert list(Lactation.objects.filter(animal=cow)) == [old]
    birth.refresh_from_db()
    assert birth.voided_at and birth.void_reason == "entered on the wrong cow"
    with pytest.raises(ValidationError, match="already void"):
        birth_void(membership=owner, birth=birth, reason="again")


def test_an_offspring_with_other_records_stays_when_the_birth_is_void(owner, cow):
    birth = calve(owner, cow, offspring=[{"sex": "female", "outcome": "alive", "tag": "CALF-A"},
                                         {"sex": "male", "outcome": "alive", "tag": "CALF-B"}])
    calf_b = Animal.objects.get(tag="CALF-B")
    event_record(membership=owner, animal=calf_b, kind="weight", on=TODAY, weight_kg=Decimal("40"))
    assert birth_void(membership=owner, birth=birth, reason="wrong dam") == ["CALF-B"]
    assert list(Animal.objects.filter(tag__startswith="CALF-").values_list("tag", flat=True)) == ["CALF-B"]


def test_a_void_birth_no_longer_closes_the_service(owner, cow, as_member):
    birth = calve(owner, cow, offspring=[{"sex": "female", "outcome": "alive", "tag": "CALF-A"}])
    birth_void(membership=owner, birth=birth, reason="typo")
    assert not Birth.objects.filter(voided_at=None).exists()
    # She can give birth again on the right date.
    birth_record(membership=owner, animal=cow, born_on=TODAY, ease=1, offspring=[{"sex": "female", "outcome": "alive", "tag": "CALF-A"}])


def test_voiding_from_the_page_needs_a_reason_and_the_right(owner, cow, as_member):
    birth = calve(owner, cow, offspring=[{"sex": "female", "outcome": "alive", "tag": "CALF-A"}])
    url = reverse("breeding:birth_void", args=[birth.pk])
    assert as_member(make_member(owner, "viewer")).post(url, {"reason": "x"}).status_code == 403
    client = as_member(owner)
    client.post(url, {"reason": ""})
    assert Animal.objects.filter(tag="CALF-A").exists()
    page = client.get(reverse("breeding:animal", args=[cow.pk])).content.decode()
    client.post(url, form_data(page, action=url, fill={"reason": "double entry"}))
    assert not Animal.objects.filter(tag="CALF-A").exists()


# The outside register ------------------------------------------------------------------------------


def test_an_offspring_takes_its_registered_outside_sire(owner, cow, hired_bull):
    service_record(membership=owner, animal=cow, served_on=TODAY - dt.timedelta(days=282), method="natural", registered_sire=hired_bull)
    birth_record(membership=owner, animal=cow, born_on=TODAY, ease=1, offspring=[{"sex": "male", "outcome": "alive", "tag": "SON"}])
    son = Animal.objects.get(tag="SON")
    assert (son.registered_sire_id, son.sire_id, son.sire_external) == (hired_bull.pk, None, "")


def test_the_register_refuses_duplicates_and_sires_of_another_species(owner, farm, hired_bull):
    with pytest.raises(ValidationError, match="already"):
        outside_sire_save(membership=owner, name="simba", species="cattle")
    with pytest.raises(ValidationError, match="already"):
        external_farm_save(membership=owner, name="KAMAU FARM")
    goat = make_animal(owner, farm, tag="NANNY", species="goat", date_of_birth=TODAY - dt.timedelta(days=800))
    with pytest.raises(ValidationError) as error:
        service_record(membership=owner, animal=goat, served_on=TODAY, method="natural", registered_sire=hired_bull)
    assert "registered_sire" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        outside_sire_save(membership=make_member(owner, "viewer"), name="X", species="cattle")


def test_an_embryo_transfer_gives_the_calf_its_genetic_dam(owner, farm, cow, hired_bull):
    donor = make_animal(owner, farm, tag="DONOR", date_of_birth=TODAY - dt.timedelta(days=2500))
    service_record(membership=owner, animal=cow, served_on=TODAY - dt.timedelta(days=282), method="embryo", registered_sire=hired_bull,
                   genetic_dam=donor)
    birth_record(membership=owner, animal=cow, born_on=TODAY, ease=1, offspring=[{"sex": "female", "outcome": "alive", "tag": "ET-1"}])
    calf = Animal.objects.get(tag="ET-1")
    assert (calf.dam_id, calf.genetic_dam_id, calf.registered_sire_id) == (cow.pk, donor.pk, hired_bull.pk)
    with pytest.raises(ValidationError, match="embryo"):
        service_record(membership=owner, animal=donor, served_on=TODAY, method="ai", outside_sire="X", genetic_dam=cow)


# Hire agreements ---------------------------------------------------------------------------------


def hire(owner, farm, neighbour, bull, **values):
    values = {"direction": "in", "starts_on": TODAY - dt.timedelta(days=30), "ends_on": TODAY - dt.timedelta(days=1),
              "basis": "service", "fee": Decimal("1500"), **values}
    return hire_save(membership=owner, farm=farm, other_farm=neighbour, outside_sire=bull, **values)


def test_an_agreement_ending_before_it_starts_is_refused(owner, farm, neighbour, hired_bull):
    with pytest.raises(ValidationError) as error:
        hire(owner, farm, neighbour, hired_bull, starts_on=TODAY, ends_on=TODAY - dt.timedelta(days=1))
    assert "ends_on" in error.value.message_dict
    assert not SireHire.objects.exists()


def test_the_hire_invoice_is_made_once_even_when_the_job_runs_twice(owner, farm, cow, neighbour, hired_bull):
    agreement = hire(owner, farm, neighbour, hired_bull)
    service_record(membership=owner, animal=cow, served_on=TODAY - dt.timedelta(days=10), method="natural", hire=agreement)
    assert hires_end_due(tenant_id=owner.tenant_id, today=TODAY) == [agreement.pk]
    assert hires_end_due(tenant_id=owner.tenant_id, today=TODAY) == []
    hire_end(hire=agreement)  # a click on "end" after the job: still the same invoice
    invoice = Invoice.objects.get()
    assert (invoice.kind, invoice.total, invoice.contact.name, invoice.farm_id) == ("purchase", Decimal("1500.00"), "Kamau Farm", farm.pk)
    assert invoice.status == "issued"
    with pytest.raises(ValidationError, match="invoiced"):
        hire_save(membership=owner, hire=agreement, fee=Decimal("1"))


def test_a_sire_lent_out_per_day_becomes_a_sales_invoice(owner, farm, neighbour):
    bull = make_animal(owner, farm, tag="OUR-BULL", sex="male", date_of_birth=TODAY - dt.timedelta(days=1500))
    agreement = hire_save(membership=owner, farm=farm, other_farm=neighbour, own_sire=bull, direction="out", basis="day",
                          fee=Decimal("200"), starts_on=TODAY - dt.timedelta(days=9), ends_on=TODAY)
    invoice = hire_end(hire=agreement, membership=owner)
    assert (invoice.kind, invoice.total) == ("sales", Decimal("2000.00"))  # 10 days


def test_a_service_outside_the_agreement_period_is_refused(owner, farm, cow, neighbour, hired_bull):
    agreement = hire(owner, farm, neighbour, hired_bull, starts_on=TODAY - dt.timedelta(days=5), ends_on=TODAY)
    with pytest.raises(ValidationError) as error:
        service_record(membership=owner, animal=cow, served_on=TODAY - dt.timedelta(days=8), method="natural", hire=agreement)
    assert "hire" in error.value.message_dict


def test_the_agreement_pages(owner, farm, neighbour, hired_bull, as_member):
    client = as_member(owner)
    page = client.get(reverse("breeding:hire_create")).content.decode()
    data = form_data(page, "hire-form", fill={
        "farm": str(farm.pk), "other_farm": str(neighbour.pk), "outside_sire": str(hired_bull.pk),
        "starts_on": TODAY.isoformat(), "ends_on": (TODAY + dt.timedelta(days=60)).isoformat(), "fee": "5000", "basis": "flat"})
    response = client.post(reverse("breeding:hire_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    agreement = SireHire.objects.get()
    assert client.get(reverse("breeding:hire", args=[agreement.pk])).status_code == 200
    assert "Simba" in client.get(reverse("breeding:hires")).content.decode()
    bad = dict(data, ends_on=(TODAY - dt.timedelta(days=3)).isoformat())
    assert client.post(reverse("breeding:hire_create"), bad).status_code == 400
    assert SireHire.objects.count() == 1


# Tasks ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("repeat", "due", "following"), [
    ("", dt.date(2026, 1, 31), None), ("daily", dt.date(2026, 1, 31), dt.date(2026, 2, 1)),
    ("weekly", dt.date(2026, 12, 28), dt.date(2027, 1, 4)), ("monthly", dt.date(2026, 1, 31), dt.date(2026, 2, 28)),
])
def test_when_a_repeating_task_comes_round(repeat, due, following):
    assert next_due(due, repeat) == following


def test_a_repeating_task_comes_back_when_done(owner, farm):
    worker = make_member(owner, "worker")
    task = task_save(membership=owner, farm=farm, title="Clean the water troughs", due_on=TODAY, assignee=worker, repeat="weekly")
    following = task_close(membership=worker, task=task, state="done")
    task.refresh_from_db()
    assert (task.state, task.closed_by_id) == ("done", worker.pk)
    assert following.due_on == TODAY + dt.timedelta(days=7) and following.assignee_id == worker.pk
    with pytest.raises(ValidationError, match="Already"):
        task_close(membership=owner, task=task, state="skipped")


def test_a_task_for_someone_of_another_farm_is_refused(owner, farm, other_farm):
    elsewhere = make_member(owner, "worker", farms=[other_farm])
    with pytest.raises(ValidationError) as error:
        task_save(membership=owner, farm=farm, title="Fix the fence", due_on=TODAY, assignee=elsewhere)
    assert "assignee" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        task_save(membership=owner, farm=farm, title="  ", due_on=TODAY)
    assert "title" in error.value.message_dict
    assert not Task.objects.exists()


def test_the_morning_round_tells_the_assignee_and_the_farm_once(owner, farm, cow):
    worker = make_member(owner, "worker")
    task_save(membership=owner, farm=farm, title="Trim hooves", due_on=TODAY, assignee=worker)
    service_record(membership=owner, animal=cow, served_on=TODAY - dt.timedelta(days=35), method="ai", outside_sire="AI")
    first = reminders_send(tenant_id=owner.tenant_id, today=TODAY)
    assert reminders_send(tenant_id=owner.tenant_id, today=TODAY) == 0
    assert first >= 2
    assert Notification.objects.filter(user=worker.user, title__contains="Trim hooves").count() == 1
    summary = Notification.objects.get(user=owner.user, title__startswith="Due today")
    assert "1 pregnancy checks" in summary.title and "1 tasks" in summary.title


def test_the_morning_job_runs_for_every_organisation(owner, farm, neighbour, hired_bull, outsider):
    from django_scopes import scopes_disabled

    from tasks.breeding import morning_round

    hire(owner, farm, neighbour, hired_bull, basis="flat")
    with scopes_disabled():
        result = morning_round.call_local()
        assert result["invoiced"] == 1
        assert Invoice.objects.filter(tenant_id=owner.tenant_id).count() == 1


def test_tasks_page_adds_a_task_from_what_the_browser_sends(owner, farm, as_member):
    client = as_member(owner)
    page = client.get(reverse("breeding:tasks")).content.decode()
    data = form_data(page, "task-form", fill={"title": "Spray for ticks", "farm": str(farm.pk)})
    assert client.post(reverse("breeding:tasks"), data).status_code == 302
    assert Task.objects.get().title == "Spray for ticks"
    assert client.post(reverse("breeding:tasks"), dict(data, due_on="1890-01-01")).status_code == 400
    assert Task.objects.count() == 1


def test_a_sows_litter_from_the_birth_form(owner, farm, as_member):
    sow = make_animal(owner, farm, tag="SOW-1", species="pig", date_of_birth=TODAY - dt.timedelta(days=700))
    service_record(membership=owner, animal=sow, served_on=TODAY - dt.timedelta(days=114), method="natural", outside_sire="Boar")
    client = as_member(owner)
    url = reverse("breeding:birth_create", args=[sow.pk])
    page = client.get(reverse("breeding:animal", args=[sow.pk])).content.decode()
    fill = {"born_on": TODAY.isoformat(), "ease": "1"}
    for n in range(11):
        fill.update({f"young-{n}-sex": "female" if n % 2 else "male", f"young-{n}-tag": f"P-{n}"})
    fill["young-10-outcome"] = "stillborn"
    fill["young-10-tag"] = ""
    response = client.post(url, form_data(page, action=url, fill=fill))
    assert response.status_code == 302
    assert Animal.objects.filter(dam=sow).count() == 10
    assert len(Birth.objects.get(animal=sow).offspring) == 11
