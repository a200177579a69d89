"""The coefficient of inbreeding of a planned calf in a deep, closed herd: the memoised coancestry
over the whole recorded pedigree (apps/breeding/inbreeding.py), with no depth cut.

Builds, in memory, a herd of `--animals` over `--generations` generations (a few sires a generation,
each cow by a sire and a dam of the generation before), then times the coefficient of several
matings of the youngest generation, cold (a new pedigree each time). Prints the median and the
slowest, and the pedigree's size.

    .venv/bin/python bench/pedigree.py --animals 1000 --generations 10
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from apps.breeding.inbreeding import coefficient  # noqa: E402


def closed_herd(animals: int, generations: int, sires: int, rng: random.Random):
    per_generation = animals // generations
    parents, previous_males, previous_females, node = {}, [], [], 0
    for _ in range(generations):
        males, females = [], []
        for n in range(per_generation):
            node += 1
            pair = (rng.choice(previous_males), rng.choice(previous_females)) if previous_males else (None, None)
            parents[node] = pair
            (males if n < sires else females).append(node)
        previous_males, previous_females = males, females
    return parents, previous_males, previous_females


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--animals", type=int, default=1000)
    parser.add_argument("--generations", type=int, default=10)
    parser.add_argument("--sires", type=int, default=5)
    parser.add_argument("--matings", type=int, default=20)
    args = parser.parse_args()
    rng = random.Random(7)
    times, values = [], []
    for _ in range(args.matings):
        parents, males, females = closed_herd(args.animals, args.generations, args.sires, rng)
        started = time.perf_counter()
        values.append(coefficient(rng.choice(males), rng.choice(females), parents))
        times.append(time.perf_counter() - started)
    print(f"pedigree: {len(parents)} animals over {args.generations} generations, {args.sires} sires a generation")
    print(f"coefficient of a planned calf: median {statistics.median(times) * 1000:.1f} ms, "
          f"slowest {max(times) * 1000:.1f} ms over {args.matings} matings")
    print(f"F: median {statistics.median(float(v) for v in values) * 100:.2f} %, "
          f"highest {max(float(v) for v in values) * 100:.2f} %")


if __name__ == "__main__":
    main()
