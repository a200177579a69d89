"""The milking entry page's rows drawn two ways: by `apps/milk/rows.py` (Python, what the page uses) and by the same
markup written as a template partial (`bench/templates/milk_row.html`), for a herd of 100 cows.

Prints the median time of each; the figure behind keeping the rows in Python (DESIGN.md, "the hot path").
No database: the cows and records are built in memory.
"""

import datetime as dt
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ifarm.settings")

import django  # noqa: E402

django.setup()

from django.template import Context, Engine  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.farms.models import Farm  # noqa: E402
from apps.herd.models import Animal  # noqa: E402
from apps.milk.models import MilkRecord  # noqa: E402
from apps.milk.rows import rows_html  # noqa: E402

COWS = 100
ROUNDS, REPEAT = 7, 20


def herd() -> list[dict]:
    rows = []
    for n in range(COWS):
        cow = Animal(pk=1000 + n, tenant_id=1, tag=f"KE-{n:04d}", name="Wanjiru" if n % 3 else "")
        record = (MilkRecord(pk=n, tenant_id=1, animal_id=cow.pk, quantity=Decimal("11.5"), visit_count=0,
                             fat=Decimal("3.9") if n % 4 == 0 else None, discarded=n % 10 == 0) if n % 2 else None)
        rows.append({"animal": cow, "record": record, "yesterday": Decimal("12.25"),
                     "withdrawal_ends": timezone.now() if n % 10 == 0 else None})
    return rows


def main():
    engine = Engine(dirs=[str(HERE / "templates")], libraries={"i18n": "django.templatetags.i18n"},
                    loaders=[("django.template.loaders.cached.Loader", ["django.template.loaders.filesystem.Loader"])])
    template = engine.get_template("milk_row.html")
    rows = herd()
    context = {"farm": Farm(pk=1, tenant_id=1, name="Dairy", time_zone="Africa/Nairobi"), "day": dt.date(2026, 12, 7),
               "session": "morning", "unit": "L", "save_url": "/milk/entry/row/", "quality_url": "/milk/entry/quality/",
               "csrf_token": "x" * 64}
    ways = {"python (apps/milk/rows.py)": lambda: rows_html(rows, **context),
            "template partial": lambda: template.render(Context({**context, "rows": rows}))}
    times = {name: [] for name in ways}
    for draw in ways.values():
        draw()
    for _ in range(ROUNDS):  # alternating, so the box's noise falls on both
        for name, draw in ways.items():
            started = time.perf_counter()
            for _ in range(REPEAT):
                draw()
            times[name].append((time.perf_counter() - started) / REPEAT * 1000)
    for name, values in times.items():
        print(f"{name}: {COWS} rows, median {statistics.median(values):.2f} ms, fastest {min(values):.2f} ms")


if __name__ == "__main__":
    main()
