import datetime as dt

import pytest
from django_scopes import scope

from apps.milk.services import lactation_start
from tests.factories import (
    TODAY,  # noqa: E402
    make_animal,
    make_farm,
)


def start_lactation(membership, cow, calving_date=None):
    with scope(tenant=membership.tenant_id):
        return lactation_start(membership=membership, animal=cow, calving_date=calving_date or TODAY - dt.timedelta(days=60))


def make_cows(membership, farm, count, prefix="C"):
    cows = []
    for n in range(count):
        cow = make_animal(membership, farm, tag=f"{prefix}{n:03d}", date_of_birth=dt.date(2019, 1, 1))
        start_lactation(membership, cow)
        cows.append(cow)
    return cows


@pytest.fixture
def dairy(owner):
    return make_farm(owner, name="Dairy Farm", milking_sessions_per_day=2)


@pytest.fixture
def cow(owner, dairy):
    return make_cows(owner, dairy, 1)[0]
