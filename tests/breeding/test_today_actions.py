"""Each Today line's action, done in place (htmx) or as a plain form post, and refused cleanly."""

import datetime as dt

import pytest
from django.urls import reverse

from apps.breeding.models import Heat, PregnancyCheck, Task
from apps.breeding.services import service_record, task_save
from apps.herd.models import Animal, AnimalEvent
from apps.milk.models import Lactation
from tests.factories import TODAY, make_animal, make_member
from tests.formdata import form_data
from tests.milk.conftest import start_lactation

pytestmark = pytest.mark.usefixtures("owner_scope")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def cow(owner, farm):
    return make_animal(owner, farm, tag="COW-1", date_of_birth=TODAY - dt.timedelta(days=2000))


def act(client, action, pk, page=None, **fill):
    url = reverse("breeding:today_act", args=[action, pk])
    data = form_data(page, action=url, fill=fill) if page else fill
    return client.post(url, data, **HTMX)


def test_a_check_from_the_today_page(owner, cow, as_member):
    service = service_record(membership=owner, animal=cow, served_on=TODAY - dt.timedelta(days=35), method="ai", outside_sire="AI")
    client = as_member(owner)
    page = client.get(reverse("breeding:today")).content.decode()
    response = act(client, "check", service.pk, page, result="pregnant")
    assert response.status_code == 200 and "pregnant" in response.content.decode()
    check = PregnancyCheck.objects.get()
    assert (check.method, check.result) == ("palpation", "pregnant")
    # The line is gone from the list.
    assert "COW-1" not in client.get(reverse("breeding:today")).content.decode().split('id="check-heading"')[1].split("</section>")[0]


def test_a_heat_dry_off_and_weaning_from_the_today_page(owner, farm, cow, as_member):
    start_lactation(owner, cow, calving_date=TODAY - dt.timedelta(days=300))
    calf = make_animal(owner, farm, tag="CALF-1", date_of_birth=TODAY - dt.timedelta(days=95))
    client = as_member(owner)
    assert act(client, "heat", cow.pk).status_code == 200
    heat = Heat.objects.get()
    assert heat.observed_on == TODAY and heat.observed_time is not None
    page = client.get(reverse("breeding:animal", args=[cow.pk])).content.decode()
    assert f"{heat.observed_time:%H:%M}" in page.split("<h2 class=\"h6 mt-3\">Heats</h2>")[1]
    assert act(client, "dry_off", cow.pk).status_code == 200
    assert Lactation.objects.get().dried_off_on == TODAY
    assert act(client, "wean", calf.pk).status_code == 200
    assert AnimalEvent.objects.get(kind="weaning").animal_id == calf.pk
    again = act(client, "wean", calf.pk)
    assert again.status_code == 422 and "already weaned" in again.content.decode()
    assert act(client, "dry_off", cow.pk).status_code == 422  # not in milk any more


def test_a_birth_from_the_today_page(owner, farm, cow, as_member):
    service_record(membership=owner, animal=cow, served_on=TODAY - dt.timedelta(days=280), method="ai", outside_sire="AI 7")
    client = as_member(owner)
    response = act(client, "birth", cow.pk, sex="female", outcome="alive", ease="1", tag="NEW-1", weight="36")
    assert response.status_code == 200, response.content.decode()
    calf = Animal.objects.get(tag="NEW-1")
    assert (calf.dam_id, calf.sire_external) == (cow.pk, "AI 7")
    refused = act(client, "birth", cow.pk, sex="female", outcome="alive", ease="1", tag="")
    assert refused.status_code == 422
    assert Animal.objects.filter(dam=cow).count() == 1


def test_tasks_done_and_skipped_from_the_today_page(owner, farm, as_member):
    worker = make_member(owner, "worker")
    mine = task_save(membership=owner, farm=farm, title="Check the fence", due_on=TODAY, assignee=worker)
    other = task_save(membership=owner, farm=farm, title="Order feed", due_on=TODAY - dt.timedelta(days=2))
    client = as_member(owner)
    assert "late since" in client.get(reverse("breeding:today")).content.decode()
    assert act(client, "task_skip", other.pk).status_code == 200
    assert act(as_member(worker), "task_done", mine.pk).status_code == 200
    assert dict(Task.objects.values_list("title", "state")) == {"Check the fence": "done", "Order feed": "skipped"}


def test_without_htmx_the_action_goes_back_to_the_list(owner, cow, as_member):
    client = as_member(owner)
    response = client.post(reverse("breeding:today_act", args=["heat", cow.pk]))
    assert response.status_code == 302 and response.url == reverse("breeding:today")


def test_actions_are_refused_to_viewers_and_unknown_actions_are_404(owner, cow, as_member):
    assert as_member(make_member(owner, "viewer")).post(reverse("breeding:today_act", args=["heat", cow.pk])).status_code == 403
    assert as_member(owner).post(reverse("breeding:today_act", args=["explode", cow.pk])).status_code == 404
    assert not Heat.objects.exists()


def test_the_today_page_per_farm_and_a_bad_farm_id(owner, farm, other_farm, as_member):
    make_animal(owner, farm, tag="HOME-CALF", date_of_birth=TODAY - dt.timedelta(days=100))
    make_animal(owner, other_farm, tag="FAR-CALF", date_of_birth=TODAY - dt.timedelta(days=100))
    task_save(membership=owner, farm=other_farm, title="Mend the far gate", due_on=TODAY)
    client = as_member(owner)
    everything = client.get(reverse("breeding:today"), {"farm": ""}).content.decode()
    assert "HOME-CALF" in everything and "FAR-CALF" in everything and "Mend the far gate" in everything
    home = client.get(reverse("breeding:today"), {"farm": farm.pk}).content.decode()
    assert "HOME-CALF" in home and "FAR-CALF" not in home and "Mend the far gate" not in home
    assert client.get(reverse("breeding:today"), {"farm": "1 OR 1=1"}).status_code == 200


def test_a_milker_closes_the_task_given_to_them_and_nothing_else(owner, farm, cow, as_member):
    milker = make_member(owner, "milker")
    theirs = task_save(membership=owner, farm=farm, title="Wash the parlour", due_on=TODAY, assignee=milker)
    someone_elses = task_save(membership=owner, farm=farm, title="Fix the gate", due_on=TODAY)
    client = as_member(milker)
    assert act(client, "task_done", theirs.pk).status_code == 200
    assert act(client, "task_done", someone_elses.pk).status_code == 403
    assert act(client, "heat", cow.pk).status_code == 403
    assert dict(Task.objects.filter(pk__in=[theirs.pk, someone_elses.pk]).values_list("title", "state")) == {
        "Wash the parlour": "done", "Fix the gate": "open"}


@pytest.mark.parametrize(("route", "args"), [
    ("breeding:hire_create", []), ("breeding:tasks", []), ("herd:group_action", []), ("herd:outside_sire_create", []),
    ("herd:external_farm_create", []), ("herd:event_create", ["cow"]),
])
def test_viewers_cannot_write(owner, cow, as_member, route, args):
    client = as_member(make_member(owner, "viewer"))
    url = reverse(route, args=[cow.pk for _ in args])
    assert client.post(url, {"title": "x", "name": "x", "kind": "weight", "on": TODAY.isoformat(), "weight_kg": "1"}).status_code == 403
    assert not Task.objects.exists() and not AnimalEvent.objects.exists()
