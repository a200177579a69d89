"""Demo breeding: the services and checks that fill the Today page, and a year of breeding records."""

import datetime as dt
from decimal import Decimal

from django_scopes import scope

from apps.accounts.models import Membership
from apps.farms.models import Farm
from apps.herd.models import Animal, Breed


def breeding_if_missing(tenant, stdout) -> None:
    """Services and checks so that the Today page has something in each breeding list."""
    from apps.breeding.models import Service
    from apps.breeding.services import pregnancy_check_record, service_record
    from apps.milk.models import Lactation

    with scope(tenant=tenant.pk):
        if Service.objects.filter(tenant=tenant).exists():
            return
        owner = Membership.objects.select_related("tenant", "role", "user").get(tenant=tenant, user__email="owner@demo.ifarm.test")
        home = Farm.objects.get(tenant=tenant, name="Green Valley Home Farm")
        today = home.local_today()
        last_calving = dict(Lactation.objects.filter(tenant=tenant).order_by("animal_id", "calving_date")
                            .values_list("animal_id", "calving_date"))
        females = list(Animal.objects.filter(tenant=tenant, farm=home, sex="female", status="active",
                                             date_of_birth__lte=today - dt.timedelta(days=900)).order_by("-tag"))
        plan = [(20, None), (24, None), (33, None), (40, None), (272, 0), (240, 0)]  # days ago, foetal age at check
        done = 0
        for cow in females:
            if done == len(plan):
                break
            days_ago, _ = plan[done]
            served = today - dt.timedelta(days=days_ago)
            if last_calving.get(cow.pk) and last_calving[cow.pk] >= served:
                continue
            service = service_record(membership=owner, animal=cow, served_on=served, method="ai",
                                     outside_sire="Holstein AI bull HO-011", straw="HO-011-2026", technician="Joseph Mwangi")
            if days_ago > 200:
                pregnancy_check_record(membership=owner, service=service, checked_on=served + dt.timedelta(days=40),
                                       method="ultrasound", result="pregnant")
            done += 1
        stdout.write(f"Added {done} services for the breeding calendar.")

