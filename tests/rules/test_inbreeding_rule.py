"""Coefficients of inbreeding, worked by hand from Wright's formula, through the whole recorded pedigree.

Sources: Wright (1922), "Coefficients of inbreeding and relationship", F = sum of (1/2)^(n1 + n2 + 1)
x (1 + F_A) over the paths through each common ancestor A; Falconer and Mackay, Introduction to
Quantitative Genetics (4th ed.), Table 5.1: the inbreeding of successive generations of full-sib
mating, 0.250, 0.375, 0.500, 0.594, 0.672, 0.734, 0.785, 0.826, 0.859, 0.886 (F_t = (1 + 2 F_t-1 +
F_t-2) / 4). The usual cases: a parent and its offspring, F = 1/4; half-sibs, F = 1/8; the offspring
of a sire and his half-sister's daughter...
"""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.models import Tenant
from apps.accounts.people import tenant_people_changed
from apps.breeding.inbreeding import coefficient
from apps.breeding.selectors import ancestry_of
from apps.breeding.services import inbreeding_of, service_record
from apps.herd.models import OutsideSire
from apps.herd.services import outside_sire_save
from tests.api.conftest import owner_key  # noqa: F401 (a fixture)
from tests.factories import make_animal

FALCONER_FULL_SIBS = ["0.250", "0.375", "0.500", "0.594", "0.672", "0.734", "0.785", "0.826", "0.859", "0.886"]


def full_sib_pedigree(generations: int) -> dict:
    """Founders 1 (male) and 2 (female); generation t's pair is (2t + 1, 2t + 2), both of the pair before."""
    parents = {1: (None, None), 2: (None, None)}
    for t in range(1, generations + 1):
        parents[2 * t + 1] = parents[2 * t + 2] = (2 * t - 1, 2 * t)
    return parents


def test_ten_generations_of_full_sib_mating_match_falconers_table():
    parents = full_sib_pedigree(10)
    # The planned offspring of generation t's pair is generation t + 1: t = 1 gives 0.250, t = 10 gives 0.886.
    found = [f"{float(coefficient(2 * t + 1, 2 * t + 2, parents)):.3f}" for t in range(1, 11)]
    assert found == FALCONER_FULL_SIBS
    assert coefficient(21, 22, parents) == Fraction(1 + 2 * coefficient(19, 20, parents) + coefficient(17, 18, parents), 4)


def test_a_six_generation_cut_would_be_wrong_by_more_than_a_point():
    full = coefficient(21, 22, full_sib_pedigree(10))
    parents = full_sib_pedigree(10)
    for node in (1, 2, 3, 4, 5, 6, 7, 8):  # what a pedigree read 6 generations back knows of it
        parents[node] = (None, None)
    assert float(full - coefficient(21, 22, parents)) > 0.01


def test_no_date_of_birth_is_needed():
    # A sire (1) served to his own daughter (3, by dam 2): F = (1/2)^(0 + 1 + 1) = 1/4, whatever the node numbers.
    assert coefficient(1, 3, {3: (1, 2)}) == Fraction(1, 4)
    assert coefficient(9, 3, {3: (9, 2)}) == Fraction(1, 4)
    assert coefficient(3, 9, {3: (9, 2)}) == Fraction(1, 4)


def test_a_loop_in_the_records_does_not_hang():
    assert coefficient(1, 2, {1: (2, None), 2: (1, None)}) >= 0


# Through the records ----------------------------------------------------------------------------


@pytest.fixture
def register(owner):
    def add(name, sex="male", **parents):
        return OutsideSire.objects.create(tenant_id=owner.tenant_id, name=name, species="cattle", sex=sex, **parents)
    return add


def cow(owner, farm, tag, **values):
    values.setdefault("date_of_birth", None)
    return make_animal(owner, farm, tag=tag, **values)


def percent(owner, dam, **sire):
    return inbreeding_of(owner.tenant_id, dam=dam, **sire)


