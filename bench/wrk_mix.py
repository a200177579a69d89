"""The platform's daily load with wrk (a C load generator), beside a Django hello-world served the same way.

The mix reaches all 100 organisations of the VPS data, as their owners and as a farm-limited worker each: row
saves that move the dashboards' and entry pages' caches on (25 %), entry pages (10 %), herd lists with varied
searches, filters, sorts and pages (20 %), dashboard cards (15 %), animal pages (10 %), Today (6 %), home (6 %),
health (4 %) and approvals (4 %). Rounds alternate hello-world and the mix (the box's noise falls on both; the
ratio is the figure to compare). The cache is emptied first, and no run replays another's requests (the warm-up's
included): a round finds the cache as real use would, not filled with its own URLs by a round before; the rounds
that follow find more of what is shared (cards, forms) kept, as a server does some minutes after a start. Then each
page alone, at the same connections. Prints requests per second, latency (p50, p90, p99, max) and errors (any answer
other than 2xx or 3xx counts), and for each round the CPU a request cost the web, PostgreSQL, Redis and wrk (the same
requests costing more in one round than another is the box's speed changing, which the ratio's alternation is for).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ifarm_bench REDIS_URL=redis://127.0.0.1:6379/1 \\
        .venv/bin/python bench/wrk_mix.py --seconds 30 --rounds 3 [--alone 15] [--sustain 600]
"""

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ifarm.settings")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from apps.accounts.models import Membership, Role, User  # noqa: E402
from apps.farms.models import Farm  # noqa: E402
from apps.milk.models import Lactation  # noqa: E402
from bench import server  # noqa: E402
from bench.animal_list import session_cookie  # noqa: E402
from bench.milk import CSRF  # noqa: E402

MIX = [("save", 25), ("entry", 10), ("herd", 20), ("card", 15), ("animal", 10), ("today", 6), ("home", 6),
       ("health", 4), ("approvals", 4)]
HERD_QUERIES = ["", "?sort=-age", "?sex=female&page=2", "?species=cattle&sex=female&sort=tag", "?q={prefix}&page=2",
                "?status=&sort=breed", "?min_age=24&max_age=96", "?q={tag}", "?sort=tag&page=3", "?farm={farm}"]
CARDS = ["production", "chart", "producers", "alerts", "scc"]


def members() -> list[tuple[Membership, list[tuple[int, int]]]]:
    """Each scale organisation's owner and a worker limited to its first farm (made here once), with the cows in
    milk each may record."""
    today = dt.date.today()
    found = []
    with scopes_disabled():
        owners = list(Membership.objects.filter(tenant__slug__startswith="scale-", role__key="owner")
                      .select_related("user", "tenant").order_by("tenant_id"))
        for owner in owners:
            first = Farm.objects.filter(tenant_id=owner.tenant_id).order_by("pk").first()
            email = f"worker@{owner.tenant.slug}.ifarm.test"
            worker = Membership.objects.filter(tenant_id=owner.tenant_id, user__email=email).select_related("user").first()
            if worker is None:
                user = User.objects.filter(email=email).first() or User.objects.create_user(email=email, password="bench")
                worker = Membership.objects.create(tenant_id=owner.tenant_id, user=user, all_farms=False,
                                                   role=Role.objects.get(tenant_id=owner.tenant_id, key="worker"))
                worker.farms.set([first])
            cows = list(Lactation.objects.filter(tenant_id=owner.tenant_id, dried_off_on=None, calving_date__lte=today)
                        .values_list("animal_id", "animal__farm_id"))
            found.append((owner, cows))
            found.append((worker, [(cow, farm) for cow, farm in cows if farm == first.pk]))
    return [(member, cows) for member, cows in found if cows]


