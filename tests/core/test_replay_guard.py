"""A form kept on a phone and sent again (its first answer lost on the way back) acts once: the page posts carry the
phone's Idempotency-Key, kept a day per person; a refused post releases its key so the corrected one acts."""

import datetime as dt

import pytest
from django.urls import reverse

from apps.herd.models import AnimalEvent
from tests.factories import make_animal, make_member

pytestmark = pytest.mark.usefixtures("owner_scope")


def test_a_form_sent_twice_with_one_key_acts_once(as_member, owner, farm):
    heifer = make_animal(owner, farm, tag="HF-1", date_of_birth=dt.date(2025, 1, 1))
    client = as_member(owner)
    url = reverse("herd:event_create", args=[heifer.pk])
    data = {"kind": "weight", "on": dt.date.today().isoformat(), "weight_kg": "180"}
    assert client.post(url, data, HTTP_IDEMPOTENCY_KEY="phone-1").status_code == 302
    assert client.post(url, data, HTTP_IDEMPOTENCY_KEY="phone-1").status_code == 204  # received before
    assert AnimalEvent.objects.filter(animal=heifer, kind="weight").count() == 1
    # A refused post (no weight) does not hold its key: the corrected one with the same key acts.
    assert client.post(url, {**data, "weight_kg": ""}, HTTP_IDEMPOTENCY_KEY="phone-2").status_code == 400
    client.post(url, {**data, "weight_kg": "181"}, HTTP_IDEMPOTENCY_KEY="phone-2")
    assert AnimalEvent.objects.filter(animal=heifer, kind="weight").count() == 2
    # Keys are per person: another member's same key is theirs.
    other = make_member(owner, "manager")
    as_member(other).post(url, {**data, "weight_kg": "182"}, HTTP_IDEMPOTENCY_KEY="phone-1")
    assert AnimalEvent.objects.filter(animal=heifer, kind="weight").count() == 3
