"""A stick reader in keyboard mode types an ISO 11784/11785 number (15 digits: a 3-digit country or maker code and a
12-digit national number, often printed "982 000123456789") and Enter. The herd search and the milking entry page take
it with or without spaces and go to that animal."""

import datetime as dt

import pytest
from django.urls import reverse

from apps.herd.services import animal_update
from tests.factories import make_animal, make_farm

pytestmark = pytest.mark.usefixtures("owner_scope")


@pytest.fixture
def tagged(owner):
    farm = make_farm(owner, name="Reader Farm", milking_sessions_per_day=2)
    cow = make_animal(owner, farm, tag="KE-104", date_of_birth=dt.date(2020, 1, 1))
    other = make_animal(owner, farm, tag="KE-105", date_of_birth=dt.date(2020, 1, 1))
    animal_update(membership=owner, animal=cow, eid="982 000123456789")
    animal_update(membership=owner, animal=other, eid="982000123456790")
    return cow, other


@pytest.mark.parametrize("typed", ["982000123456789", "982 000123456789", " 982-000123456789 ", "ke-104"])
def test_the_herd_search_opens_the_animal_a_reader_names(as_member, owner, tagged, typed):
    cow, _ = tagged
    response = as_member(owner).get(reverse("herd:list"), {"q": typed, "scan": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("herd:detail", args=[cow.pk])


def test_a_number_that_names_no_one_animal_shows_the_list(as_member, owner, tagged, outsider):
    client = as_member(owner)
    assert client.get(reverse("herd:list"), {"q": "KE-10", "scan": "1"}).status_code == 200  # two animals: no jump
    assert client.get(reverse("herd:list"), {"q": "982000999999999", "scan": "1"}).status_code == 200
    assert client.get(reverse("herd:list"), {"q": "R-1", "scan": "1"}).status_code == 200  # another organisation's tag
    listed = client.get(reverse("herd:list"), {"q": "982 0001234567"}).content.decode()  # part of an EID, spaced
    assert "KE-104" in listed