@pytest.mark.usefixtures("owner_scope")
def test_an_ai_bull_served_to_his_own_daughter(owner, farm, register):
    bull = register("Kilimanjaro Red")
    daughter = cow(owner, farm, "D1", registered_sire=bull)
    service = service_record(membership=owner, animal=daughter, served_on=dt.date(2026, 5, 1), method="ai", registered_sire=bull)
    assert service.inbreeding == Decimal("25.00")


@pytest.mark.usefixtures("owner_scope")
def test_half_siblings_by_the_same_ai_bull(owner, farm, register):
    bull = register("Meru Star")
    son = cow(owner, farm, "B1", sex="male", registered_sire=bull)
    daughter = cow(owner, farm, "C1", registered_sire=bull)
    assert percent(owner, daughter, sire=son) == Decimal("12.50")


@pytest.mark.usefixtures("owner_scope")
def test_ai_bulls_related_through_their_own_sires_and_maternal_grandsires(owner, farm, register):
    grandsire = register("Rift Valley King")
    s1 = register("Son One", sire=grandsire)
    s2 = register("Son Two", sire=grandsire)
    c = cow(owner, farm, "C2", registered_sire=s2)
    # S1 and S2 are paternal half-brothers: C is S2's daughter. F = (1/2)^(1 + 2 + 1) = 1/16.
    assert percent(owner, c, registered_sire=s1) == Decimal("6.25")
    mgs = register("Baringo")
    dam_of_bull = register("Nyota", sex="female", sire=mgs)
    bull = register("Kilimanjaro", dam=dam_of_bull)
    m_daughter = cow(owner, farm, "C3", registered_sire=mgs)
    # The bull's dam and C3 are half-sisters by Baringo: (1/2)^(2 + 1 + 1) = 1/16.
    assert percent(owner, m_daughter, registered_sire=bull) == Decimal("6.25")


@pytest.mark.usefixtures("owner_scope")
def test_an_embryo_transfer_calf_descends_from_its_genetic_dam_not_its_recipient(owner, farm):
    donor = cow(owner, farm, "DONOR")
    recipient = cow(owner, farm, "RECIP")
    calf = cow(owner, farm, "ET1", dam=recipient, genetic_dam=donor)
    bull = cow(owner, farm, "K1", sex="male", dam=donor)  # the donor's son
    # K1 and ET1 are maternal half-sibs through the donor: 1/8. Through the recipient they would be unrelated.
    assert percent(owner, calf, sire=bull) == Decimal("12.50")


@pytest.mark.usefixtures("owner_scope")
def test_a_herd_sire_and_his_daughter_without_dates_of_birth(owner, farm):
    sire = cow(owner, farm, "SIRE", sex="male")
    daughter = cow(owner, farm, "DAUGHTER", sire=sire)
    assert (sire.date_of_birth, daughter.date_of_birth) == (None, None)
    assert percent(owner, daughter, sire=sire) == Decimal("25.00")


@pytest.mark.usefixtures("owner_scope")
def test_the_warning_follows_the_organisations_threshold_and_shows_before_saving(as_member, owner, farm, register):
    bull = register("Meru Star")
    son = cow(owner, farm, "B2", sex="male", registered_sire=bull)
    daughter = cow(owner, farm, "C4", registered_sire=bull, date_of_birth=dt.date(2023, 1, 1))
    client = as_member(owner)
    url = reverse("breeding:mating", args=[daughter.pk])
    preview = client.get(url, {"sire": son.pk, "method": "natural"}).content.decode()
    assert "would be 12.50 %" in preview and "Above your limit of 6.25 %" in preview
    Tenant.objects.filter(pk=owner.tenant_id).update(inbreeding_warn_percent=Decimal("15"))
    tenant_people_changed(owner.tenant_id)  # as the settings page does when it saves
    preview = client.get(url, {"sire": son.pk, "method": "natural"}).content.decode()
    assert "would be 12.50 %" in preview and "Above your limit" not in preview
    assert client.get(url, {"registered_sire": bull.pk}).content.decode().count("would be 25 %") == 1


