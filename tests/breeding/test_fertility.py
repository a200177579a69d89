"""Fertility figures on small herds worked out by hand."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.accounts.people import tenant_people_changed
from apps.breeding.fertility import figures_for
from apps.breeding.services import heat_record, pregnancy_check_record, service_record
from apps.milk.models import Lactation
from tests.factories import TODAY, make_animal

pytestmark = pytest.mark.usefixtures("owner_scope")


def day(n):
    return TODAY - dt.timedelta(days=n)


def serve(owner, cow, days_ago, result, sire, technician):
    service = service_record(membership=owner, animal=cow, served_on=day(days_ago), method="ai", outside_sire=sire, technician=technician)
    if result:
        pregnancy_check_record(membership=owner, service=service, checked_on=day(days_ago - 35), method="ultrasound", result=result)
    return service


def calving(owner, cow, days_ago, number, dried=None):
    Lactation.objects.create(tenant_id=owner.tenant_id, animal=cow, number=number, calving_date=day(days_ago),
                             dried_off_on=day(dried) if dried else None)


def test_intervals_days_open_services_per_conception_and_rates_by_sire(owner, farm):
    a = make_animal(owner, farm, tag="A", date_of_birth=day(2500))
    b = make_animal(owner, farm, tag="B", date_of_birth=day(2500))
    calving(owner, a, 400, 1, dried=37)
    calving(owner, b, 300, 1)
    serve(owner, a, 340, "open", "Bull X", "Otieno")
    serve(owner, a, 319, "pregnant", "Bull Y", "Otieno")
    serve(owner, b, 230, "pregnant", "Bull Y", "Wanjiru")
    calving(owner, a, 36, 2)  # 283 days after her second service
    figures = figures_for(owner, farm, day(365), TODAY)
    assert (figures.services, figures.conceptions, figures.conception_rate) == (3, 2, Decimal("66.7"))
    assert figures.services_per_conception == Decimal("1.5")
    assert figures.days_open == Decimal("75.5")  # (81 + 70) / 2
    assert (figures.calving_interval, figures.calving_intervals) == (Decimal("364.0"), 1)
    assert [(r["name"], r["services"], r["rate"]) for r in figures.by_sire] == [("Bull Y", 2, Decimal("100.0")), ("Bull X", 1, Decimal("0.0"))]
    assert [(r["name"], r["rate"]) for r in figures.by_technician] == [("Otieno", Decimal("50.0")), ("Wanjiru", Decimal("100.0"))]


def test_heat_detection_and_21_day_pregnancy_rate(owner, farm):
    cow = make_animal(owner, farm, tag="C", date_of_birth=day(2500))
    calving(owner, cow, 200, 1)
    since = day(126)  # six 21-day cycles up to yesterday
    heat_record(membership=owner, animal=cow, observed_on=since + dt.timedelta(days=5))
    serve(owner, cow, (TODAY - since).days - 25, "open", "Bull X", "")
    serve(owner, cow, (TODAY - since).days - 45, "pregnant", "Bull X", "")
    figures = figures_for(owner, farm, since, TODAY)
    # Eligible in cycles 1-3 (pregnant from the third), seen in each, pregnant in one.
    assert (figures.heat_detection_rate, figures.pregnancy_rate) == (Decimal("100.0"), Decimal("33.3"))


def test_the_fertility_page_and_a_bad_period(owner, farm, as_member):
    client = as_member(owner)
    assert client.get(reverse("breeding:fertility")).status_code == 200
    response = client.get(reverse("breeding:fertility"), {"farm": farm.pk, "since": TODAY.isoformat(), "until": day(30).isoformat()})
    assert response.status_code == 400 and "start date is after" in response.content.decode()
    assert client.get(reverse("breeding:fertility"), {"farm": "abc", "since": "x", "until": ""}).status_code == 400


def test_other_species_take_the_organisations_gestation(owner, farm):
    from apps.accounts.models import Tenant

    Tenant.objects.filter(pk=owner.tenant_id).update(other_gestation_days=240)
    tenant_people_changed(owner.tenant_id)  # as the services do after an update without save()
    owner.tenant.refresh_from_db()
    llama = make_animal(owner, farm, tag="LLAMA", species="other", date_of_birth=day(2000))
    service = service_record(membership=owner, animal=llama, served_on=day(40), method="natural", outside_sire="Neighbour's male")
    check = pregnancy_check_record(membership=owner, service=service, checked_on=TODAY, method="ultrasound", result="pregnant")
    assert check.expected_birth_on == day(40) + dt.timedelta(days=240)
