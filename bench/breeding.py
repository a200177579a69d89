"""Breeding: the Today page (every worklist of an organisation's farms) at VPS scale, with a year of
breeding records per organisation, and the fertility figures of a farm.

Builds the VPS data (`seed_demo --scale vps`) if it is missing, then gives each organisation a
year of calvings, heats, services, checks and tasks with bulk inserts (once), starts gunicorn and
requests /breeding/today/ as different owners.
"""

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ifarm.settings")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from apps.accounts.models import Membership  # noqa: E402
from apps.breeding.models import Heat, PregnancyCheck, Service, Task  # noqa: E402
from apps.herd.models import Animal  # noqa: E402
from apps.milk.models import Lactation  # noqa: E402
from bench import loadgen, server  # noqa: E402
from bench.animal_list import session_cookie  # noqa: E402


def a_year_of_breeding(owner, rng: random.Random, today: dt.date) -> int:
    """Calvings over the past year, a heat and one or two services after each, checks on most, and
    tasks: the shape of a dairy herd's breeding book. Returns the services made."""
    tenant_id = owner.tenant_id
    if Service.objects.filter(tenant_id=tenant_id).exists():
        return 0
    cows = list(Animal.objects.filter(tenant_id=tenant_id, sex="female", status="active", species="cattle",
                                      date_of_birth__lte=today - dt.timedelta(days=900)).only("id", "farm_id"))
    has_lactation = set(Lactation.objects.filter(tenant_id=tenant_id).values_list("animal_id", flat=True))
    lactations, heats, services, checks = [], [], [], []
    for cow in cows:
        calved = today - dt.timedelta(days=rng.randint(20, 380))
        if cow.pk not in has_lactation:
            lactations.append(Lactation(tenant_id=tenant_id, animal_id=cow.pk, number=1, calving_date=calved))
        if rng.random() < 0.2:
            continue  # not bred yet
        heats.append(Heat(tenant_id=tenant_id, animal_id=cow.pk, farm_id=cow.farm_id, observed_on=calved + dt.timedelta(days=45),
                          recorded_by=owner))
        served = calved + dt.timedelta(days=rng.randint(60, 90))
        while served <= today:
            services.append(Service(tenant_id=tenant_id, animal_id=cow.pk, farm_id=cow.farm_id, served_on=served, method="ai",
                                    outside_sire=rng.choice(["HO-011", "AY-204", "JE-330"]), technician=rng.choice(["A", "B"]),
                                    recorded_by=owner))
            if (today - served).days < 35:
                break
            result = "pregnant" if rng.random() < 0.55 else "open"
            checks.append((len(services) - 1, served + dt.timedelta(days=35), result))
            if result == "pregnant":
                break
            served += dt.timedelta(days=21)
    with transaction.atomic():
        Lactation.objects.bulk_create(lactations, batch_size=2000)
        Heat.objects.bulk_create(heats, batch_size=2000)
        Service.objects.bulk_create(services, batch_size=2000)
        PregnancyCheck.objects.bulk_create([
            PregnancyCheck(tenant_id=tenant_id, service=services[n], checked_on=on, method="ultrasound", result=result,
                           expected_birth_on=services[n].served_on + dt.timedelta(days=283) if result == "pregnant" else None,
                           recorded_by=owner)
            for n, on, result in checks], batch_size=2000)
        farm_ids = sorted({cow.farm_id for cow in cows})
        Task.objects.bulk_create([
            Task(tenant_id=tenant_id, farm_id=farm_ids[n % len(farm_ids)], title=f"Job {n}", due_on=today - dt.timedelta(days=n % 3),
                 created_by=owner) for n in range(20)] if farm_ids else [])
    return len(services)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", scale="vps", without_milk=True, verbosity=0)
    rng = random.Random(8)
    today = dt.date.today()
    started = time.perf_counter()
    with scopes_disabled():
        owners = list(Membership.objects.filter(tenant__slug__startswith="scale-", role__key="owner").select_related("user", "tenant"))
        made = sum(a_year_of_breeding(owner, rng, today) for owner in owners)
        services = Service.objects.count()
        print(f"breeding data: {services:,} services in all ({made:,} added in {time.perf_counter() - started:.0f} s), "
              f"{PregnancyCheck.objects.count():,} checks, {Heat.objects.count():,} heats, {Lactation.objects.count():,} lactations")
    owners = owners[:20]
    cookies = {owner.pk: session_cookie(owner) for owner in owners}
    plan = [("/breeding/today/", {"Cookie": cookies[owners[n % len(owners)].pk], "Host": "127.0.0.1"}) for n in range(args.requests)]
    fertility = [("/breeding/fertility/", {"Cookie": cookies[owners[n % len(owners)].pk], "Host": "127.0.0.1"})
                 for n in range(max(args.requests // 4, 20))]
    port = server.free_port()
    process = server.start(port, workers=args.workers)
    try:
        loadgen.run("127.0.0.1", port, plan[:40], 2)
        print(f"database={settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]} workers={args.workers}")
        print(loadgen.run("127.0.0.1", port, plan, 1).summary("Today page, one client"))
        print(loadgen.run("127.0.0.1", port, plan, args.concurrency).summary(f"Today page, {args.concurrency} clients"))
        print(loadgen.run("127.0.0.1", port, fertility, 1).summary("fertility figures (a year, one farm), one client"))
        print(f"gunicorn RSS: {server.rss_mb(process.pid):.0f} MB")
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
