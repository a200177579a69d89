"""Services, checks and the Today page."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.breeding.models import PregnancyCheck, Service
from apps.breeding.selectors import BREEDING
from apps.breeding.services import pregnancy_check_record, service_record
from apps.herd.models import Animal
from tests.factories import TODAY, make_animal, make_member
from tests.milk.conftest import start_lactation

pytestmark = pytest.mark.usefixtures("owner_scope")


@pytest.fixture
def heifer(owner, farm):
    return make_animal(owner, farm, tag="HEIFER", date_of_birth=TODAY - dt.timedelta(days=900))


@pytest.fixture
def bull(owner, farm):
    return make_animal(owner, farm, tag="BULL", sex="male", date_of_birth=TODAY - dt.timedelta(days=1500))


def serve(owner, animal, days_ago, **values):
    values.setdefault("method", "ai")
    values.setdefault("outside_sire", "Holstein AI 011")
    return service_record(membership=owner, animal=animal, served_on=TODAY - dt.timedelta(days=days_ago), **values)


def test_a_service_then_a_positive_check_sets_the_due_date(owner, heifer):
    service = serve(owner, heifer, 40, straw="HO-011-7")
    check = pregnancy_check_record(membership=owner, service=service, checked_on=TODAY, method="ultrasound", result="pregnant")
    assert check.expected_birth_on == service.served_on + dt.timedelta(days=283)
    with pytest.raises(ValidationError, match="confirmed pregnant"):
        serve(owner, heifer, 1)


@pytest.mark.parametrize("case", ["male", "young", "sold", "future", "no sire"])
def test_impossible_services_are_refused(owner, farm, heifer, bull, case):
    animal, values, days_ago = heifer, {}, 5
    if case == "male":
        animal = bull
    elif case == "young":
        animal = make_animal(owner, farm, tag="CALF", date_of_birth=TODAY - dt.timedelta(days=200))
    elif case == "sold":
        animal = make_animal(owner, farm, tag="SOLD", status="sold", status_on=TODAY - dt.timedelta(days=3))
    elif case == "future":
        days_ago = -2
    elif case == "no sire":
        values["outside_sire"] = ""
    with pytest.raises(ValidationError):
        serve(owner, animal, days_ago, **values)
    assert not Service.objects.exists()


def test_a_service_before_the_last_calving_or_with_a_sire_of_another_species_is_refused(owner, farm, heifer):
    start_lactation(owner, heifer, calving_date=TODAY - dt.timedelta(days=20))
    with pytest.raises(ValidationError, match="gave birth"):
        serve(owner, heifer, 30)
    buck = make_animal(owner, farm, tag="BUCK", sex="male", species="goat", date_of_birth=TODAY - dt.timedelta(days=900))
    with pytest.raises(ValidationError, match="goat"):
        serve(owner, heifer, 5, method="natural", sire=buck, outside_sire="")


def test_the_calf_inbreeding_is_worked_out_from_the_pedigree(owner, farm, bull):
    dam = make_animal(owner, farm, tag="OLD-DAM", date_of_birth=TODAY - dt.timedelta(days=3000))
    sister = make_animal(owner, farm, tag="HALF-SIS", sire=bull, dam=dam, date_of_birth=TODAY - dt.timedelta(days=900))
    son = make_animal(owner, farm, tag="HALF-BRO", sex="male", sire=bull, date_of_birth=TODAY - dt.timedelta(days=800))
    service = serve(owner, sister, 3, method="natural", sire=son, outside_sire="")
    assert service.inbreeding == Decimal("12.50")
    assert serve(owner, make_animal(owner, farm, tag="UNRELATED", date_of_birth=TODAY - dt.timedelta(days=900)), 3,
                 method="natural", sire=son, outside_sire="").inbreeding == Decimal("0.00")


def test_a_check_before_its_service_or_a_foetal_age_with_an_open_result_is_refused(owner, heifer):
    service = serve(owner, heifer, 10)
    with pytest.raises(ValidationError):
        pregnancy_check_record(membership=owner, service=service, checked_on=TODAY - dt.timedelta(days=11), method="palpation",
                               result="open")
    with pytest.raises(ValidationError):
        pregnancy_check_record(membership=owner, service=service, checked_on=TODAY, method="palpation", result="open",
                               foetal_age_days=20)
    assert not PregnancyCheck.objects.exists()


def _today_page(as_member, owner):
    return as_member(owner).get(reverse("breeding:today")).content.decode()


@pytest.mark.parametrize(("days", "watch", "check"), [(17, False, False), (18, True, False), (24, True, False),
                                                      (25, False, False), (29, False, False), (30, False, True),
                                                      (45, False, True), (46, False, False)])
def test_the_today_page_windows_at_their_edges(as_member, owner, heifer, days, watch, check):
    serve(owner, heifer, days)
    page = _today_page(as_member, owner)
    heat_list = page.split('id="heat-heading"')[1].split("</section>")[0]
    check_list = page.split('id="check-heading"')[1].split("</section>")[0]
    assert ("HEIFER" in heat_list) is watch and ("HEIFER" in check_list) is check


def test_due_to_calve_and_dry_off(as_member, owner, farm):
    cow = make_animal(owner, farm, tag="IN-CALF", date_of_birth=TODAY - dt.timedelta(days=2000))
    start_lactation(owner, cow, calving_date=TODAY - dt.timedelta(days=300))
    service = serve(owner, cow, 230)
    pregnancy_check_record(membership=owner, service=service, checked_on=TODAY - dt.timedelta(days=190), method="palpation",
                           result="pregnant")
    page = _today_page(as_member, owner)
    assert "IN-CALF" in page.split('id="dry-heading"')[1].split("</section>")[0]
    PregnancyCheck.objects.update(expected_birth_on=TODAY + dt.timedelta(days=8))
    BREEDING.changed(owner.tenant_id)  # update() sends no signal: a bulk write says what it changed
    assert "IN-CALF" in _today_page(as_member, owner).split('id="due-soon-heading"')[1].split("</section>")[0]


def test_the_today_page_query_count_does_not_grow_with_the_herd(as_member, owner, farm):
    client = as_member(owner)
    def count():
        client.get(reverse("breeding:today"))
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("breeding:today"))
        # The session store (cached_db) reads its table on a cache miss: not the page's doing.
        return len([q for q in queries.captured_queries if "django_session" not in q["sql"]])
    from apps.breeding.services import task_save

    def more(n):
        serve(owner, make_animal(owner, farm, tag=f"Q-{n}", date_of_birth=TODAY - dt.timedelta(days=900)), 20 + n * 3)
        make_animal(owner, farm, tag=f"CALF-{n}", date_of_birth=TODAY - dt.timedelta(days=100 + n))  # weaning due
        task_save(membership=owner, farm=farm, title=f"Job {n}", due_on=TODAY - dt.timedelta(days=n % 2),
                  assignee=owner, animal=Animal.objects.get(tag=f"Q-{n}"))

    more(0)
    few = count()
    for n in range(1, 8):
        more(n)
    page = client.get(reverse("breeding:today")).content.decode()
    assert "CALF-7" in page and "Job 7" in page
    assert count() == few


def test_breeding_pages_as_a_browser_posts_them(as_member, owner, heifer, bull):
    from tests.formdata import form_data

    client = as_member(owner)
    page = client.get(reverse("breeding:animal", args=[heifer.pk])).content.decode()
    data = form_data(page, "service-form")
    data.update({"served_on": (TODAY - dt.timedelta(days=35)).isoformat(), "method": "natural", "sire": bull.pk})
    assert client.post(reverse("breeding:service_create", args=[heifer.pk]), data).status_code == 302
    check = form_data(client.get(reverse("breeding:animal", args=[heifer.pk])).content.decode(), "check-form")
    check.update({"result": "pregnant", "foetal_age_days": "35"})
    response = client.post(reverse("breeding:check_create", args=[heifer.pk]), check, follow=True)
    assert "pregnant" in response.content.decode() and ", due " in response.content.decode()
    bad = client.post(reverse("breeding:heat_create", args=[heifer.pk]), {"observed_on": "0001-01-01", "signs": ""})
    assert bad.status_code == 400


def test_a_viewer_sees_but_does_not_record(as_member, owner, heifer):
    client = as_member(make_member(owner, "viewer"))
    assert client.get(reverse("breeding:today")).status_code == 200
    assert client.get(reverse("breeding:animal", args=[heifer.pk])).status_code == 200
    assert client.post(reverse("breeding:heat_create", args=[heifer.pk]), {"observed_on": TODAY.isoformat()}).status_code == 403


def test_a_calving_registers_the_calf_with_its_parents_and_starts_the_lactation(owner, heifer, bull):
    from apps.breeding.services import birth_record
    from apps.herd.models import Animal
    from apps.milk.models import Lactation

    serve(owner, heifer, 280, method="natural", sire=bull, outside_sire="")
    birth_record(membership=owner, animal=heifer, born_on=TODAY, ease=2,
                 offspring=[{"sex": "female", "outcome": "alive", "tag": "CALF-1", "weight": Decimal("38")},
                            {"sex": "male", "outcome": "stillborn", "tag": ""}])
    calf = Animal.objects.get(tag="CALF-1")
    assert (calf.dam_id, calf.sire_id, calf.farm_id, calf.date_of_birth) == (heifer.pk, bull.pk, heifer.farm_id, TODAY)
    assert Lactation.objects.get(animal=heifer, dried_off_on=None).calving_date == TODAY


def test_an_early_birth_needs_to_be_called_premature(owner, heifer):
    from apps.breeding.services import birth_record

    serve(owner, heifer, 150)
    with pytest.raises(ValidationError, match="premature"):
        birth_record(membership=owner, animal=heifer, born_on=TODAY, ease=1,
                     offspring=[{"sex": "female", "outcome": "alive", "tag": "EARLY"}])
    birth_record(membership=owner, animal=heifer, born_on=TODAY, ease=1, premature=True,
                 offspring=[{"sex": "female", "outcome": "alive", "tag": "EARLY"}])


def test_three_calves_save_all_or_none(owner, farm, heifer):
    from apps.breeding.services import birth_record
    from apps.herd.models import Animal
    from apps.milk.models import Lactation

    make_animal(owner, farm, tag="TAKEN")
    serve(owner, heifer, 280)
    with pytest.raises(ValidationError, match="TAKEN"):
        birth_record(membership=owner, animal=heifer, born_on=TODAY, ease=3, offspring=[
            {"sex": "female", "outcome": "alive", "tag": "T-A"}, {"sex": "male", "outcome": "alive", "tag": "T-B"},
            {"sex": "female", "outcome": "alive", "tag": "TAKEN"}])
    assert not Animal.objects.filter(tag__in=["T-A", "T-B"]).exists() and not Lactation.objects.filter(animal=heifer).exists()


def test_an_abortion_registers_no_offspring(owner, heifer):
    from apps.breeding.models import Birth
    from apps.breeding.services import birth_record

    serve(owner, heifer, 100)
    birth_record(membership=owner, animal=heifer, born_on=TODAY, ease=1, aborted=True, offspring=[])
    assert Birth.objects.get().aborted
    with pytest.raises(ValidationError):
        birth_record(membership=owner, animal=heifer, born_on=TODAY, ease=1, aborted=True,
                     offspring=[{"sex": "male", "outcome": "died", "tag": ""}])


@pytest.mark.parametrize(("calved_days_ago", "heat", "listed"), [(59, False, False), (60, False, True), (90, True, False)])
def test_not_seen_in_heat_sixty_days_after_calving(as_member, owner, farm, calved_days_ago, heat, listed):
    from apps.breeding.services import heat_record

    cow = make_animal(owner, farm, tag="OPEN-COW", date_of_birth=TODAY - dt.timedelta(days=2000))
    start_lactation(owner, cow, calving_date=TODAY - dt.timedelta(days=calved_days_ago))
    if heat:
        heat_record(membership=owner, animal=cow, observed_on=TODAY - dt.timedelta(days=10))
    section = _today_page(as_member, owner).split('id="noheat-heading"')[1].split("</section>")[0]
    assert ("OPEN-COW" in section) is listed


def test_the_breeding_page_opens_on_the_next_step_and_offers_no_service_to_a_pregnant_cow(as_member, owner, heifer):
    """The cow's cycle decides the page: heat and service forms first for an open cow, the birth for a pregnant one
    (no "Record a service" for a cow confirmed in calf: the service service would refuse it anyway)."""
    client = as_member(owner)
    page = client.get(reverse("breeding:animal", args=[heifer.pk])).content.decode()
    assert 'id="service-form"' in page and page.index('id="heat-form"') < page.index('id="service-form"')
    assert page.index('id="service-form"') < page.index("Services</h2>")  # the forms before the history
    service = serve(owner, heifer, 40)
    page = client.get(reverse("breeding:animal", args=[heifer.pk])).content.decode()
    assert re.search(r'<details class="card card-body mb-2" open><summary class="h6 mb-0">Pregnancy check', page)
    pregnancy_check_record(membership=owner, service=service, checked_on=TODAY, method="ultrasound", result="pregnant")
    page = client.get(reverse("breeding:animal", args=[heifer.pk])).content.decode()
    assert 'id="service-form"' not in page and 'data-testid="pregnant"' in page
    assert re.search(r'<details id="birth-form-card" class="card card-body mb-2" open>', page)


def test_today_is_kept_until_the_herd_or_its_breeding_changes(as_member, owner, heifer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_member(owner)
    with CaptureQueriesContext(connection) as drawing:
        first = client.get(reverse("breeding:today")).content.decode().split('class="row g-3 today"')[1].split('</main>')[0]
    with CaptureQueriesContext(connection) as kept:
        assert client.get(reverse("breeding:today")).content.decode().split('class="row g-3 today"')[1].split('</main>')[0] == first
    assert len(kept) < len(drawing) - 5  # the lists are not read again
    serve(owner, heifer, 20)  # a service: the heat watch has her at once
    assert "HEIFER" in _today_page(as_member, owner).split('id="heat-heading"')[1].split("</section>")[0]