def mix_lines(count: int, kinds: list[str], seed: int = 7) -> list[str]:
    today = dt.date.today().isoformat()
    people = members()
    cookies = {member.pk: f"{session_cookie(member)}; csrftoken={CSRF}" for member, _ in people}
    rng = random.Random(seed)
    lines = []
    owners = [(member, cows) for member, cows in people if member.all_farms]
    for _ in range(count):
        kind = rng.choice(kinds)
        member, cows = rng.choice(owners if kind == "approvals" else people)  # approvals: those who approve
        animal, farm = rng.choice(cows)
        method, body, session = "GET", "", rng.choice(["morning", "evening"])
        if kind == "save":
            method, path = "POST", "/milk/entry/row/"
            body = f"farm={farm}&date={today}&session={session}&animal={animal}&quantity={rng.uniform(4, 28):.1f}"
        elif kind == "entry":
            path = f"/milk/entry/?farm={farm}&date={today}&session={session}"
        elif kind == "herd":
            query = rng.choice(HERD_QUERIES).format(prefix=f"S{rng.randint(1, 100):03d}", farm=farm,
                                                    tag=f"S{rng.randint(1, 100):03d}-{rng.randint(0, 99):04d}")
            path = f"/herd/{query}"
        elif kind == "card":
            path = f"/milk/cards/{rng.choice(CARDS)}/"
        elif kind == "animal":
            path = f"/herd/{animal}/"
        else:
            path = {"today": "/breeding/today/", "home": "/home/", "health": "/health/", "approvals": "/money/approvals/"}[kind]
        lines.append("\t".join([kind, method, path, cookies[member.pk], body]))
    return lines


_WALKED: dict[str, int] = {}  # lines of each file its threads have sent so far


