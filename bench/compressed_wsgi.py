"""The app as nginx serves it (deploy/nginx/ifarm.conf: gzip on): pages compressed when the browser accepts it. For
benchmarks that load pages in a browser straight from gunicorn, so that a page weighs what it weighs in production."""

import gzip

from ifarm.wsgi import application as app


def application(environ, start_response):
    if "gzip" not in environ.get("HTTP_ACCEPT_ENCODING", ""):
        return app(environ, start_response)
    kept = {}

    def keep(status, headers, exc_info=None):
        kept.update(status=status, headers=headers)
        return lambda data: None  # nothing in the app writes through this

    result = app(environ, keep)
    try:
        body = b"".join(result)
    finally:
        getattr(result, "close", lambda: None)()
    headers = kept["headers"]
    kind = next((value for name, value in headers if name.lower() == "content-type"), "")
    encoded = any(name.lower() == "content-encoding" for name, _ in headers)
    if kind.startswith(("text/html", "application/json")) and not encoded and len(body) > 1000:
        body = gzip.compress(body, compresslevel=5)
        headers = [(n, v) for n, v in headers if n.lower() != "content-length"]
        headers += [("Content-Encoding", "gzip"), ("Content-Length", str(len(body))), ("Vary", "Accept-Encoding")]
    start_response(kept["status"], headers)
    return [body]