def breeding_year_if_missing(tenant, stdout) -> None:
    """A year of breeding: an outside register, a hired bull whose agreement has been invoiced,
    services with their checks (some failed), births on the heifer unit with calves and their
    weights, and farm tasks; added once, also to a demo organisation made before they existed."""
    from apps.breeding.services import (
        birth_record,
        heat_record,
        hire_end,
        hire_save,
        pregnancy_check_record,
        service_record,
        task_save,
    )
    from apps.farms.services import external_farm_save
    from apps.herd.lifecycle import event_record
    from apps.herd.models import OutsideSire
    from apps.herd.services import outside_sire_save
    from apps.milk.models import Lactation

    with scope(tenant=tenant.pk):
        if OutsideSire.objects.filter(tenant=tenant).exists():
            return
        owner = Membership.objects.select_related("tenant", "role", "user").get(tenant=tenant, user__email="owner@demo.ifarm.test")
        worker = Membership.objects.filter(tenant=tenant, user__email="worker@demo.ifarm.test").first()
        home = Farm.objects.get(tenant=tenant, name="Green Valley Home Farm")
        hill = Farm.objects.get(tenant=tenant, name="Hillside Heifer Unit")
        today = home.local_today()
        kamau = external_farm_save(membership=owner, name="Kamau Highland Farm", holding_number="KE-KBU-0417",
                                   contact="John Kamau, 0722 000 417", location="Githunguri")
        external_farm_save(membership=owner, name="Kenya Animal Genetic Resource Centre", location="Kabete")
        ai_bull = outside_sire_save(membership=owner, name="HO-011 Holstein", species="cattle", semen_code="HO-011",
                                    registration_number="KSB-HO-011")
        simba = outside_sire_save(membership=owner, name="Simba", species="cattle", owner=kamau, registration_number="KSB-A-2291",
                                  breed=Breed.objects.filter(species="cattle", name="Ayrshire").first())
        hire = hire_save(membership=owner, farm=hill, other_farm=kamau, outside_sire=simba, direction="in",
                         starts_on=today - dt.timedelta(days=400), ends_on=today - dt.timedelta(days=270), basis="service",
                         fee=Decimal("2500.00"), terms="Bull returned fit; farm feeds him while here.")
        hire_save(membership=owner, farm=hill, other_farm=kamau, outside_sire=simba, direction="in",
                  starts_on=today - dt.timedelta(days=20), ends_on=today + dt.timedelta(days=40), basis="day",
                  fee=Decimal("150.00"), terms="Second season.")

        # Heifers on the hill: served by the hired bull a year ago; most have calved since.
        heifers = list(Animal.objects.filter(tenant=tenant, farm=hill, species="cattle", sex="female", status="active",
                                             date_of_birth__lte=today - dt.timedelta(days=700)).order_by("tag")[:6])
        calves = 0
        for n, heifer in enumerate(heifers):
            served = today - dt.timedelta(days=383 if n < 2 else 275 if n == 5 else 300)
            service = service_record(membership=owner, animal=heifer, served_on=served, method="natural", hire=hire,
                                     technician="")
            pregnancy_check_record(membership=owner, service=service, checked_on=served + dt.timedelta(days=40),
                                   method="palpation", result="pregnant")
            if n == 5:
                continue  # still carrying: due in the coming days
            born = served + dt.timedelta(days=283)
            birth = birth_record(membership=owner, animal=heifer, born_on=born, ease=1 + n % 3, offspring=[
                {"sex": "female" if n % 2 == 0 else "male", "outcome": "alive", "tag": f"GV-4{n:02d}",
                 "weight": Decimal(32 + n)}])
            calves += 1
            calf = Animal.objects.get(pk=birth.offspring[0]["animal_id"])
            for days, gain in ((30, Decimal("0.65")), (60, Decimal("0.7"))):
                if born + dt.timedelta(days=days) < today:
                    event_record(membership=owner, animal=calf, kind="weight", on=born + dt.timedelta(days=days),
                                 weight_kg=Decimal(32 + n) + gain * days, method="tape")
        hire_end(hire=hire, membership=owner)

        # In the milking herd: services of the past year with their outcomes, for the fertility figures.
        open_lactations = dict(Lactation.objects.filter(tenant=tenant, dried_off_on=None, animal__farm=home)
                               .values_list("animal_id", "calving_date"))
        busy = set(Animal.objects.filter(tenant=tenant, services__isnull=False).values_list("pk", flat=True))
        cows = [cow for cow in Animal.objects.filter(pk__in=list(open_lactations)).order_by("tag")
                if cow.pk not in busy and (today - open_lactations[cow.pk]).days >= 160][:8]
        for n, cow in enumerate(cows):
            calved = open_lactations[cow.pk]
            first = service_record(membership=owner, animal=cow, served_on=calved + dt.timedelta(days=62 + n), method="ai",
                                   registered_sire=ai_bull, straw="HO-011-2026", technician="Joseph Mwangi" if n % 2 else "Mary Achieng")
            if n % 3 == 0:
                continue  # no check yet, no repeat: outcome unknown
            pregnancy_check_record(membership=owner, service=first, checked_on=first.served_on + dt.timedelta(days=35),
                                   method="ultrasound", result="pregnant" if n % 3 == 1 else "open")
            if n % 3 == 2 and first.served_on + dt.timedelta(days=57) <= today - dt.timedelta(days=60):
                second = service_record(membership=owner, animal=cow, served_on=first.served_on + dt.timedelta(days=21),
                                        method="ai", registered_sire=ai_bull, technician="Joseph Mwangi")
                pregnancy_check_record(membership=owner, service=second, checked_on=second.served_on + dt.timedelta(days=36),
                                       method="palpation", result="pregnant")

        # Heats seen on most of the other open cows, every three weeks from 45 days after calving.
        served = set(Animal.objects.filter(tenant=tenant, services__isnull=False).values_list("pk", flat=True))
        heats = 0
        for n, (animal_id, calved) in enumerate(sorted(open_lactations.items())):
            if animal_id in served or n % 4 == 0:
                continue
            cow = Animal.objects.get(pk=animal_id)
            seen = calved + dt.timedelta(days=45 + n % 5)
            while seen < today and (today - seen).days < 365:
                heat_record(membership=owner, animal=cow, observed_on=seen, signs="standing to be mounted")
                heats += 1
                seen += dt.timedelta(days=21 + n % 3)

        due = today
        task_save(membership=owner, farm=home, title="Trim hooves of the milking herd", due_on=due, assignee=worker, repeat="weekly")
        task_save(membership=owner, farm=home, title="Order mineral lick", due_on=due - dt.timedelta(days=1), assignee=owner)
        task_save(membership=owner, farm=hill, title="Spray the heifers for ticks", due_on=due + dt.timedelta(days=3),
                  repeat="weekly")
        stdout.write(f"Added a year of breeding: {calves} births on the heifer unit, {len(cows)} cows served, "
                          f"{heats} heats seen, tasks.")
