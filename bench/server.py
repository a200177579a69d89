"""Start gunicorn on loopback with production-like settings for a benchmark run."""

import os
import resource
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS, THREADS = 2, 4  # as deployed (deploy/gunicorn.conf.py)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(port: int, workers: int = WORKERS, threads: int = THREADS, app: str = "ifarm.wsgi:application",
          production_static: bool = False, access_log: str = "/dev/null") -> subprocess.Popen:
    """`production_static`: the static files as deployed (compressed, fingerprinted, cached a year), which needs
    `collectstatic` first; otherwise served from the source folders. `access_log`: a file for gunicorn's access log
    (one JSON line a request, with its path, status and milliseconds: deploy/gunicorn.conf.py)."""
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
    if production_static:
        env.pop("STATIC_STORAGE")
    env.update(_as_deployed_database(env.get("DATABASE_URL", "")))
    # Logs go to a file: a pipe nobody reads fills up and stalls the server.
    log = open(ROOT / "var" / "bench-gunicorn.log", "ab")  # noqa: SIM115  (closed with the process)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", app, "-c", "deploy/gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}", "--access-logfile", access_log],
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


APP_ROLE = "ifarm_bench_app"


def _as_deployed_database(url: str) -> dict:
    """The web connects to PostgreSQL as production does (deploy/README.md): as an application role that does not
    own the tables, so row-level security binds every query (each tenant table's policy is part of each plan), and
    each request names its organisation to the connection (apps/core/rls.py). The bench, the owner that made and
    migrated the database, makes the role and grants it what a migrate grants the deployed one (`apply_policies`,
    as the test suite does). Connected as the owner, as earlier benches were, the web skipped both and measured
    plans production never runs."""
    if not url.startswith(("postgres://", "postgresql://")):
        return {}
    import django

    django.setup()  # the benches have set Django up already; the rules below are the project's own
    from django.db import connection

    from apps.core.rls import apply_policies

    with connection.cursor() as cursor:
        cursor.execute(f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN "
                       f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS; END IF; END $$")
    apply_policies(app_role=APP_ROLE)
    scheme, rest = url.split("://", 1)
    return {"DATABASE_URL": f"{scheme}://{APP_ROLE}@{rest.rsplit('@', 1)[-1]}", "DATABASE_APP_ROLE": APP_ROLE}


@contextmanager
def serving(workers: int = WORKERS, app: str = "ifarm.wsgi:application", access_log: str = "/dev/null", threads: int = THREADS):
    """gunicorn on a free loopback port for the block: yields (port, process) and stops it after."""
    port = free_port()
    process = start(port, workers=workers, threads=threads, app=app, access_log=access_log)
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
    found = memory_mb(pid)
    return found["master"].get("rss", 0) + sum(worker.get("rss", 0) for worker in found["workers"])


def memory_mb(pid: int) -> dict:
    """The web's memory in MB: the master's and each worker's resident size (RSS, which counts in each worker the pages
    it still shares with the master since the fork) and proportional size (PSS: a shared page divided among those
    sharing it, so the workers' PSS add up to what they really take), and the workers' PSS in total."""
    def rollup(p: int) -> dict:
        found = {}
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                name, _, rest = line.partition(":")
                if name in ("Rss", "Pss"):
                    found[name.lower()] = int(rest.split()[0]) / 1024
        except OSError:
            pass
        return found

    workers = [rollup(child) for child in _children(pid)]
    return {"master": rollup(pid), "workers": workers, "workers_pss": sum(w.get("pss", 0) for w in workers)}


def memory_said(pid: int) -> str:
    found = memory_mb(pid)
    each = ", ".join(f"{w.get('rss', 0):.0f}/{w.get('pss', 0):.0f}" for w in found["workers"])
    return (f"master RSS {found['master'].get('rss', 0):.0f} MB; workers RSS/PSS MB {each}; "
            f"workers' PSS together {found['workers_pss']:.0f} MB")


def _cpu_of(pid: int, ended_children: bool = False) -> float:
    """CPU seconds (user and system) a process has used so far; with `ended_children`, with those of its children
    that have ended (gunicorn's master: a worker recycled after max_requests takes its seconds with it)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(value) for value in fields[11:15 if ended_children else 13]) / os.sysconf("SC_CLK_TCK")


def cpu_sample(web_pid: int) -> dict:
    """CPU seconds used so far by the web (gunicorn's master and workers), PostgreSQL's and Redis's processes, the load
    generator (wrk), and the box as a whole (busy and all): two samples around a run say where its CPU went."""
    finished = resource.getrusage(resource.RUSAGE_CHILDREN)  # the runs of wrk that have ended (the web is still up)
    found = {"web": _cpu_of(web_pid, ended_children=True) + sum(_cpu_of(pid) for pid in _children(web_pid)), "postgres": 0.0, "redis": 0.0,
             "wrk": finished.ru_utime + finished.ru_stime}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                name = (entry / "comm").read_text().strip()
            except OSError:
                continue
            kind = next((kind for kind in ("postgres", "redis") if name.startswith(kind)), None)
            if kind is not None:
                found[kind] += _cpu_of(int(entry.name))
    ticks = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    found["box"], found["box_busy"] = sum(ticks) / os.sysconf("SC_CLK_TCK"), (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")
    return found


def cpu_said(before: dict, after: dict, requests: int) -> str:
    """Milliseconds of CPU per request by the web, PostgreSQL, Redis and the load generator, and how busy the box's
    cores were: the same requests costing more CPU in one round than in another is the box, not the code; a hello-world
    that leaves the web idle part of the time is bound by the load generator and the network stack."""
    per = {name: 1000 * (after[name] - before[name]) / max(requests, 1) for name in ("web", "postgres", "redis", "wrk")}
    busy = (after["box_busy"] - before["box_busy"]) / max(after["box"] - before["box"], 1e-9)
    return (f"CPU per request: web {per['web']:.2f} ms, PostgreSQL {per['postgres']:.2f} ms, Redis {per['redis']:.2f} ms, "
            f"wrk {per['wrk']:.2f} ms; "
            f"the box's cores busy {100 * busy:.0f} %")
