"""A local HTTP server speaking the Supabase Storage endpoints the backend calls, for the suite.

It keeps objects in memory per bucket, checks the service key, signs URLs with an expiry, and can be
told to fail: answer 500 to the next N requests, or sit on them longer than the client waits.
"""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import hmac
import json
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

KEY = "service-role-key-for-the-local-store"


class Store:
    def __init__(self):
        self.objects: dict[tuple[str, str], tuple[bytes, str]] = {}
        self.fail_next = 0
        self.stall_seconds = 0.0
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def sign(self, bucket: str, path: str, expires: int) -> str:
        return hmac.new(KEY.encode(), f"{bucket}/{path}:{expires}".encode(), hashlib.sha256).hexdigest()


def handler_for(store: Store):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _answer(self, status: int, body, content_type: str = "application/json"):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status: int, error: str, message: str):
            self._answer(status, {"statusCode": str(status), "error": error, "message": message})

        def _route(self):
            parts = urlsplit(self.path)
            segments = [unquote(s) for s in parts.path.split("/") if s]
            return segments, parse_qs(parts.query)

        def _gate(self) -> bool:
            store.requests.append((self.command, self.path))
            with store.lock:
                if store.fail_next:
                    store.fail_next -= 1
                    self._error(500, "InternalError", "storage backend unavailable")
                    return False
            if store.stall_seconds:
                time.sleep(store.stall_seconds)
            segments, query = self._route()
            if segments[:4] == ["storage", "v1", "object", "sign"] and self.command == "GET" and "token" in query:
                return True  # a signed URL needs no key
            if self.headers.get("apikey") != KEY or self.headers.get("Authorization") != f"Bearer {KEY}":
                self._error(403, "Unauthorized", "invalid key")
                return False
            return True

        def do_GET(self):
            if not self._gate():
                return
            segments, query = self._route()
            rest = segments[3:]
            if rest[:1] == ["info"]:
                found = store.objects.get((rest[1], "/".join(rest[2:])))
                if found is None:
                    return self._error(404, "not_found", "Object not found")
                return self._answer(200, {"name": rest[-1], "size": len(found[0]), "content_type": found[1]})
            if rest[:1] == ["sign"]:
                bucket, path = rest[1], "/".join(rest[2:])
                expires, token = int(query.get("expires", ["0"])[0]), query["token"][0]
                if expires < time.time() or not hmac.compare_digest(token, store.sign(bucket, path, expires)):
                    return self._error(400, "InvalidSignature", "signature invalid or expired")
                found = store.objects.get((bucket, path))
                return self._answer(200, found[0], found[1]) if found else self._error(404, "not_found", "Object not found")
            found = store.objects.get((rest[0], "/".join(rest[1:])))
            if found is None:
                return self._error(404, "not_found", "Object not found")
            return self._answer(200, found[0], found[1])

        def do_POST(self):
            if not self._gate():
                return
            segments, _query = self._route()
            rest = segments[3:]
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if rest[:1] == ["sign"]:
                bucket, path = rest[1], "/".join(rest[2:])
                expires = int(time.time()) + int(json.loads(body)["expiresIn"])
                token = store.sign(bucket, path, expires)
                return self._answer(200, {"signedURL": f"/object/sign/{bucket}/{path}?token={token}&expires={expires}"})
            bucket, path = rest[0], "/".join(rest[1:])
            message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + body)
            part = next(p for p in message.iter_parts() if p.get_param("name", header="content-disposition") == "file")
            if (bucket, path) in store.objects and self.headers.get("x-upsert") != "true":
                return self._error(409, "Duplicate", "The resource already exists")
            store.objects[(bucket, path)] = (part.get_payload(decode=True), part.get_content_type())
            return self._answer(200, {"Key": f"{bucket}/{path}", "Id": path})

        def do_DELETE(self):
            if not self._gate():
                return
            segments, _query = self._route()
            bucket = segments[3]
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            removed = [{"name": p} for p in body["prefixes"] if store.objects.pop((bucket, p), None) is not None]
            return self._answer(200, removed)

    return Handler


@contextmanager
def supabase_storage():
    """Yields (url, store) for a server on localhost."""
    store = Store()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(store))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", store
    finally:
        server.shutdown()
        server.server_close()
