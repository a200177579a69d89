"""The herd list's filter form and rows are kept in the cache between requests (apps/herd/selectors.py): a
second look reads no animal, and every change to what the list shows is seen by the very next request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from apps.herd.models import Animal, AnimalGroup, Breed
from tests.factories import make_animal, make_member

pytestmark = pytest.mark.usefixtures("redis_cache")

URL = reverse("herd:list")


def _animal_reads(client, url=URL, **headers) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200
    reads = sum(1 for query in queries.captured_queries if '"herd_animal"' in query["sql"] or '"herd_animalgroup"' in query["sql"])
    return reads, response.content.decode()


def test_the_second_look_reads_no_animal_and_draws_the_same_page(as_member, owner, farm):
    make_animal(owner, farm, tag="COW-1", name="Bella")
    client = as_member(owner)
    reads, first = _animal_reads(client)
    assert reads >= 2 and "COW-1" in first
    reads, second = _animal_reads(client)
    assert reads == 0

    def drawn(page):  # the filter form and the table (the page around them holds this request's nonce)
        return page[page.index('class="filter-form'):page.index("</table>")]

    assert drawn(second) == drawn(first)


def test_a_saved_or_deleted_animal_shows_at_the_next_request(as_member, owner, farm):
    cow = make_animal(owner, farm, tag="COW-1", name="Bella")
    client = as_member(owner)
    assert "Bella" in client.get(URL).content.decode()
    with scope(tenant=owner.tenant_id):
        cow.name = "Buttercup"
        cow.save()
    page = client.get(URL).content.decode()
    assert "Buttercup" in page and "Bella" not in page
    make_animal(owner, farm, tag="COW-2")
    assert "COW-2" in client.get(URL).content.decode()
    with scopes_disabled():
        Animal.objects.filter(tag="COW-2").get().delete()
    assert "COW-2" not in client.get(URL).content.decode()


def test_a_renamed_farm_group_or_breed_shows_at_the_next_request(as_member, owner, farm):
    with scopes_disabled():
        breed = Breed.objects.create(species="cattle", name="Test Boran")
        group = AnimalGroup.objects.create(tenant_id=owner.tenant_id, farm=farm, name="Calves")
    make_animal(owner, farm, tag="COW-1", breed=breed, group=group)
    client = as_member(owner)
    page = client.get(URL).content.decode()
    assert "Test Boran" in page and "Calves" in page and "Home Farm" in page
    with scopes_disabled():
        breed.name = "Test Sahiwal"
        breed.save()
        group.name = "Heifers"
        group.save()
        farm.name = "Hill Farm"
        farm.save()
    page = client.get(URL).content.decode()
    for word in ("Test Sahiwal", "Heifers", "Hill Farm"):
        assert word in page
    for word in ("Test Boran", "Calves", "Home Farm"):
        assert word not in page


def test_each_member_gets_the_list_of_their_own_farms_and_rights(as_member, owner, farm, other_farm):
    make_animal(owner, farm, tag="HOME-1")
    make_animal(owner, other_farm, tag="FAR-1")
    owners_page = as_member(owner).get(URL).content.decode()
    assert "HOME-1" in owners_page and "FAR-1" in owners_page and 'name="animal"' in owners_page
    viewer = make_member(owner, "viewer", farms=[other_farm])
    page = as_member(viewer).get(URL).content.decode()
    assert "FAR-1" in page and "HOME-1" not in page
    assert 'name="animal"' not in page  # no tick boxes without the right to manage the herd


def test_the_filters_and_their_partial_are_kept_apart(as_member, owner, farm):
    make_animal(owner, farm, tag="F-1", sex="female")
    make_animal(owner, farm, tag="M-1", sex="male")
    client = as_member(owner)
    assert "M-1" in client.get(URL).content.decode()
    page = client.get(URL, {"sex": "female"}).content.decode()
    assert "F-1" in page and "M-1" not in page
    assert '<option value="female" selected>' in page
    partial = client.get(URL, {"sex": "male"}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="results">') and "M-1" in partial and "F-1" not in partial
    page = client.get(URL, {"sex": "male"}).content.decode()
    assert "<html" in page and 'class="filter-form' in page and "M-1" in page


def test_the_list_follows_the_readers_language(as_member, owner, farm):
    from apps.accounts.models import Profile

    make_animal(owner, farm, tag="COW-1")
    client = as_member(owner)
    assert "Female" in client.get(URL).content.decode()
    Profile.objects.update_or_create(user=owner.user, defaults={"language": "fr"})
    page = client.get(URL).content.decode()
    assert "Femelle" in page and ">Female<" not in page


# The animal page ---------------------------------------------------------------------------------------


def _page_reads(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    tables = ('"herd_animalevent"', '"herd_historicalanimal"', '"health_treatment"', '"health_healthcheck"')
    return sum(1 for query in queries.captured_queries if any(table in query["sql"] for table in tables)), response.content.decode()


def test_the_animal_page_is_drawn_once_and_each_session_posts_with_its_own_token(client, owner, farm):
    """The kept page carries no one's CSRF token: two sessions of the same member each get their own, and a
    weighing posted with it (CSRF checks on, as in a browser) is on the page at the next look."""
    from django.test import Client

    from apps.core import drawn_later
    from tests.conftest import login
    from tests.formdata import form_data

    cow = make_animal(owner, farm, tag="COW-1")
    url = reverse("herd:detail", args=[cow.pk])
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    login(first, owner)
    login(second, owner)
    reads, page = _page_reads(first, url)
    assert reads >= 3 and "No weighing recorded." in page
    reads, page = _page_reads(second, url)
    assert reads == 0
    data = form_data(page, action=reverse("herd:event_create", args=[cow.pk]))
    assert data["csrfmiddlewaretoken"] and drawn_later.CSRF_MARK not in page
    data.update({"kind": "weight", "weight_kg": "312.5"})
    assert second.post(reverse("herd:event_create", args=[cow.pk]), data).status_code == 302
    page = first.get(url).content.decode()
    assert "312.5" in page and "No weighing recorded." not in page


def test_a_health_record_or_a_new_name_shows_on_the_animal_page_at_the_next_request(as_member, owner, farm):
    import datetime as dt

    from django.utils import timezone

    from apps.accounts.models import Profile
    from apps.health.models import HealthCheck, Treatment

    cow = make_animal(owner, farm, tag="COW-1")
    url = reverse("herd:detail", args=[cow.pk])
    client = as_member(owner)
    assert "checked:" not in client.get(url).content.decode()
    now = timezone.now() - dt.timedelta(hours=1)
    with scope(tenant=owner.tenant_id):
        HealthCheck.objects.create(tenant_id=owner.tenant_id, animal=cow, farm=farm, checked_at=now, recorded_by=owner,
                                   temperature="38.6")
    page = client.get(url).content.decode()
    assert "checked:" in page and "38.6" in page
    with scope(tenant=owner.tenant_id):
        Treatment.objects.create(tenant_id=owner.tenant_id, animal=cow, farm=farm, diagnosis="Foul in the foot",
                                 product_name="Oxytetracycline", dose=1, dose_unit="mL", route="im", recorded_by=owner, milk_withdrawal_hours=0, meat_withdrawal_days=0,
                                 first_given_at=now)
    page = client.get(url).content.decode()
    assert "Foul in the foot" in page
    Profile.objects.update_or_create(user=owner.user, defaults={"full_name": "Wanjiru Kamau"})
    assert "by Wanjiru Kamau" in client.get(url).content.decode()


def test_the_animal_page_follows_each_members_rights(as_member, owner, farm):
    cow = make_animal(owner, farm, tag="COW-1")
    url = reverse("herd:detail", args=[cow.pk])
    event_url = reverse("herd:event_create", args=[cow.pk])
    assert event_url in as_member(owner).get(url).content.decode()
    page = as_member(make_member(owner, "viewer")).get(url).content.decode()
    assert "COW-1" in page and event_url not in page


def test_the_kept_event_forms_post_to_each_animals_own_address(as_member, owner, farm):
    """The event forms are drawn once for all the member's animals: each page's forms post to its own animal,
    and only an entire male's page offers castration."""
    cow = make_animal(owner, farm, tag="COW-1")
    bull = make_animal(owner, farm, tag="BULL-1", sex="male")
    client = as_member(owner)
    cow_page = client.get(reverse("herd:detail", args=[cow.pk])).content.decode()
    bull_page = client.get(reverse("herd:detail", args=[bull.pk])).content.decode()
    second_cow = make_animal(owner, farm, tag="COW-2")
    second_page = client.get(reverse("herd:detail", args=[second_cow.pk])).content.decode()
    for page, animal in ((cow_page, cow), (bull_page, bull), (second_page, second_cow)):
        assert page.count(f'action="{reverse("herd:event_create", args=[animal.pk])}"') >= 4
        assert "event-address-of-the-animal" not in page
    assert 'value="castration"' in bull_page and 'value="castration"' not in cow_page


def test_a_new_search_reads_the_kept_group_choices_and_a_new_group_is_offered_at_once(as_member, owner, farm):
    make_animal(owner, farm, tag="COW-1")
    client = as_member(owner)
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        assert "COW-1" in client.get(URL, {"q": "COW"}).content.decode()  # a search not drawn before
    assert not [query for query in queries.captured_queries if 'FROM "herd_animalgroup"' in query["sql"]]
    with scopes_disabled():
        AnimalGroup.objects.create(tenant_id=owner.tenant_id, farm=farm, name="Dry cows")
    assert "Dry cows" in client.get(URL, {"q": "COW-"}).content.decode()
