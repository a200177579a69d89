"""A mixed load like a morning on the platform: milk saves and entry pages, herd lists, dashboards.

Prints requests per second, errors and latency for the mix; run it for minutes with --requests.
"""

import argparse
import datetime as dt
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ifarm.settings")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from bench import loadgen, server  # noqa: E402
from bench.animal_list import session_cookie  # noqa: E402
from bench.milk import CSRF, owners_with_cows  # noqa: E402

MIX = [("save", 25), ("entry", 10), ("herd", 25), ("card", 30), ("animal", 10)]


def mix_requests(count: int, seed: int = 3) -> list:
    """The mix as (path, headers[, body]) requests, from 40 organisations of the VPS data (built if missing)."""
    call_command("migrate", verbosity=0)
    call_command("seed_demo", scale="vps", verbosity=0)
    plans = owners_with_cows(40)
    cookies = {owner.pk: session_cookie(owner) for owner, _ in plans}
    today = dt.date.today().isoformat()
    rng = random.Random(seed)
    kinds = [kind for kind, weight in MIX for _ in range(weight)]
    requests = []
    for _ in range(count):
        owner, cows = rng.choice(plans)
        animal_id, farm_id = rng.choice(cows)
        headers = {"Cookie": f"{cookies[owner.pk]}; csrftoken={CSRF}", "Host": "127.0.0.1"}
        kind = rng.choice(kinds)
        if kind == "save":
            body = f"farm={farm_id}&date={today}&session=morning&animal={animal_id}&quantity={rng.uniform(5, 30):.2f}"
            requests.append(("/milk/entry/row/", {**headers, "X-CSRFToken": CSRF, "HX-Request": "true",
                                                  "Content-Type": "application/x-www-form-urlencoded"}, body))
        elif kind == "entry":
            requests.append((f"/milk/entry/?farm={farm_id}&date={today}&session=morning", headers))
        elif kind == "herd":
            requests.append((rng.choice(["/herd/", "/herd/?sort=-age", "/herd/?sex=female&page=2"]), headers))
        elif kind == "card":
            requests.append((f"/milk/cards/{rng.choice(['production', 'chart', 'producers', 'alerts', 'scc'])}/", headers))
        else:
            requests.append((f"/herd/{animal_id}/", headers))
    return requests


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=server.WORKERS)
    args = parser.parse_args()
    requests = mix_requests(args.requests)
    port = server.free_port()
    process = server.start(port, workers=args.workers)
    try:
        loadgen.run("127.0.0.1", port, requests[:200], 2)
        result = loadgen.run("127.0.0.1", port, requests, args.concurrency)
        print(f"workers={args.workers} concurrency={args.concurrency} mix={dict(MIX)}")
        print(result.summary(f"mixed load over {result.elapsed_s:.0f} s"))
        print(f"web memory (gunicorn master + workers): {server.rss_mb(process.pid):.0f} MB RSS")
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