def wrk(port: int, lines_file: str | None, seconds: int, connections: int, path: str = "/") -> dict:
    """A run of wrk (two threads). Over a file of requests each run takes up where the previous one stopped: a round
    must not replay the URLs an earlier round (or the warm-up) has just drawn into the cache."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    if lines_file:
        start = _WALKED.get(lines_file, 0)
        command += ["-s", str(HERE / "wrk_requests.lua"), f"http://127.0.0.1:{port}/", "--", lines_file, str(start)]
    else:
        command += ["-s", str(HERE / "wrk_requests.lua"), f"http://127.0.0.1:{port}{path}", "--", _hello_file()]
    out = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "BENCH_CSRF": CSRF}, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("WRK "))
    count, duration, mean, p50, p90, p99, worst, socket_errors, status_errors, timeouts, _bytes = map(int, map(float, line.split()[1:]))
    if lines_file:
        _WALKED[lines_file] = start + count // 2 + 1
    return {"rps": count / (duration / 1e6), "p50": p50 / 1000, "p90": p90 / 1000, "p99": p99 / 1000, "max": worst / 1000,
            "errors": socket_errors + status_errors + timeouts, "requests": count}


_HELLO = None


def _hello_file() -> str:
    global _HELLO
    if _HELLO is None:
        _HELLO = tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False)  # noqa: SIM115
        _HELLO.write("hello\tGET\t/\t\t\n")
        _HELLO.close()
    return _HELLO.name


KIND_OF = [("POST /milk/entry/row/", "save"), ("GET /milk/entry/", "entry"), ("GET /milk/cards/", "card"),
           ("GET /breeding/today/", "today"), ("GET /home/", "home"), ("GET /health/", "health"),
           ("GET /money/approvals/", "approvals")]


def by_kind(log: Path) -> str:
    """Server-side time per kind of page under the mix, from gunicorn's access log (deploy/gunicorn.conf.py writes a
    JSON line a request with its milliseconds): where the slowest requests come from."""
    times: dict[str, list[int]] = {}
    for line in log.read_text().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        request = entry["request"]
        kind = next((name for start, name in KIND_OF if request.startswith(start)), None)
        if kind is None:
            kind = "animal" if re.match(r"GET /herd/\d+/ ", request) else "herd" if request.startswith("GET /herd/") else "other"
        times.setdefault(kind, []).append(int(entry["ms"]))
    lines = ["  server time under the mix, by kind: count, p50, p90, p99, max (ms)"]
    for kind, found in sorted(times.items(), key=lambda item: -len(item[1])):
        found.sort()
        at = lambda share: found[min(len(found) - 1, int(len(found) * share))]  # noqa: E731
        lines.append(f"    {kind:10} {len(found):6} {at(0.5):6} {at(0.9):6} {at(0.99):6} {found[-1]:6}")
    return "\n".join(lines)


def said(result: dict) -> str:
    return (f"{result['rps']:.1f} req/s, p50 {result['p50']:.0f} ms, p90 {result['p90']:.0f} ms, p99 {result['p99']:.0f} ms, "
            f"max {result['max']:.0f} ms, errors {result['errors']} of {result['requests']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=30, help="each round of the mix and of hello-world")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=server.WORKERS)
    parser.add_argument("--threads", type=int, default=server.THREADS, help="of each worker")
    parser.add_argument("--alone", type=int, default=15, help="seconds for each page alone (0: skip)")
    parser.add_argument("--sustain", type=int, default=0, help="then the mix for this many seconds more")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed (Debian: apt install wrk).")
    call_command("migrate", verbosity=0)
    call_command("seed_demo", scale="vps", verbosity=0)
    cache.clear()  # what an earlier run drew for the same requests would flatter this one
    folder = Path(tempfile.mkdtemp(prefix="ifarm-wrk-"))
    weighted = [kind for kind, weight in MIX for _ in range(weight)]
    (folder / "mix.tsv").write_text("\n".join(mix_lines(60_000, weighted)) + "\n")
    for kind, _ in MIX:
        (folder / f"{kind}.tsv").write_text("\n".join(mix_lines(6_000, [kind], seed=11)) + "\n")
    hello_rates, mix_rates = [], []
    for number in range(1, args.rounds + 1):
        with server.serving(args.workers, app="bench.hello_django:application") as (port, process):
            wrk(port, None, 3, 2)
            before = server.cpu_sample(process.pid)
            hello = wrk(port, None, args.seconds, args.connections)
            hello_cpu = server.cpu_said(before, server.cpu_sample(process.pid), hello["requests"])
        log = folder / f"access-{number}.log"
        with server.serving(args.workers, access_log=str(log), threads=args.threads) as (port, process):
            wrk(port, str(folder / "mix.tsv"), 5, 2)  # each worker's first requests (imports, connections)
            log.write_text("")  # gunicorn appends: the warm-up's lines go
            before = server.cpu_sample(process.pid)
            mix = wrk(port, str(folder / "mix.tsv"), args.seconds, args.connections)
            mix_cpu = server.cpu_said(before, server.cpu_sample(process.pid), mix["requests"])
            memory = server.memory_said(process.pid)
        hello_rates.append(hello["rps"])
        mix_rates.append(mix["rps"])
        print(f"round {number}: hello-world {hello['rps']:.0f} req/s; mix {said(mix)}; ratio {mix['rps'] / hello['rps']:.3f}",
              flush=True)
        print(f"  hello-world's {hello_cpu}\n  the mix's {mix_cpu}", flush=True)
        print(f"  web memory after the round ({args.workers} workers): {memory}", flush=True)
        print(by_kind(log), flush=True)
    print(f"medians over {args.rounds} rounds ({args.connections} connections, {args.workers} workers x {args.threads} threads): "
          f"hello-world {statistics.median(hello_rates):.0f} req/s, mix {statistics.median(mix_rates):.1f} req/s, "
          f"ratio {statistics.median(mix_rates) / statistics.median(hello_rates):.3f}", flush=True)
    if args.alone or args.sustain:
        with server.serving(args.workers, threads=args.threads) as (port, process):
            wrk(port, str(folder / "mix.tsv"), 5, 2)
            for kind, _ in MIX if args.alone else []:
                print(f"  {kind} alone: {said(wrk(port, str(folder / f'{kind}.tsv'), args.alone, args.connections))}", flush=True)
            if args.sustain:
                print(f"sustained mix for {args.sustain} s: {said(wrk(port, str(folder / 'mix.tsv'), args.sustain, args.connections))}; "
                      f"web memory: {server.memory_said(process.pid)}", flush=True)
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
