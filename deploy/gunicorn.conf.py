"""gunicorn for a 2 CPU / 4 GB VPS: 2 workers x 4 threads.

Python pages are CPU-bound under the GIL, so a process a core does the work and its threads cover the database,
Redis and client waits. Measured on 2 cores with the daily mix (bench/wrk_mix.py: all organisations, owners and
farm-limited workers, 8 keep-alive connections as nginx's upstream pool keeps them), the cache emptied before each
shape, alternating: 2 x 4 served 76-109 req/s with p99 210-321 ms; 4 x 2 served 60-102 req/s with p99 0.9-1.9 s.
With four workers a worker holding more keep-alive connections than it has threads makes their requests queue
behind its two, while another worker idles; the server's own time per request was alike in both. Two workers also
take half the memory: PSS 114-121 MB each, 235-242 MB together, against 105-109 MB each and 423-428 MB together.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Recycle workers now and then so a slow leak can never grow without bound. At 2,000 a worker was
# recycled every 40 s under load and its cold start showed in the slowest requests; the jitter keeps the
# four from recycling together.
max_requests = 20000
max_requests_jitter = 4000
timeout = 30
graceful_timeout = 30
keepalive = 5
preload_app = True
accesslog = "-"
errorlog = "-"
access_log_format = '{"remote":"%(h)s","request":"%(r)s","status":%(s)s,"bytes":%(b)s,"ms":%(M)s,"request_id":"%({x-request-id}o)s"}'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server):
    """In the master, after the app is loaded and before the workers fork: compile the templates, so every
    worker (a recycled one too) starts with them compiled."""
    from django.db import connections

    try:
        from apps.core.warm import templates_compile

        server.log.info("templates compiled before forking: %s", templates_compile())
    except Exception as error:  # another app served with this file (the bench's yardstick) has none to warm
        server.log.info("no templates warmed: %s", error)
    connections.close_all()  # no connection opened in the master may be shared with the workers
