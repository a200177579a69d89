"""Milk at VPS scale: row save, entry page, dashboard cards cached and uncached, records list.

Builds the scale data if missing (100 organisations, 10,000 animals, two years of milkings),
starts gunicorn on loopback and loads each endpoint from several threads as different owners.
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
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from apps.accounts.models import Membership  # noqa: E402
from apps.milk.models import Lactation, MilkRecord  # noqa: E402
from bench import loadgen, server  # noqa: E402
from bench.animal_list import session_cookie  # noqa: E402

CSRF = "benchcsrftokenbenchcsrftoken0123"  # a 32-character secret, sent as cookie and header
CARDS = ["production", "chart", "producers", "alerts", "scc"]


def owners_with_cows(limit: int):
    today = dt.date.today()
    with scopes_disabled():
        owners = list(Membership.objects.filter(tenant__slug__startswith="scale-", role__key="owner").select_related("user")[:limit])
        plans = []
        for owner in owners:
            cows = list(
                Lactation.objects.filter(tenant_id=owner.tenant_id, dried_off_on=None, calving_date__lte=today)
                .values_list("animal_id", "animal__farm_id")
            )
            plans.append((owner, cows))
    return plans


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=server.WORKERS)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("seed_demo", scale="vps")
    print(f"seed_demo --scale vps: {time.perf_counter() - started:.0f} s")
    with scopes_disabled():
        print(f"milk records: {MilkRecord.objects.count():,}")
    plans = owners_with_cows(20)
    today = dt.date.today().isoformat()
    rng = random.Random(11)
    sessions = {owner.pk: session_cookie(owner) for owner, _ in plans}

    def headers(owner, post=False):
        cookie = f"{sessions[owner.pk]}; csrftoken={CSRF}"
        h = {"Cookie": cookie, "Host": "127.0.0.1"}
        if post:
            h.update({"X-CSRFToken": CSRF, "HX-Request": "true", "Content-Type": "application/x-www-form-urlencoded"})
        return h

    port = server.free_port()
    process = server.start(port, workers=args.workers)
    print(f"database={settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]} cache={settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]} "
          f"workers={args.workers} concurrency={args.concurrency}")
    try:
        saves = []
        for _ in range(args.requests):
            owner, cows = rng.choice(plans)
            animal_id, farm_id = rng.choice(cows)
            body = f"farm={farm_id}&date={today}&session=morning&animal={animal_id}&quantity={rng.uniform(5, 30):.2f}&method=machine"
            saves.append(("/milk/entry/row/", headers(owner, post=True), body))
        result = loadgen.run("127.0.0.1", port, saves, args.concurrency)
        print(result.summary("row save (htmx POST)"))

        entries = []
        for _ in range(args.requests // 2):
            owner, cows = rng.choice(plans)
            farm_id = rng.choice(cows)[1]
            entries.append((f"/milk/entry/?farm={farm_id}&date={today}&session=morning", headers(owner)))
        print(loadgen.run("127.0.0.1", port, entries, args.concurrency).summary("entry page"))

        cache.clear()
        cards = [(f"/milk/cards/{card}/", headers(owner)) for owner, _ in plans for card in CARDS]
        # Sessions live in the cache too: warm them without warming the cards.
        loadgen.run("127.0.0.1", port, [("/healthz", headers(owner)) for owner, _ in plans], 2)
        print(loadgen.run("127.0.0.1", port, cards, args.concurrency).summary("dashboard card, uncached"))
        print(loadgen.run("127.0.0.1", port, cards * 10, args.concurrency).summary("dashboard card, cached"))

        lists = [("/milk/records/?sort=-date", headers(rng.choice(plans)[0])) for _ in range(args.requests // 2)]
        print(loadgen.run("127.0.0.1", port, lists, args.concurrency).summary("records list, 50 rows"))
        print(f"web memory (gunicorn master + workers): {server.rss_mb(process.pid):.0f} MB RSS")
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
