"""The install deploy/README.md describes, run for real: a fresh database migrated by its owner
(`migrate --database owner`) while the application connects as another role, then the demo seeded as
that role. Data migrations and the demo's bulk inserts must work under row-level security."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
def test_a_fresh_install_migrates_as_the_owner_and_runs_as_the_application_role(database_owner):
    from tests.conftest import APP_ROLE

    params = database_owner.info.get_parameters()
    name = f"install_{uuid.uuid4().hex[:8]}"
    database_owner.execute(f'CREATE DATABASE "{name}"')
    owner_url = f"postgres://{params['user']}@{params.get('host', '127.0.0.1')}:{params.get('port', 5432)}/{name}"
    app_url = owner_url.replace(f"//{params['user']}@", f"//{APP_ROLE}@")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "HUEY_"))}
    env |= {"DATABASE_URL": app_url, "DATABASE_OWNER_URL": owner_url, "DATABASE_APP_ROLE": APP_ROLE,
            "HUEY_IMMEDIATE": "true", "DJANGO_SETTINGS_MODULE": "ifarm.settings"}
    try:
        def manage(*args):
            return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                                  timeout=600)

        migrated = manage("migrate", "--database", "owner", "-v", "0")
        assert migrated.returncode == 0, migrated.stderr[-2000:]
        seeded = manage("seed_demo")
        assert seeded.returncode == 0, seeded.stderr[-2000:]
        import psycopg

        with psycopg.connect(app_url.replace("postgres://", "postgresql://"), autocommit=True) as app:
            assert app.execute("SELECT count(*) FROM milk_milkrecord").fetchone()[0] == 0  # no organisation named
            app.execute("SELECT set_config('ifarm.tenant', 'all', false)")
            tenant = app.execute("SELECT min(tenant_id) FROM milk_milkrecord").fetchone()[0]
            app.execute("SELECT set_config('ifarm.tenant', %s, false)", [str(tenant)])
            assert app.execute("SELECT count(DISTINCT tenant_id) FROM milk_milkrecord").fetchone()[0] == 1
    finally:
        database_owner.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
