import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.test import override_settings
from django_scopes import scope

from apps.api.services import api_key_create


def make_key(membership, **values):
    values.setdefault("name", f"Key {id(values)}")
    with scope(tenant=membership.tenant_id):
        if "role" not in values and "permissions" not in values:
            from apps.accounts.models import Role

            values["role"] = Role.objects.get(tenant_id=membership.tenant_id, key="manager")
        return api_key_create(membership=membership, **values)


class Api:
    """A client that sends an API key with every request."""

    def __init__(self, client, secret: str | None):
        self.client, self.secret = client, secret

    def _headers(self, extra):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.secret}"} if self.secret else {}
        headers.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (extra or {}).items()})
        return headers

    def get(self, path, params=None, headers=None):
        return self.client.get(f"/api/v1{path}", params or {}, **self._headers(headers))

    def post(self, path, body=None, headers=None):
        return self.client.post(f"/api/v1{path}", body if body is not None else {}, content_type="application/json",
                                **self._headers(headers))

    def patch(self, path, body, headers=None):
        return self.client.patch(f"/api/v1{path}", body, content_type="application/json", **self._headers(headers))

    def delete(self, path, headers=None):
        return self.client.delete(f"/api/v1{path}", **self._headers(headers))


@pytest.fixture
def owner_key(owner):
    from apps.accounts.models import Role

    with scope(tenant=owner.tenant_id):
        role = Role.objects.get(tenant_id=owner.tenant_id, key="owner")
    return make_key(owner, name="Owner key", role=role)


@pytest.fixture
def api(client, owner_key):
    return Api(client, owner_key[1])


class Receiver:
    """A webhook receiver on loopback that keeps what it was sent."""

    def __init__(self, status: int = 204):
        self.received, self.status = [], status
        receiver = self

        class Handle(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handle)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(reach_localhost):
    with override_settings(DEBUG=True):  # http is allowed only in DEBUG; loopback only where allowed on purpose
        server = Receiver()
        yield server
        server.close()
