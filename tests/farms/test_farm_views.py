import pytest
from django.urls import reverse

from apps.farms.models import Farm
from tests.factories import make_animal, make_member

pytestmark = pytest.mark.usefixtures("owner_scope")

FARM = {"name": "River Farm", "farm_type": "dairy", "milking_sessions_per_day": "2", "area_unit": "ha", "time_zone": "Africa/Nairobi"}


def test_owner_creates_farm(as_member, owner):
    response = as_member(owner).post(reverse("farms:create"), FARM)
    assert response.status_code == 302
    assert Farm.objects.get(tenant_id=owner.tenant_id).name == "River Farm"


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("milking_sessions_per_day", "4", "less than or equal to 3"),
        ("latitude", "95", "less than or equal to 90"),
        ("name", "", "This field is required"),
    ],
)
def test_bad_farm_input_is_refused(as_member, owner, field, value, message):
    response = as_member(owner).post(reverse("farms:create"), {**FARM, field: value, "longitude": "36.1"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Farm.objects.filter(tenant_id=owner.tenant_id).exists()


def test_duplicate_farm_name_is_refused(as_member, owner, farm):
    response = as_member(owner).post(reverse("farms:create"), {**FARM, "name": farm.name})
    assert response.status_code == 400
    assert Farm.objects.filter(tenant_id=owner.tenant_id).count() == 1


def test_worker_cannot_create_or_edit_farm(as_member, owner, farm):
    client = as_member(make_member(owner, "worker", farms=[farm]))
    assert client.post(reverse("farms:create"), FARM).status_code == 403
    assert client.get(reverse("farms:edit", args=[farm.pk])).status_code == 403
    assert client.get(reverse("farms:detail", args=[farm.pk])).status_code == 200


def test_worker_does_not_see_farm_outside_scope(as_member, owner, farm, other_farm):
    client = as_member(make_member(owner, "worker", farms=[farm]))
    assert client.get(reverse("farms:detail", args=[other_farm.pk])).status_code == 404
    assert other_farm.name not in client.get(reverse("farms:list")).content.decode()


def test_outsider_gets_404(as_member, outsider, farm):
    client = as_member(outsider)
    for name in ("farms:detail", "farms:edit"):
        assert client.get(reverse(name, args=[farm.pk])).status_code == 404
    assert client.post(reverse("farms:archive", args=[farm.pk])).status_code == 404


def test_archive_refused_while_animals_are_active_then_allowed(as_member, owner, farm):
    make_animal(owner, farm, tag="A-1")
    client = as_member(owner)
    client.post(reverse("farms:archive", args=[farm.pk]))
    farm.refresh_from_db()
    assert farm.archived_at is None
    empty = Farm.objects.create(tenant_id=owner.tenant_id, name="Empty")
    client.post(reverse("farms:archive", args=[empty.pk]))
    empty.refresh_from_db()
    assert empty.archived_at is not None
    assert f'href="/farms/{empty.pk}/"' not in client.get(reverse("farms:list")).content.decode()


def test_edit_farm(as_member, owner, farm):
    response = as_member(owner).post(reverse("farms:edit", args=[farm.pk]), {**FARM, "name": "Renamed"})
    assert response.status_code == 302
    farm.refresh_from_db()
    assert farm.name == "Renamed"


def test_groups_are_added_per_farm_and_duplicates_refused(as_member, owner, farm):
    from apps.herd.models import AnimalGroup

    client = as_member(owner)
    assert client.post(reverse("herd:group_create", args=[farm.pk]), {"name": "Calves"}).status_code == 302
    response = client.post(reverse("herd:group_create", args=[farm.pk]), {"name": "calves"})
    assert response.status_code == 400 and "already has a group" in response.content.decode()
    assert AnimalGroup.objects.filter(tenant_id=owner.tenant_id, farm=farm).count() == 1
    assert "Calves" in client.get(reverse("farms:detail", args=[farm.pk])).content.decode()


def test_viewer_cannot_add_groups(as_member, owner, farm):
    client = as_member(make_member(owner, "viewer"))
    assert client.post(reverse("herd:group_create", args=[farm.pk]), {"name": "Calves"}).status_code == 403
