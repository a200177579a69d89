"""Animal list p50/p95 at VPS scale (100 organisations, 10,000 animals) under concurrent load."""

import argparse
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

from importlib import import_module  # noqa: E402

from allauth.usersessions.models import UserSession  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from apps.accounts.models import Membership  # noqa: E402
from apps.accounts.usersessions import SEEN_AT, SEEN_IP  # noqa: E402
from bench import loadgen, server  # noqa: E402

QUERIES = [
    "/herd/",
    "/herd/?sort=-age",
    "/herd/?species=cattle&sex=female&sort=tag",
    "/herd/?q=S0&page=2",
    "/herd/?status=&sort=breed",
    "/herd/?min_age=24&max_age=96",
]


def session_cookie(membership) -> str:
    """A signed-in session of the member's, as signing in leaves it: with the device's row of the Sessions page
    written and the session saying so (a bench's requests come from this machine, with no user agent)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    user = membership.user
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "apps.accounts.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store["tenant_id"] = membership.tenant_id
    store[SEEN_AT], store[SEEN_IP] = time.time(), "127.0.0.1"
    store.save()
    UserSession.objects.create(session_key=store.session_key, user=user, ip="127.0.0.1", user_agent="")
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=server.WORKERS)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    call_command("seed_demo", scale="vps", verbosity=0)
    with scopes_disabled():
        owners = list(
            Membership.objects.filter(tenant__slug__startswith="scale-", role__key="owner").select_related("user")[:20]
        )
        from apps.herd.models import Animal

        animals = Animal.objects.count()
    cookies = [session_cookie(m) for m in owners]
    print(f"database={settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]} cache={settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]} "
          f"animals={animals} owners={len(owners)} workers={args.workers} concurrency={args.concurrency}")

    rng = random.Random(7)
    plan = [(rng.choice(QUERIES), {"Cookie": rng.choice(cookies), "Host": "127.0.0.1"}) for _ in range(args.requests)]
    port = server.free_port()
    process = server.start(port, workers=args.workers)
    try:
        loadgen.run("127.0.0.1", port, plan[:100], 2)  # warm up
        result = loadgen.run("127.0.0.1", port, plan, args.concurrency)
        print(result.summary("animal list (50 rows, filtered and sorted)"))
        print(f"web memory (gunicorn master + workers): {server.rss_mb(process.pid):.0f} MB RSS")
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
