import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope
from PIL import Image

from apps.herd.models import Animal
from tests.factories import make_animal, make_member

pytestmark = pytest.mark.usefixtures("owner_scope")


@pytest.fixture
def animal(owner, farm):
    return make_animal(owner, farm, tag="COW-1", name="Daisy")


@pytest.fixture
def far_animal(owner, other_farm):
    return make_animal(owner, other_farm, tag="FAR-1")


def post_animal(client, **overrides):
    data = {"tag": "NEW-1", "species": "cattle", "sex": "female", "acquisition": "born", "status": "active"}
    data.update(overrides)
    return client.post(reverse("herd:create"), data)


# Who may see what ------------------------------------------------------------------------------


def test_owner_sees_animal(as_member, owner, animal):
    response = as_member(owner).get(reverse("herd:detail", args=[animal.pk]))
    assert response.status_code == 200
    assert b"COW-1" in response.content


def test_viewer_sees_animal_but_not_edit(as_member, owner, animal):
    client = as_member(make_member(owner, "viewer"))
    assert client.get(reverse("herd:detail", args=[animal.pk])).status_code == 200
    assert client.get(reverse("herd:edit", args=[animal.pk])).status_code == 403
    assert post_animal(client, farm=animal.farm_id).status_code == 403


def test_worker_outside_farm_scope_gets_404(as_member, owner, farm, far_animal):
    client = as_member(make_member(owner, "worker", farms=[farm]))
    assert client.get(reverse("herd:detail", args=[far_animal.pk])).status_code == 404
    assert client.get(reverse("herd:edit", args=[far_animal.pk])).status_code == 404


def test_worker_list_shows_only_farms_in_scope(as_member, owner, farm, animal, far_animal):
    client = as_member(make_member(owner, "worker", farms=[farm]))
    content = client.get(reverse("herd:list")).content
    assert b"COW-1" in content and b"FAR-1" not in content


def test_outsider_gets_404(as_member, outsider, animal):
    client = as_member(outsider)
    assert client.get(reverse("herd:detail", args=[animal.pk])).status_code == 404
    assert client.get(reverse("herd:photo", args=[animal.pk])).status_code == 404


