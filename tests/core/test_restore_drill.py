"""Backups proven: the pgBackRest restore drill on a scratch cluster, and a dump restore that refuses a
database that is not empty."""

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

from django.db import connection

from tests.conftest import _unavailable
from tests.identity_providers import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_a_backup_restores_to_a_point_in_time_with_matching_tables_and_a_whole_audit_chain():
    if shutil.which("pgbackrest") is None or not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        _unavailable("needs pgbackrest and PostgreSQL's server binaries (Debian packages pgbackrest, postgresql)")
    env = {**os.environ, "PYTHON": sys.executable, "DRILL_PORT": str(free_port()), "DRILL_RESTORED_PORT": str(free_port())}
    result = subprocess.run(["bash", "deploy/restore-drill.sh"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "restore drill passed" in result.stdout and "audit chains verified, all intact" in result.stdout


def test_a_dump_restore_refuses_a_database_that_is_not_empty(postgres, tmp_path):
    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    dump = tmp_path / "ifarm.dump"
    dump.write_bytes(b"not reached")
    result = subprocess.run(["bash", "deploy/restore.sh", str(dump)], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "DATABASE_URL": url}, timeout=60)
    assert result.returncode == 1 and "refusing to restore" in result.stderr
