"""PostgreSQL clusters of the suite's own: a primary and a streaming replica made with pg_basebackup, on
free ports, under a temporary directory, never the machine's cluster."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise FileNotFoundError(name)
    return found[-1]


def available() -> bool:
    try:
        _bin("initdb")
    except FileNotFoundError:
        return False
    return True


def _as_postgres(args: list[str], **kwargs):
    if os.getuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)


class Cluster:
    def __init__(self, data: Path, port: int, log: Path):
        self.data, self.port, self.log = data, port, log

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/ifarm"

    def start(self) -> None:
        _as_postgres([_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start"])

    def stop(self) -> None:
        _as_postgres([_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"])

    def execute(self, sql: str, params=()) -> list:
        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="ifarm", autocommit=True) as c:
            cursor = c.execute(sql, params)
            return cursor.fetchall() if cursor.description else []


@contextmanager
def primary_and_replica(primary_port: int, replica_port: int):
    """Yields (primary, replica) with a database `ifarm` streaming from the first to the second."""
    root = Path(tempfile.mkdtemp(prefix="ifarm-clusters-"))
    root.chmod(0o755)
    if os.getuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    primary = Cluster(root / "primary", primary_port, root / "primary.log")
    replica = Cluster(root / "replica", replica_port, root / "replica.log")
    try:
        _as_postgres([_bin("initdb"), "-D", str(primary.data), "-U", "postgres", "-A", "trust"])
        with open(primary.data / "postgresql.conf", "a") as conf:
            conf.write(f"port = {primary_port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{root}'\n"
                       "wal_level = replica\nmax_wal_senders = 5\nhot_standby = on\n")
        with open(primary.data / "pg_hba.conf", "a") as hba:
            hba.write("host replication postgres 127.0.0.1/32 trust\n")
        primary.start()
        _as_postgres([_bin("createdb"), "-h", "127.0.0.1", "-p", str(primary_port), "-U", "postgres", "ifarm"])
        _as_postgres([_bin("pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary_port), "-U", "postgres",
                      "-D", str(replica.data), "-R", "-X", "stream", "--checkpoint=fast"])
        with open(replica.data / "postgresql.conf", "a") as conf:
            conf.write(f"port = {replica_port}\n")
        replica.start()
        yield primary, replica
    finally:
        for cluster in (replica, primary):
            try:
                _as_postgres([_bin("pg_ctl"), "-D", str(cluster.data), "-m", "immediate", "stop"])
            except (subprocess.CalledProcessError, FileNotFoundError):
                pass
        shutil.rmtree(root, ignore_errors=True)


def wait_until(check, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:  # noqa: BLE001  (not ready yet)
            pass
        time.sleep(0.2)
    raise TimeoutError("condition not met in time")