def test_anonymous_is_sent_to_login(client, animal):
    response = client.get(reverse("herd:detail", args=[animal.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# Creating and editing --------------------------------------------------------------------------


def test_create_animal(as_member, owner, farm):
    response = post_animal(as_member(owner), farm=farm.pk)
    assert response.status_code == 302
    assert Animal.objects.get(tenant_id=owner.tenant_id, tag="NEW-1").farm == farm


def test_create_with_future_birth_date_shows_message_and_saves_nothing(as_member, owner, farm):
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    response = post_animal(as_member(owner), farm=farm.pk, date_of_birth=tomorrow.isoformat())
    assert response.status_code == 400
    assert "This date is in the future." in response.content.decode()
    assert not Animal.objects.filter(tag="NEW-1").exists()


def test_create_with_duplicate_tag_shows_message(as_member, owner, farm, animal):
    response = post_animal(as_member(owner), farm=farm.pk, tag="COW-1")
    assert response.status_code == 400
    assert "already worn by a live animal" in response.content.decode()


def test_dam_of_another_tenant_cannot_be_posted(as_member, owner, farm, outsider):
    with scope(tenant=outsider.tenant_id):
        foreign = Animal.objects.get(tenant_id=outsider.tenant_id, tag="R-1")
    response = post_animal(as_member(owner), farm=farm.pk, dam=foreign.pk)
    assert response.status_code == 400
    assert not Animal.objects.filter(tag="NEW-1").exists()


def test_worker_of_one_farm_cannot_pick_or_post_a_dam_of_another_farm(as_member, owner, farm, far_animal):
    client = as_member(make_member(owner, "worker", farms=[farm]))
    assert far_animal.tag not in client.get(reverse("herd:create")).content.decode()
    response = post_animal(client, farm=farm.pk, dam=far_animal.pk)
    assert response.status_code == 400
    assert not Animal.objects.filter(tag="NEW-1").exists()


def test_a_dam_on_another_farm_stays_when_a_worker_edits_the_calf(as_member, owner, farm, far_animal):
    calf = make_animal(owner, farm, tag="CALF-9", dam=far_animal, date_of_birth=dt.date(2024, 3, 1))
    client = as_member(make_member(owner, "worker", farms=[farm]))
    response = client.post(reverse("herd:edit", args=[calf.pk]), {
        "tag": "CALF-9", "species": "cattle", "sex": "female", "farm": farm.pk, "date_of_birth": "2024-03-01",
        "dam": far_animal.pk, "acquisition": "born", "status": "active",
    })
    assert response.status_code == 302
    calf.refresh_from_db()
    assert calf.dam_id == far_animal.pk


def test_worker_cannot_create_on_farm_outside_scope(as_member, owner, farm, other_farm):
    client = as_member(make_member(owner, "worker", farms=[farm]))
    response = post_animal(client, farm=other_farm.pk)
    assert response.status_code == 400
    assert not Animal.objects.filter(tag="NEW-1").exists()


def _image_bytes(size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "green").save(buffer, "JPEG")
    return buffer.getvalue()


def test_photo_upload_and_private_serving(as_member, owner, farm, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = as_member(owner)
    photo = SimpleUploadedFile("cow.jpg", _image_bytes(), content_type="image/jpeg")
    assert post_animal(client, farm=farm.pk, photo=photo).status_code == 302
    animal = Animal.objects.get(tag="NEW-1")
    assert animal.photo
    response = client.get(reverse("herd:photo", args=[animal.pk]))
    assert response.status_code == 200


def test_non_image_photo_is_refused(as_member, owner, farm):
    fake = SimpleUploadedFile("cow.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    response = post_animal(as_member(owner), farm=farm.pk, photo=fake)
    assert response.status_code == 400
    assert not Animal.objects.filter(tag="NEW-1").exists()


def test_oversized_photo_is_refused(as_member, owner, farm, settings):
    settings.PHOTO_MAX_BYTES = 1000
    big = SimpleUploadedFile("cow.jpg", _image_bytes((600, 600)), content_type="image/jpeg")
    response = post_animal(as_member(owner), farm=farm.pk, photo=big)
    assert response.status_code == 400
    assert "the limit is" in response.content.decode()
    assert not Animal.objects.filter(tag="NEW-1").exists()


def test_edit_animal_and_timeline_and_as_of(as_member, owner, farm, animal):
    client = as_member(owner)
    data = {"tag": "COW-1", "name": "Daisy May", "species": "cattle", "sex": "female", "farm": farm.pk,
            "acquisition": "born", "status": "active", "date_of_birth": "2020-01-01"}
    assert client.post(reverse("herd:edit", args=[animal.pk]), data).status_code == 302
    page = client.get(reverse("herd:detail", args=[animal.pk]), {"on": dt.date.today().isoformat()}).content.decode()
    assert "Daisy May" in page
    assert "name: Daisy → Daisy May" in page
    before = client.get(reverse("herd:detail", args=[animal.pk]), {"on": "2001-01-01"}).content.decode()
    assert "was not yet in the register" in before


# The list --------------------------------------------------------------------------------------


def test_list_filters_by_sex_and_search(as_member, owner, farm):
    make_animal(owner, farm, tag="F-1", name="Bella")
    make_animal(owner, farm, tag="M-1", sex="male")
    client = as_member(owner)
    content = client.get(reverse("herd:list"), {"sex": "male"}).content.decode()
    assert "M-1" in content and "F-1" not in content
    content = client.get(reverse("herd:list"), {"q": "bell"}).content.decode()
    assert "F-1" in content and "M-1" not in content


def test_list_htmx_returns_only_results(as_member, owner, farm, animal):
    response = as_member(owner).get(reverse("herd:list"), HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="results">')
    assert "<html" not in content


def test_list_exports_csv_and_xlsx(as_member, owner, farm, animal):
    client = as_member(owner)
    csv_response = client.get(reverse("herd:list"), {"_export": "csv"})
    assert csv_response["Content-Type"].startswith("text/csv")
    assert "COW-1" in csv_response.content.decode()
    xlsx = client.get(reverse("herd:list"), {"_export": "xlsx"})
    assert xlsx.content[:2] == b"PK"


def test_export_needs_permission(as_member, owner, animal):
    client = as_member(make_member(owner, "milker"))
    assert client.get(reverse("herd:list"), {"_export": "csv"}).status_code == 403


def test_list_query_count_is_the_same_for_10_and_200(as_member, owner, farm):
    from apps.herd.models import Animal as A
    from apps.herd.selectors import herd_changed

    client = as_member(owner)

    def count_queries():
        client.get(reverse("herd:list"))
        herd_changed(owner.tenant_id)  # the animals came by bulk_create, which sends no signal: draw the list again
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("herd:list"))
        return len(queries)

    A.objects.bulk_create([A(tenant_id=owner.tenant_id, farm=farm, tag=f"B{i}", sex="female", species="cattle") for i in range(10)])
    ten = count_queries()
    A.objects.bulk_create([A(tenant_id=owner.tenant_id, farm=farm, tag=f"C{i}", sex="female", species="cattle") for i in range(190)])
    assert count_queries() == ten


def test_a_photo_is_named_and_served_by_what_it_is(as_member, owner, farm, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = as_member(owner)
    page = SimpleUploadedFile("cow.html", _image_bytes(), content_type="text/html")
    refused = post_animal(client, farm=farm.pk, photo=page)
    assert refused.status_code == 400 and "extension" in refused.content.decode()
    photo = SimpleUploadedFile("cow.png", _image_bytes(), content_type="image/png")  # JPEG bytes, PNG name
    assert post_animal(client, farm=farm.pk, photo=photo).status_code == 302
    animal = Animal.objects.get(tag="NEW-1")
    assert animal.photo.name.endswith(".jpg")
    response = client.get(reverse("herd:photo", args=[animal.pk]))
    assert response["Content-Type"] == "image/jpeg" and response["Content-Security-Policy"] == "sandbox"


def test_the_animal_page_shows_three_generations(as_member, owner, farm):
    great = make_animal(owner, farm, tag="GREAT-DAM", date_of_birth=dt.date(2012, 1, 1))
    grand = make_animal(owner, farm, tag="GRAND-DAM", dam=great, sire_external="AI bull Zeus", date_of_birth=dt.date(2015, 1, 1))
    dam = make_animal(owner, farm, tag="THE-DAM", dam=grand, date_of_birth=dt.date(2018, 1, 1))
    calf = make_animal(owner, farm, tag="THE-CALF", dam=dam, date_of_birth=dt.date(2023, 1, 1))
    page = as_member(owner).get(reverse("herd:detail", args=[calf.pk])).content.decode()
    assert "Dam&#x27;s dam" in page and "GRAND-DAM" in page and "GREAT-DAM" in page and "AI bull Zeus" in page


def test_the_timeline_names_places_and_people_in_one_read_whatever_their_number(as_member, owner, farm, other_farm, animal):
    """The animal page's events name the farms an animal moved between and who recorded each entry; the page reads
    the same number of times for two entries by two people as for twelve by six (the names are read once for all)."""
    from apps.accounts.models import Profile
    from apps.herd.models import AnimalEvent

    client = as_member(owner)
    people = [owner, *(make_member(owner, "worker") for _ in range(5))]
    for number, member in enumerate(people):
        Profile.objects.update_or_create(user=member.user, defaults={"full_name": f"Milker Number {number}"})

    def weigh(member, kg):
        AnimalEvent.objects.create(tenant_id=owner.tenant_id, animal=animal, kind="weight", on=dt.date(2026, 11, 1),
                                   weight_kg=kg, recorded_by=member)

    def page_and_reads():
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("herd:detail", args=[animal.pk])).content.decode()
        return page, len(queries)

    client.get(reverse("herd:detail", args=[animal.pk]))  # the session's first page
    AnimalEvent.objects.create(tenant_id=owner.tenant_id, animal=animal, kind="movement", on=dt.date(2026, 11, 2),
                               from_farm=farm, to_farm=other_farm, recorded_by=people[1])
    weigh(people[0], 412)
    few, reads = page_and_reads()
    assert "place: Home Farm → Far Field" in few and "by Milker Number 1" in few and "by Milker Number 0" in few
    for number, member in enumerate(people * 2):
        weigh(member, 400 + number)
    many, more_reads = page_and_reads()
    assert all(f"by Milker Number {number}" in many for number in range(6)) and "place: Home Farm → Far Field" in many
    assert more_reads == reads
