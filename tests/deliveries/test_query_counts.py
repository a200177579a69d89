"""The deliveries and feeding pages read a fixed number of queries, whatever the month holds (the demo organisation has
a month of twice-daily deliveries, a statement and a month of feedings)."""

import pathlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from tests.conftest import login

BUDGET = {"/deliveries/": 8, "/deliveries/statements/{statement}/": 9, "/deliveries/{delivery}/": 6,
          "/deliveries/do-not-ship/": 12, "/feeding/": 22, "/feeding/card/": 16, "/feeding/new/": 8}


@pytest.mark.django_db
def test_the_pages_stay_within_their_query_budget(client, settings, tmp_path: pathlib.Path):
    from apps.deliveries.models import Delivery, Statement
    from tests.core.test_every_page_translated import demo_completed

    owner = demo_completed(settings, tmp_path)
    login(client, owner)
    with scope(tenant=owner.tenant_id):
        ids = {"statement": Statement.objects.first().pk, "delivery": Delivery.objects.first().pk}
        assert Delivery.objects.count() > 50
    over = {}
    for path, budget in BUDGET.items():
        url = path.format(**ids)
        client.get(url)  # the session and the navigation are read once a process
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        if len(queries) > budget:
            over[url] = len(queries)
    assert not over, over