@pytest.mark.usefixtures("owner_scope")
def test_a_bull_list_brings_the_ancestry_in(as_member, owner, farm):
    text = ("name,registration_number,species,semen_code,sire_registration,sire_name,dam_registration,dam_name,"
            "maternal_grandsire_registration,maternal_grandsire_name\n"
            "Son One,KE-1,cattle,S1,KE-0,Rift Valley King,KE-9,Mama,KE-7,Baringo\n"
            "Son Two,KE-2,cattle,S2,KE-0,,,,,\n"
            "Rift Valley King,KE-0,cattle,,KE-00,Old King,,,,\n")
    client = as_member(owner)
    response = client.post(reverse("herd:bull_list_import"),
                           {"upload": SimpleUploadedFile("bulls.csv", text.encode(), content_type="text/csv")})
    assert response.status_code == 302
    one, two = OutsideSire.objects.get(registration_number="KE-1"), OutsideSire.objects.get(registration_number="KE-2")
    assert (one.sire.name, two.sire.name, one.sire.sire.name, one.dam.name, one.dam.sire.name) == (
        "Rift Valley King", "Rift Valley King", "Old King", "Mama", "Baringo")
    c = cow(owner, farm, "C5", registered_sire=two)
    assert percent(owner, c, registered_sire=one) == Decimal("6.25")
    refused = client.post(reverse("herd:bull_list_import"), {"upload": SimpleUploadedFile(
        "bad.csv", b"name,registration_number,species,sire_registration\nLoop,KE-5,cattle,KE-5\n", content_type="text/csv")})
    assert refused.status_code == 400 and "his own parent" in refused.content.decode()


@pytest.mark.usefixtures("owner_scope")
def test_an_outside_sires_parents_from_his_form(owner, register):
    mgs = register("Baringo")
    sire_of = register("Rift Valley King")
    bull = outside_sire_save(membership=owner, name="Kilimanjaro", species="cattle", sire=sire_of, dam_name="Nyota",
                             dam_registration="KE-77", maternal_grandsire=mgs)
    assert (bull.sire, bull.dam.name, bull.dam.sex, bull.dam.sire) == (sire_of, "Nyota", "female", mgs)


@pytest.mark.usefixtures("owner_scope")
def test_a_thousand_animals_over_ten_generations_take_a_query_or_two_a_generation(owner, farm):
    from apps.herd.models import Animal

    # Ten generations of 100 cows, each by a sire of the generation before, from a line of five sires.
    females, males = [], []
    for g in range(10):
        sires = Animal.objects.bulk_create([Animal(tenant_id=owner.tenant_id, farm=farm, tag=f"S{g}-{n}", sex="male",
                                                   species="cattle", sire=males[-1][n] if males else None)
                                            for n in range(5)])
        cows = Animal.objects.bulk_create([Animal(tenant_id=owner.tenant_id, farm=farm, tag=f"G{g}-{n}", sex="female",
                                                  species="cattle", sire=males[-1][n % 5] if males else None,
                                                  dam=females[-1][(n * 7) % 95] if females else None)
                                           for n in range(95)])
        males.append(sires)
        females.append(cows)
    with CaptureQueriesContext(connection) as queries:
        parents = ancestry_of(owner.tenant_id, [("animal", males[-1][0].pk), ("animal", females[-1][5].pk)])
    assert len(queries) <= 2 * 11
    value = coefficient(("animal", males[-1][0].pk), ("animal", females[-1][5].pk), parents)
    assert 0 < value < 1


@pytest.mark.usefixtures("owner_scope")
def test_the_api_records_an_ai_service_with_its_coefficient(client, owner, owner_key, farm, register):
    from tests.api.conftest import Api

    bull = register("Kilimanjaro Red")
    daughter = cow(owner, farm, "D9", registered_sire=bull)
    response = Api(client, owner_key[1]).post("/breeding/services", {
        "animal_id": daughter.pk, "served_on": "2026-05-01", "method": "ai", "registered_sire_id": bull.pk})
    assert response.status_code == 201, response.content
    assert (response.json()["inbreeding"], response.json()["registered_sire_id"]) == ("25.00", bull.pk)
