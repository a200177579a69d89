import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from apps.herd.models import Animal
from apps.herd.services import RowErrors, animal_bulk_create, animal_create, animal_update
from tests.factories import make_animal, make_farm, make_member

pytestmark = pytest.mark.usefixtures("owner_scope")


def create(membership, farm, **values):
    values.setdefault("tag", "A-1")
    values.setdefault("sex", "female")
    values.setdefault("species", "cattle")
    with scope(tenant=membership.tenant_id):
        return animal_create(membership=membership, farm=farm, **values)


def test_duplicate_live_tag_is_refused_and_nothing_saved(owner, farm):
    create(owner, farm, tag="K-1")
    with pytest.raises(ValidationError) as error:
        create(owner, farm, tag="k-1")
    assert "already worn" in error.value.message_dict["tag"][0]
    assert Animal.objects.filter(tenant_id=owner.tenant_id).count() == 1


def test_tag_of_an_animal_that_left_may_be_reused(owner, farm):
    create(owner, farm, tag="K-1", status="sold", status_on=dt.date(2024, 1, 1))
    assert create(owner, farm, tag="K-1").tag == "K-1"


def test_birth_date_in_the_future_is_refused(owner, farm):
    with pytest.raises(ValidationError) as error:
        create(owner, farm, date_of_birth=dt.date.today() + dt.timedelta(days=3))
    assert "future" in error.value.message_dict["date_of_birth"][0]
    assert not Animal.objects.exists()


def test_male_dam_is_refused(owner, farm):
    bull = make_animal(owner, farm, tag="B-1", sex="male", date_of_birth=dt.date(2015, 1, 1))
    with pytest.raises(ValidationError) as error:
        create(owner, farm, tag="C-1", dam=bull, date_of_birth=dt.date(2022, 1, 1))
    assert "a dam must be female" in error.value.message_dict["dam"][0]


def test_dam_of_another_tenant_is_refused(owner, farm, outsider):
    with scope(tenant=outsider.tenant_id):
        foreign_dam = Animal.objects.get(tenant_id=outsider.tenant_id, tag="R-1")
    with pytest.raises(ValidationError) as error:
        create(owner, farm, tag="C-1", dam=foreign_dam, date_of_birth=dt.date(2023, 1, 1))
    assert "your own herd" in error.value.message_dict["dam"][0]


def test_sire_younger_than_offspring_is_refused(owner, farm):
    young_bull = make_animal(owner, farm, tag="B-2", sex="male", date_of_birth=dt.date(2023, 5, 1))
    with pytest.raises(ValidationError) as error:
        create(owner, farm, tag="C-2", sire=young_bull, date_of_birth=dt.date(2022, 1, 1))
    assert "not before this animal" in error.value.message_dict["sire"][0]


def test_calf_with_dam_and_sire_is_linked(owner, farm):
    dam = make_animal(owner, farm, tag="D-1", date_of_birth=dt.date(2018, 1, 1))
    sire = make_animal(owner, farm, tag="S-1", sex="male", date_of_birth=dt.date(2017, 1, 1))
    calf = create(owner, farm, tag="C-3", dam=dam, sire=sire, date_of_birth=dt.date(2024, 2, 1))
    assert calf.dam == dam and calf.sire == sire


def test_farm_outside_scope_is_refused_for_worker(owner, farm, other_farm):
    worker = make_member(owner, "worker", farms=[farm])
    with pytest.raises(ValidationError) as error:
        create(worker, other_farm, tag="X-1")
    assert "farm" in error.value.message_dict


def test_viewer_cannot_create(owner, farm):
    from django.core.exceptions import PermissionDenied

    viewer = make_member(owner, "viewer")
    with pytest.raises(PermissionDenied):
        create(viewer, farm)


def test_update_records_history_and_audit(owner, farm):
    from apps.audit.models import AuditEntry

    animal = make_animal(owner, farm, tag="H-1", name="Old")
    with scope(tenant=owner.tenant_id):
        animal_update(membership=owner, animal=animal, name="New")
    assert animal.history.count() == 2
    entry = AuditEntry.objects.filter(tenant_id=owner.tenant_id, action="animal.update").get()
    assert entry.before == {"name": "Old"} and entry.after == {"name": "New"}


def test_castrating_a_female_is_refused(owner, farm):
    with pytest.raises(ValidationError) as error:
        create(owner, farm, castrated=True, castrated_on=dt.date(2024, 1, 1))
    assert "Only a male" in error.value.message_dict["castrated"][0]


def test_leaving_the_herd_needs_a_date(owner, farm):
    with pytest.raises(ValidationError) as error:
        create(owner, farm, status="dead")
    assert "status_on" in error.value.message_dict


def test_bulk_create_is_all_or_nothing(owner, farm):
    rows = [
        {"farm": farm, "tag": "Q-1", "species": "cattle", "sex": "female"},
        {"farm": farm, "tag": "Q-2", "species": "cattle", "sex": "female", "date_of_birth": dt.date(2999, 1, 1)},
        {"farm": farm, "tag": "Q-1", "species": "cattle", "sex": "male"},
    ]
    with scope(tenant=owner.tenant_id), pytest.raises(RowErrors) as error:
        animal_bulk_create(membership=owner, rows=rows)
    assert set(error.value.errors) == {2, 3}
    assert not Animal.objects.filter(tenant_id=owner.tenant_id).exists()


def test_bulk_create_links_calf_to_dam_in_same_batch(owner, farm):
    rows = [
        {"farm": farm, "tag": "M-1", "species": "cattle", "sex": "female", "date_of_birth": dt.date(2019, 1, 1)},
        {"farm": farm, "tag": "M-2", "species": "cattle", "sex": "female", "date_of_birth": dt.date(2024, 1, 1), "dam_tag": "m-1"},
    ]
    with scope(tenant=owner.tenant_id):
        created = animal_bulk_create(membership=owner, rows=rows)
    assert created[1].dam == created[0]


def test_archived_farm_takes_no_new_animals(owner):
    from apps.farms.services import farm_archive

    farm = make_farm(owner, name="Old place")
    with scope(tenant=owner.tenant_id):
        farm_archive(membership=owner, farm=farm)
    with pytest.raises(ValidationError):
        create(owner, farm)
