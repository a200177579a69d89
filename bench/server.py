"""Start gunicorn on loopback with production-like settings for a benchmark run."""

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(port: int, workers: int = 4, threads: int = 2, app: str = "ifarm.wsgi:application") -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "STATIC_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": str(threads),
    }
    # Logs go to a file: a pipe nobody reads fills up and stalls the server.
    log = open(ROOT / "var" / "bench-gunicorn.log", "ab")  # noqa: SIM115  (closed with the process)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", app, "-c", "deploy/gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log,
    )
    # The master listens before its workers are forked: a load sent at once would be accepted by the first
    # worker up, and its keep-alive connections would stay with it. Wait for every worker first.
    deadline = time.time() + 30
    while time.time() < deadline:
        if len(_children(process.pid)) >= workers:
            time.sleep(1)  # each worker's own start (its connections, its first poll of the socket)
            with socket.create_connection(("127.0.0.1", port), timeout=5):
                return process
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start; see var/bench-gunicorn.log")


@contextmanager
def serving(workers: int = 4, app: str = "ifarm.wsgi:application"):
    """gunicorn on a free loopback port for the block: yields (port, process) and stops it after."""
    port = free_port()
    process = start(port, workers=workers, app=app)
    try:
        yield port, process
    finally:
        process.terminate()
        process.wait(timeout=10)


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (Linux /proc)."""
    total = 0
    pids = [pid, *_children(pid)]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024
