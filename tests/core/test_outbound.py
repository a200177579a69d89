"""The server's requests to addresses users give go only to the public internet (apps/core/outbound.py).

Each case is an attack tried against the webhook sender, the one a tenant controls most directly: a
redirect to an internal address, a name that changes its answer between the check and the connection
(DNS rebinding), carrier-grade NAT and the other ranges that are not globally routable, an answer too
large or too slow. "Outside" is played by 127.0.0.2, allowed on purpose as if it were on the internet;
"inside" by a server on 127.0.0.1 that must never be reached.
"""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from django.core.exceptions import ValidationError
from django.test import override_settings

from apps.api.models import WebhookDelivery
from apps.api.webhooks import delivery_attempt, endpoint_create
from apps.core import outbound

pytestmark = pytest.mark.usefixtures("owner_scope")


class Server:
    """An HTTP server on `address` answering every request with `answer(handler)`; it counts its hits."""

    def __init__(self, address: str, answer, port: int = 0):
        hits = self.hits = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _any(self):
                length = int(self.headers.get("Content-Length") or 0)
                hits.append((self.command, self.path, self.rfile.read(length)))
                answer(self)

            do_GET = do_POST = _any  # noqa: N815 (http.server's names)

        self.server = ThreadingHTTPServer((address, port), Handler)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def reply(status=200, body=b"ok", headers=None):
    def answer(handler):
        handler.send_response(status)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return answer


@pytest.fixture
def inside():
    server = Server("127.0.0.1", reply(body=b"internal secret"))
    yield server
    server.close()


