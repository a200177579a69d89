"""Herd fertility figures, worked by hand from the standard definitions.

Sources: the usual dairy definitions used by herd recording and herd management software
(DairyComp 305's 21-day pregnancy rate): the period is cut into 21-day cycles; a cow is eligible in a
cycle when she is in the herd for all of it, past the voluntary waiting period at its start and not
pregnant; heat detection rate = eligible cows seen in heat or served in the cycle / eligible cows;
21-day pregnancy rate = eligible cows that conceived in the cycle / eligible cows. Services per
conception = all services with a known outcome / services that conceived.

The herd of the cases (period 1 March to 11 April 2026: two cycles, 1-21 March and 22 March-11 April):
- P calved 1 December 2025, seen in heat 5 March, served 26 March and confirmed pregnant;
- Q calved 1 December 2025, sold 25 March, never seen in heat;
- R calved 15 January 2026 (45 days before 1 March, 66 before 22 March), never seen in heat.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.accounts.models import Tenant
from apps.breeding.fertility import figures_for
from apps.breeding.services import heat_record, pregnancy_check_record, service_record
from apps.herd.services import animal_update
from apps.milk.models import Lactation
from tests.factories import make_animal

pytestmark = pytest.mark.usefixtures("owner_scope")
SINCE, UNTIL = dt.date(2026, 3, 1), dt.date(2026, 4, 11)


def calved(owner, cow, on):
    Lactation.objects.create(tenant_id=owner.tenant_id, animal=cow, number=1, calving_date=on)


def serve(owner, cow, on, result):
    service = service_record(membership=owner, animal=cow, served_on=on, method="ai", outside_sire="AI bull")
    if result:
        pregnancy_check_record(membership=owner, service=service, checked_on=on + dt.timedelta(days=35), method="ultrasound",
                               result=result)
    return service


@pytest.fixture
def herd(owner, farm):
    p, q, r = (make_animal(owner, farm, tag=tag, date_of_birth=dt.date(2021, 1, 1)) for tag in "PQR")
    calved(owner, p, dt.date(2025, 12, 1))
    calved(owner, q, dt.date(2025, 12, 1))
    calved(owner, r, dt.date(2026, 1, 15))
    heat_record(membership=owner, animal=p, observed_on=dt.date(2026, 3, 5))
    serve(owner, p, dt.date(2026, 3, 26), "pregnant")
    animal_update(membership=owner, animal=q, status="sold", status_on=dt.date(2026, 3, 25))
    return p, q, r


def test_a_cow_sold_is_eligible_only_in_the_cycles_she_was_in_the_herd_for(owner, farm, herd):
    figures = figures_for(owner, farm, SINCE, UNTIL)
    # Cycle 1: P and Q eligible (R at 45 days is inside the 50-day waiting period), P seen: 1 of 2, none pregnant.
    # Cycle 2: Q sold on 25 March; P and R (66 days) eligible, P served and pregnant: seen 1 of 2, pregnant 1 of 2.
    assert [(c["eligible"], c["detected"], c["pregnant"]) for c in figures.cycles] == [(2, 1, 0), (2, 1, 1)]
    assert (figures.heat_detection_rate, figures.pregnancy_rate) == (Decimal("50.0"), Decimal("25.0"))  # 2/4 and 1/4


def test_the_organisations_voluntary_waiting_period(owner, farm, herd):
    Tenant.objects.filter(pk=owner.tenant_id).update(voluntary_waiting_days=70)
    owner.tenant.refresh_from_db()
    figures = figures_for(owner, farm, SINCE, UNTIL)
    # R is 66 days calved on 22 March: under 70, not eligible. Cycle 2 has P alone, seen and pregnant.
    assert [(c["eligible"], c["detected"], c["pregnant"]) for c in figures.cycles] == [(2, 1, 0), (1, 1, 1)]
    assert (figures.heat_detection_rate, figures.pregnancy_rate) == (Decimal("66.7"), Decimal("33.3"))  # 2/3 and 1/3


def test_services_per_conception_counts_the_services_of_cows_that_never_conceived(owner, farm):
    a, b = (make_animal(owner, farm, tag=tag, date_of_birth=dt.date(2021, 1, 1)) for tag in "AB")
    calved(owner, a, dt.date(2025, 12, 1))
    calved(owner, b, dt.date(2025, 12, 1))
    serve(owner, a, dt.date(2026, 2, 1), "open")
    serve(owner, a, dt.date(2026, 2, 22), "open")
    serve(owner, a, dt.date(2026, 3, 15), "open")
    serve(owner, b, dt.date(2026, 2, 1), "pregnant")
    figures = figures_for(owner, farm, dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    # 4 services with a known outcome, 1 conceived: 4.0 (counting only the cow that conceived would say 1.0).
    assert (figures.services, figures.conceptions, figures.services_per_conception) == (4, 1, Decimal("4.00"))
    assert figures.conception_rate == Decimal("25.0")


def test_the_page_states_each_definition(as_member, owner, farm, herd):
    page = as_member(owner).get(reverse("breeding:fertility"), {"farm": farm.pk, "since": SINCE.isoformat(),
                                                                "until": UNTIL.isoformat()}).content.decode()
    definitions = page.split('data-testid="definitions"')[1]
    assert "at least 50 days (the voluntary waiting period)" in definitions
    assert "in the herd for all of it" in definitions and "never conceived included" in definitions
    assert page.count("<tr>") >= 3  # the cycles' table
