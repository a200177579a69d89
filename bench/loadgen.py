"""A small loopback load generator: threads, keep-alive connections, latency percentiles."""

import http.client
import statistics
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Result:
    latencies_ms: list[float]
    errors: int
    elapsed_s: float
    done: list[tuple[int, float]] = field(default_factory=list)  # (request index, milliseconds) of each success

    @property
    def rps(self) -> float:
        return len(self.latencies_ms) / self.elapsed_s if self.elapsed_s else 0.0

    def summary(self, label: str) -> str:
        lat = sorted(self.latencies_ms)
        if not lat:
            return f"{label}: no successful requests, {self.errors} errors"

        def pct(p):
            return lat[min(len(lat) - 1, int(round(p / 100 * (len(lat) - 1))))]

        return (
            f"{label}: n={len(lat)} errors={self.errors} p50={pct(50):.1f} ms p95={pct(95):.1f} ms "
            f"p99={pct(99):.1f} ms mean={statistics.mean(lat):.1f} ms rps={len(lat) / self.elapsed_s:.0f}"
        )


def run(host: str, port: int, requests: list[tuple], concurrency: int) -> Result:
    """Send each (path, headers[, body]) once, spread over `concurrency` threads with keep-alive.

    A request with a body is a POST; 2xx counts as success.
    """
    latencies: list[float] = []
    done: list[tuple[int, float]] = []
    errors = 0
    lock = threading.Lock()
    cursor = iter(range(len(requests)))

    def worker():
        nonlocal errors
        conn = http.client.HTTPConnection(host, port, timeout=30)
        while True:
            with lock:
                index = next(cursor, None)
            if index is None:
                break
            path, headers, *body = requests[index]
            started = time.perf_counter()
            try:
                if body:
                    conn.request("POST", path, body=body[0], headers=headers)
                else:
                    conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = 200 <= response.status < 300
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
            took = (time.perf_counter() - started) * 1000
            with lock:
                if ok:
                    latencies.append(took)
                    done.append((index, took))
                else:
                    errors += 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Result(latencies, errors, time.perf_counter() - started, done)


def by_kind(result: Result, requests: list[tuple], kind_of) -> dict[str, str]:
    """Latency percentiles per kind of request (kind_of maps a path to its kind)."""
    kinds: dict[str, list[float]] = {}
    for index, took in result.done:
        kinds.setdefault(kind_of(requests[index][0]), []).append(took)
    return {kind: Result(times, 0, result.elapsed_s).summary(kind).split(": ", 1)[1].rsplit(" rps=", 1)[0]
            for kind, times in sorted(kinds.items())}
