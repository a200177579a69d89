import datetime as dt
from decimal import Decimal

import pytest
from django_scopes import scope

from apps.stock.services import batch_receive, item_save
from tests.factories import TODAY, make_farm
from tests.milk.conftest import make_cows


def make_item(membership, name="Masticlear", milk_hours=72, meat_days=7, lactating_allowed=True, kind="medicine", unit="tube"):
    with scope(tenant=membership.tenant_id):
        return item_save(membership=membership, kind=kind, name=name, unit=unit, lactating_allowed=lactating_allowed,
                         active_substance="cefquinome", withdrawals={"cattle": (milk_hours, meat_days)})


def make_batch(membership, item, farm, quantity="10", expires_on=None, lot="L-1"):
    with scope(tenant=membership.tenant_id):
        return batch_receive(membership=membership, item=item, farm=farm, quantity=Decimal(quantity), lot=lot,
                             expires_on=expires_on or TODAY + dt.timedelta(days=365), unit_cost=Decimal("350"))


def at(farm, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=farm.zone)


@pytest.fixture
def dairy(owner):
    return make_farm(owner, name="Dairy Farm", milking_sessions_per_day=2)


@pytest.fixture
def cow(owner, dairy):
    return make_cows(owner, dairy, 1, prefix="MAST")[0]


@pytest.fixture
def tubes(owner, dairy):
    return make_batch(owner, make_item(owner), dairy)
