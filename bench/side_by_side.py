"""The realistic mix and a Django hello-world, served the same way on the same box, one after the other:
prints both rates, their ratio and the mix's latency per kind of page.

Usage: bench/side_by_side.py --requests 6000 --concurrency 8 [--rounds 3]. Rounds alternate hello-world
and mix; the medians are printed last. The box's noise shows in the hello-world rate, so the ratio is
the figure to compare between runs.
"""

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ifarm.settings")

from bench import loadgen, server  # noqa: E402  (bench.mixed sets Django up)
from bench.mixed import MIX, mix_requests  # noqa: E402


def kind_of(path: str) -> str:
    if path.startswith("/milk/entry/row/"):
        return "row save"
    if path.startswith("/milk/entry/"):
        return "entry page"
    if path.startswith("/milk/cards/"):
        return "dashboard card"
    if path.startswith("/herd/") and path.rstrip("/").split("/")[-1].isdigit():
        return "animal page"
    return "herd list"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=server.WORKERS)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    requests = mix_requests(args.requests)
    hello_requests = [("/", {"Host": "127.0.0.1"})] * args.requests
    hello_rates, mix_rates = [], []
    for round_number in range(1, args.rounds + 1):
        with server.serving(args.workers, app="bench.hello_django:application") as (port, _):
            loadgen.run("127.0.0.1", port, hello_requests[:200], 2)
            hello = loadgen.run("127.0.0.1", port, hello_requests, args.concurrency)
        with server.serving(args.workers) as (port, process):
            loadgen.run("127.0.0.1", port, requests[:200], 2)
            mix = loadgen.run("127.0.0.1", port, requests, args.concurrency)
            memory = server.rss_mb(process.pid)
        hello_rates.append(hello.rps)
        mix_rates.append(mix.rps)
        print(f"round {round_number}: hello-world {hello.rps:.0f} req/s, mix {mix.rps:.1f} req/s, "
              f"ratio {mix.rps / hello.rps:.3f}, errors {mix.errors}, web memory {memory:.0f} MB")
        print("  " + mix.summary("mix"))
        for kind, summary in loadgen.by_kind(mix, requests, kind_of).items():
            print(f"  {kind}: {summary}")
    print(f"medians over {args.rounds} rounds (workers={args.workers}, concurrency={args.concurrency}, mix={dict(MIX)}): "
          f"hello-world {statistics.median(hello_rates):.0f} req/s, mix {statistics.median(mix_rates):.1f} req/s, "
          f"ratio {statistics.median(mix_rates) / statistics.median(hello_rates):.3f}")


if __name__ == "__main__":
    main()
