"""Read replicas against a real streaming replica the test starts itself (a second cluster made with
pg_basebackup), with a server process configured the way production is."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import pg_clusters
from tests.conftest import _unavailable
from tests.identity_providers import free_port

ROOT = Path(__file__).resolve().parents[2]

PROBE = r"""
import json, sys, time
import django
django.setup()
from django.db import connections
from django.test import Client
from apps.accounts.models import Membership

owner = Membership.objects.unscoped().select_related("user").filter(role__key="owner").order_by("pk").first()
client = Client()
client.force_login(owner.user)
session = client.session
session["tenant_id"] = owner.tenant_id
session.save()
time.sleep(0.5)  # the session row reaches the replica
steps = sys.argv[1].split(",")
out = {}
for step in steps:
    if step == "read":
        response = client.get("/herd/")
        out.setdefault("reads", []).append([response.status_code, response.get("X-Read-From")])
    elif step == "write":
        from django_scopes import scopes_disabled
        from apps.farms.models import Farm
        with scopes_disabled():
            farm = Farm.objects.filter(tenant_id=owner.tenant_id).order_by("pk").first()
        response = client.post("/switch/farm/", {"farm": str(farm.pk)})
        out["write"] = [response.status_code, response.get("X-Read-From"), "ifarm_pin" in response.cookies]
    elif step == "wait":
        time.sleep(2.5)
    elif step == "replica_write":
        try:
            with connections["replica1"].cursor() as cursor:
                cursor.execute("CREATE TABLE should_not_exist (i int)")
            out["replica_write"] = "written"
        except Exception as error:
            out["replica_write"] = str(error)
print("RESULT " + json.dumps(out))
"""


def run_probe(env, steps: str) -> dict:
    result = subprocess.run([sys.executable, "-c", PROBE, steps], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


@pytest.fixture(scope="module")
def clusters(tmp_path_factory):
    """One primary streaming to one replica, migrated and seeded once for the tests of this module; each test
    leaves both running."""
    if not pg_clusters.available():
        _unavailable("needs PostgreSQL's server binaries (initdb, pg_basebackup)")
    with pg_clusters.primary_and_replica(free_port(), free_port()) as (primary, replica):
        env = {**os.environ, "DATABASE_URL": primary.url, "DATABASE_REPLICA_URLS": replica.url, "REDIS_URL": "",
               "IFARM_VAR_DIR": str(tmp_path_factory.mktemp("var")), "DJANGO_SETTINGS_MODULE": "tests.settings",
               "DATABASE_POOL": "false", "ALLOWED_HOSTS": "testserver"}
        for command in (["migrate", "--no-input", "-v0"], ["seed_demo"]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True,
                           timeout=300)
        pg_clusters.wait_until(lambda: replica.execute("SELECT count(*) FROM herd_animal")[0][0] > 0)
        yield primary, replica, env


def test_reads_go_to_the_replica_writes_to_the_primary_and_a_writer_is_pinned(clusters):
    primary, replica, env = clusters
    env = {**env, "REPLICA_PIN_SECONDS": "2", "REPLICA_MAX_LAG_SECONDS": "1"}
    out = run_probe(env, "read,write,read,wait,read,replica_write")
    assert out["reads"][0] == [200, "replica1"]
    assert out["write"][0] == 302 and out["write"][2], "a browser that wrote is pinned to the primary"
    assert out["reads"][1] == [200, "primary"]  # its own change is there at once
    assert out["reads"][2] == [200, "replica1"]  # after the pin, back to the replica
    assert "read-only transaction" in out["replica_write"]

    # A replica that lags: its reads fall back to the primary.
    replica.execute("SELECT pg_wal_replay_pause()")
    primary.execute("CREATE TABLE lag_marker (i int); INSERT INTO lag_marker VALUES (1)")
    out = run_probe(env, "wait,read")
    assert out["reads"] == [[200, "primary"]]
    replica.execute("SELECT pg_wal_replay_resume()")

    # A replica that is down: the same.
    replica.stop()
    out = run_probe(env, "read")
    assert out["reads"] == [[200, "primary"]]
    replica.start()
    pg_clusters.wait_until(lambda: replica.execute("SELECT count(*) FROM lag_marker")[0][0] == 1)


FAILOVER_PROBE = r"""
import json, sys
import django
django.setup()
from django.test import Client

cookie_file, steps = sys.argv[1], sys.argv[2].split(",")
client = Client()
out = {}
if steps[0] == "login":
    from apps.accounts.models import Membership
    owner = Membership.objects.unscoped().select_related("user").filter(role__key="owner").order_by("pk").first()
    client.force_login(owner.user)
    session = client.session
    session["tenant_id"] = owner.tenant_id
    session.save()
    open(cookie_file, "w").write(client.cookies["sessionid"].value)
    steps = steps[1:]
else:
    client.cookies["sessionid"] = open(cookie_file).read()
for step in steps:
    if step == "read":
        response = client.get("/herd/")
        out["read"] = [response.status_code, response.get("X-Read-From"), "changes-paused" in response.content.decode()]
    elif step == "write":
        response = client.post("/switch/farm/", {"farm": ""})
        out["write"] = [response.status_code, response.content.decode()[:200]]
    elif step == "api":
        response = client.post("/api/v1/animals", {}, content_type="application/json")
        out["api"] = [response.status_code, response.get("Content-Type")]
    elif step == "health":
        response = client.get("/healthz")
        out["health"] = [response.status_code, response.json()["status"]]
print("RESULT " + json.dumps(out))
"""


def run_failover_probe(env, cookie_file, steps: str) -> dict:
    result = subprocess.run([sys.executable, "-c", FAILOVER_PROBE, str(cookie_file), steps], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def test_with_the_primary_down_the_site_reads_from_the_replica_and_pauses_changes(clusters, tmp_path):
    primary, replica, env = clusters
    cookie = tmp_path / "session"
    out = run_failover_probe(env, cookie, "login,read,health")
    assert out["read"] == [200, "replica1", False] and out["health"] == [200, "up"]
    pg_clusters.wait_until(lambda: replica.execute("SELECT count(*) FROM django_session")[0][0] > 0)

    primary.stop()
    out = run_failover_probe(env, cookie, "read,write,api,health")
    assert out["read"] == [200, "replica1", True]  # the page, with the banner
    assert out["write"][0] == 503 and "Changes are paused" in out["write"][1]
    assert out["api"] == [503, "application/problem+json"]
    assert out["health"] == [200, "degraded"]

    primary.start()
    out = run_failover_probe(env, cookie, "write,read,health")
    assert out["write"][0] == 302 and out["read"][2] is False and out["health"] == [200, "up"]
