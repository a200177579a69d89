"""API: the animals list (50 a page, with a key) under load at VPS scale, and the time to ingest
5,000 milkings in one call (iFarm's shape, then the same again as updates).

Uses the VPS data (`seed_demo --scale vps`, built if missing, without milk history) and one key per
organisation for the first 20 organisations.
"""

import argparse
import datetime as dt
import json
import os
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ifarm.settings")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("API_RATE_PER_MINUTE", "1000000")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django_scopes import scope, scopes_disabled  # noqa: E402

from apps.accounts.models import Membership, Role  # noqa: E402
from apps.api.services import api_key_create  # noqa: E402
from apps.farms.models import Farm  # noqa: E402
from apps.herd.models import Animal  # noqa: E402
from apps.milk.models import Lactation, MilkRecord  # noqa: E402
from bench import loadgen, server  # noqa: E402


def keys_for(owners) -> list[str]:
    secrets = []
    for owner in owners:
        with scope(tenant=owner.tenant_id):
            role = Role.objects.get(tenant_id=owner.tenant_id, key="manager")
            secrets.append(api_key_create(membership=owner, name=f"Bench {time.time_ns()}", role=role)[1])
    return secrets


def ingest_farm(owner) -> tuple[Farm, list]:
    """A farm of 500 cows in milk for the ingest (made once)."""
    with scope(tenant=owner.tenant_id):
        farm = Farm.objects.filter(tenant_id=owner.tenant_id, name="Robot parlour").first()
        if farm is None:
            farm = Farm.objects.create(tenant_id=owner.tenant_id, name="Robot parlour", milking_sessions_per_day=2,
                                       time_zone=owner.tenant.time_zone)
            cows = Animal.objects.bulk_create([Animal(tenant_id=owner.tenant_id, farm=farm, species="cattle", sex="female",
                                                      tag=f"RP-{n:04d}", date_of_birth=dt.date(2019, 1, 1)) for n in range(500)])
            Lactation.objects.bulk_create([Lactation(tenant_id=owner.tenant_id, animal=cow, number=1,
                                                     calving_date=dt.date.today() - dt.timedelta(days=90)) for cow in cows])
        MilkRecord.objects.filter(tenant_id=owner.tenant_id, farm=farm).delete()
        return farm, list(Animal.objects.filter(farm=farm).values_list("tag", flat=True))


def post(port: int, path: str, secret: str, body: dict) -> tuple[int, dict, float]:
    started = time.perf_counter()
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json",
                                              "Host": "127.0.0.1"})
    with urllib.request.urlopen(request, timeout=300) as response:
        return response.status, json.loads(response.read()), time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", scale="vps", without_milk=True, verbosity=0)
    with scopes_disabled():
        owners = list(Membership.objects.filter(tenant__slug__startswith="scale-", role__key="owner", is_service=False)
                      .select_related("user", "tenant")[:20])
        secrets = keys_for(owners)
        farm, tags = ingest_farm(owners[0])
    plan = [("/api/v1/animals?limit=50&status=active", {"Authorization": f"Bearer {secrets[n % len(secrets)]}", "Host": "127.0.0.1"})
            for n in range(args.requests)]
    port = server.free_port()
    process = server.start(port, workers=args.workers)
    try:
        loadgen.run("127.0.0.1", port, plan[:50], 2)
        print(f"database={settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]} workers={args.workers}")
        print(loadgen.run("127.0.0.1", port, plan, 1).summary("API animals list (50), one client"))
        print(loadgen.run("127.0.0.1", port, plan, args.concurrency).summary(f"API animals list (50), {args.concurrency} clients"))
        days = [dt.date.today() - dt.timedelta(days=n) for n in range(5)]
        items = [{"tag": tag, "date": day.isoformat(), "session": session, "quantity": "11.5"}
                 for day in days for tag in tags for session in ("morning", "evening")]
        status, body, seconds = post(port, "/api/v1/milk/ingest", secrets[0], {"format": "ifarm", "items": items})
        print(f"ingest of {len(items):,} milkings (5 farm-days, new): HTTP {status}, {body['created']:,} created, "
              f"{body['refused']} refused in {seconds:.2f} s")
        status, body, seconds = post(port, "/api/v1/milk/ingest", secrets[0], {"format": "ifarm", "items": items})
        print(f"the same again (all updates): HTTP {status}, {body['updated']:,} updated in {seconds:.2f} s")
        print(f"gunicorn RSS: {server.rss_mb(process.pid):.0f} MB")
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