@pytest.fixture
def outside_allowed(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.2/32"]


def deliver(owner, url):
    with override_settings(DEBUG=True):  # plain http to the suite's servers
        endpoint, _secret = endpoint_create(membership=owner, url=url, events=["animal.created"])
        delivery = WebhookDelivery.objects.create(tenant_id=owner.tenant_id, endpoint=endpoint, message_id="msg_1",
                                                  event="animal.created", payload={"id": "msg_1", "type": "animal.created"},
                                                  next_attempt_at=endpoint.created_at)
        delivered = delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    return delivered, delivery


def test_a_redirect_to_an_internal_address_is_not_followed(owner, inside, outside_allowed):
    outside = Server("127.0.0.2", reply(302, b"", {"Location": f"http://127.0.0.1:{inside.port}/latest/meta-data/"}))
    try:
        delivered, delivery = deliver(owner, f"http://127.0.0.2:{outside.port}/hook")
    finally:
        outside.close()
    assert not delivered and len(outside.hits) == 1 and inside.hits == [], delivery.response_excerpt
    assert delivery.response_status == 302 and "internal secret" not in delivery.response_excerpt, delivery.response_excerpt
    assert "Redirects are not followed" in delivery.response_excerpt


def test_a_name_that_rebinds_to_an_internal_address_after_the_check_is_not_reached(owner, outside_allowed, dns_server):
    """The name answers 127.0.0.2 (allowed) when the endpoint is saved and checked, then 127.0.0.1. The
    connection goes to an address the same lookup checked, so the inside server on the same port sees nothing."""
    outside = Server("127.0.0.2", reply(204, b""))
    inside = Server("127.0.0.1", reply(body=b"internal secret"), port=outside.port)
    dns_server.set("hooks.rebind.test", "A", ["127.0.0.2"], ["127.0.0.2"], ["127.0.0.1"])
    try:
        delivered, delivery = deliver(owner, f"http://hooks.rebind.test:{outside.port}/hook")
    finally:
        outside.close()
        inside.close()
    assert inside.hits == []
    assert not delivered and "not an address on the internet" in delivery.response_excerpt
    assert dns_server.asked["hooks.rebind.test/A"] == 3  # saved, checked before sending, connected


def test_one_lookup_per_connection_and_only_to_the_checked_address(outside_allowed, dns_server):
    outside = Server("127.0.0.2", reply(body=b"hello"))
    inside = Server("127.0.0.1", reply(body=b"internal secret"), port=outside.port)
    dns_server.set("api.flip.test", "A", ["127.0.0.2"], ["127.0.0.1"])
    try:
        with outbound.session() as session:
            first = session.get(f"http://api.flip.test:{outside.port}/")
        with outbound.session() as session, pytest.raises(outbound.Refused, match="not an address on the internet"):
            session.get(f"http://api.flip.test:{outside.port}/")
    finally:
        outside.close()
        inside.close()
    assert first.status_code == 200 and first.text == "hello"
    assert len(outside.hits) == 1 and inside.hits == []


@pytest.mark.parametrize("address", ["100.64.0.1", "100.127.255.254", "198.18.0.1", "169.254.169.254", "10.0.0.1",
                                     "172.16.0.1", "192.168.1.1", "127.0.0.1", "0.0.0.0", "192.0.0.8", "240.0.0.1",
                                     "224.0.0.1", "::1", "fe80::1", "fd00::1", "::ffff:10.0.0.1", "64:ff9b::a9fe:a9fe",
                                     "2002:a9fe:a9fe::1"])
def test_every_address_that_is_not_globally_routable_is_refused_on_save_and_on_send(owner, address, dns_server):
    dns_server.set("hooks.inside.test", "AAAA" if ":" in address else "A", address)
    with pytest.raises(ValidationError, match="not an address on the internet"):
        endpoint_create(membership=owner, url="https://hooks.inside.test/hook", events=["animal.created"])
    assert outbound.address_allowed(address) is False
    with outbound.session() as session, pytest.raises(outbound.Refused):
        session.get("https://hooks.inside.test/hook")


def test_public_addresses_pass_the_check():
    for address in ("8.8.8.8", "1.1.1.1", "2001:4860:4860::8888", "41.90.0.1"):
        assert outbound.address_allowed(address), address


def test_a_name_with_any_internal_address_among_its_answers_is_refused(dns_server):
    dns_server.set("mixed.test", "A", "8.8.8.8", "10.0.0.5")
    assert outbound.url_problem("https://mixed.test/") == "mixed.test is not an address on the internet."
    dns_server.set("nowhere.test", "TXT", "x")
    assert "does not resolve" in outbound.url_problem("https://nowhere.test/")


def test_an_answer_too_large_is_cut_off(outside_allowed):
    big = Server("127.0.0.2", reply(body=b"x" * (outbound.MAX_BYTES + 1)))
    try:
        with outbound.session() as session, pytest.raises(outbound.Refused, match="too large"):
            session.get(f"http://127.0.0.2:{big.port}/")
    finally:
        big.close()


def test_an_answer_that_drips_is_given_up(outside_allowed, monkeypatch):
    import time

    def drip(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", "100")
        handler.end_headers()
        for _ in range(20):
            handler.wfile.write(b"x")
            handler.wfile.flush()
            time.sleep(0.2)

    monkeypatch.setattr(outbound, "TOTAL_TIMEOUT", 1)
    slow = Server("127.0.0.2", drip)
    started = time.monotonic()
    try:
        with outbound.session() as session, pytest.raises((outbound.Refused, requests.RequestException)):
            session.get(f"http://127.0.0.2:{slow.port}/")
    finally:
        slow.close()
    assert time.monotonic() - started < 3


def test_no_proxy_from_the_environment_is_used(outside_allowed, monkeypatch, inside):
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{inside.port}")
    outside = Server("127.0.0.2", reply(body=b"direct"))
    try:
        with outbound.session() as session:
            assert session.get(f"http://127.0.0.2:{outside.port}/").text == "direct"
    finally:
        outside.close()
    assert inside.hits == []


@pytest.mark.parametrize("host", ["2130706433", "0x7f000001", "017700000001", "127.1", "localhost", "localhost.",
                                  "[::ffff:7f00:1]", "[fe80::1%25lo]"])
def test_the_systems_resolver_and_its_numeric_spellings_are_checked_too(settings, host):
    """Without DNS_SERVERS the system resolver answers, and it reads 2130706433 or 0x7f000001 as 127.0.0.1:
    the check is on the address it returns, so every spelling is refused."""
    settings.DNS_SERVERS = []
    with outbound.session() as session, pytest.raises(outbound.Refused):
        session.get(f"http://{host}:6379/")
