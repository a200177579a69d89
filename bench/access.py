"""Access checks and the abuse guard: what they cost per call and per request.

Prints the time of one `can()` for an organisation without policies (the fast path), with policies and
a delegation (the cached snapshot), the time to build a snapshot from the database, and the added
time of the two guard middlewares on a signed-in page (address standing and rate rules), measured
with the Django test client against the configured database and cache.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
import timeit
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ifarm.settings")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("STATIC_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from apps.accounts import access  # noqa: E402
from apps.accounts.models import Membership  # noqa: E402
from apps.accounts.permissions import can  # noqa: E402


def per_call(function, number: int) -> float:
    return timeit.timeit(function, number=number) / number * 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    with scopes_disabled():
        if not Membership.objects.filter(user__email="manager@demo.ifarm.test").exists():
            call_command("seed_demo")
        manager = Membership.objects.select_related("tenant", "role", "user").get(user__email="manager@demo.ifarm.test")
        from apps.accounts.policies import delegation_create

        worker = Membership.objects.get(tenant=manager.tenant, role__key="worker")
        if not manager.delegations_given.exists():
            delegation_create(membership=manager, delegate=worker, permissions=["finance.approve_expense"],
                              starts_on=timezone.localdate(), ends_on=timezone.localdate() + dt.timedelta(days=3))
        rules = len(access._load(manager.tenant_id, manager.tenant.time_zone).rules)

        bare = Membership.objects.select_related("tenant", "role").get(pk=manager.pk)
        bare.tenant.access_version = 0
        print(f"can() without policies:         {per_call(lambda: can(bare, 'finance.approve_expense'), args.calls):6.2f} us")
        fresh = Membership.objects.select_related("tenant", "role").get(pk=manager.pk)
        can(fresh, "herd.view")
        print(f"can() with {rules} policies (amount): "
              f"{per_call(lambda: can(fresh, 'finance.approve_expense', amount=Decimal('5000')), args.calls):6.2f} us")
        delegate = Membership.objects.select_related("tenant", "role").get(pk=worker.pk)
        print(f"can() through a delegation:     "
              f"{per_call(lambda: can(delegate, 'finance.approve_expense'), args.calls):6.2f} us")
        started = time.perf_counter()
        for _ in range(50):
            access._load(manager.tenant_id, manager.tenant.time_zone)
        print(f"snapshot built from the database: {(time.perf_counter() - started) / 50 * 1000:.2f} ms (once per version)")

    def page_times(client) -> list[float]:
        times = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = client.get("/team/", HTTP_HOST="localhost")
            assert response.status_code == 200, response.status_code
            times.append((time.perf_counter() - started) * 1000)
        return times

    client = Client(REMOTE_ADDR="198.51.100.20")
    client.force_login(manager.user)
    page_times(client)  # warm
    guarded = page_times(client)
    from django.conf import settings

    without = [m for m in settings.MIDDLEWARE if not m.startswith("apps.accounts.security.")]
    with override_settings(MIDDLEWARE=without):
        bare_client = Client(REMOTE_ADDR="198.51.100.21")
        bare_client.force_login(manager.user)
        page_times(bare_client)
        plain = page_times(bare_client)
    print(f"team page median with the guard: {statistics.median(guarded):.2f} ms, without: "
          f"{statistics.median(plain):.2f} ms ({args.requests} requests each)")


if __name__ == "__main__":
    main()
