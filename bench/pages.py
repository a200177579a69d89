"""Each page of the daily mix in one process, no server: milliseconds per request and queries per request, over
requests spread across all organisations and members as `wrk_mix.py` sends them. The cost of a page's own Python
and SQL, without the network and without other requests competing; `--profile KIND` prints where that kind's time
goes (cProfile, sorted by own time).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ifarm_bench REDIS_URL=redis://127.0.0.1:6379/1 \\
        .venv/bin/python bench/pages.py --requests 200 [--profile save] [--cold]

`--cold` empties the cache before each kind (every request then draws what it can't find kept).
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ifarm.settings")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("STATIC_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.milk import CSRF  # noqa: E402
from bench.wrk_mix import MIX, mix_lines  # noqa: E402


def send(client: Client, line: str):
    kind, method, path, cookie, body = (line.split("\t") + [""])[:5]
    client.cookies.clear()
    for part in cookie.split("; "):
        name, _, value = part.partition("=")
        client.cookies[name] = value
    headers = {"HTTP_HOST": "127.0.0.1"}
    if method == "POST":
        headers |= {"HTTP_X_CSRFTOKEN": CSRF, "HTTP_HX_REQUEST": "true"}
        return client.post(path, body, content_type="application/x-www-form-urlencoded", **headers)
    if kind == "card":
        headers["HTTP_HX_REQUEST"] = "true"
    return client.get(path, **headers)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200, help="of each kind")
    parser.add_argument("--kinds", default=",".join(kind for kind, _ in MIX))
    parser.add_argument("--profile", default="", help="a kind to profile")
    parser.add_argument("--cold", action="store_true")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    client = Client(enforce_csrf_checks=True)
    for kind in args.kinds.split(","):
        lines = mix_lines(args.requests + 20, [kind], seed=23)
        if args.cold:
            cache.clear()
        for line in lines[:20]:  # imports, compiled templates, connections
            send(client, line)
        # Each member's first request of a session records the device (accounts.usersessions) and saves the session:
        # done here, as a member's day of work would have, so that the figures are of the page.
        for cookie in {line.split("\t")[3] for line in lines[20:]}:
            send(client, f"warm\tGET\t/notifications/\t{cookie}\t")
        times, queries, failures = [], [], 0
        profiler = cProfile.Profile() if kind == args.profile else None
        for line in lines[20:]:
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                if profiler:
                    profiler.enable()
                response = send(client, line)
                if profiler:
                    profiler.disable()
                times.append((time.perf_counter() - started) * 1000)
            queries.append(len(captured))
            failures += response.status_code >= 400
        times.sort()
        print(f"{kind:10} mean {statistics.mean(times):6.1f} ms  p50 {times[len(times) // 2]:6.1f}  "
              f"p90 {times[int(len(times) * 0.9)]:6.1f}  max {times[-1]:6.1f}  queries mean {statistics.mean(queries):4.1f} "
              f"max {max(queries):3d}  failures {failures}", flush=True)
        if profiler:
            pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
