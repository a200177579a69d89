"""A DNS server on localhost for the suite: it answers A, AAAA and TXT from a table a test fills, so a test
can make a name point at an internal address, change its answer between two lookups (rebinding), or
publish a domain's verification record. The server speaks DNS over UDP with dnspython's wire format; the
application reaches it through DNS_SERVERS as it would reach any resolver.
"""

from __future__ import annotations

import socket
import threading
from collections import defaultdict

import dns.flags
import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

DEFAULTS = {("localhost", "A"): ["127.0.0.1"]}


class StubDNS:
    def __init__(self):
        self.records: dict[tuple[str, str], list] = {}
        self.asked: defaultdict[str, int] = defaultdict(int)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.reset()
        threading.Thread(target=self._serve, daemon=True).start()

    def reset(self) -> None:
        self.records = dict(DEFAULTS)
        self.asked.clear()

    def set(self, name: str, kind: str, *values) -> None:
        """Answer `kind` queries for `name` with `values`; a value may be a list of answers given in turn
        (the last one repeats), for a name that changes its address between lookups."""
        self.records[(name.lower().rstrip("."), kind)] = list(values)

    def _answers(self, name: str, kind: str) -> list[str] | None:
        values = self.records.get((name, kind))
        if values is None:
            return None
        if values and isinstance(values[0], list):  # answers in turn
            turn = self.asked[name + "/" + kind] - 1
            return values[min(turn, len(values) - 1)]
        return values

    def _serve(self) -> None:
        while True:
            try:
                wire, peer = self.sock.recvfrom(4096)
                query = dns.message.from_wire(wire)
            except OSError:
                return
            except Exception:  # noqa: BLE001 (a malformed packet: ignore it, as a server does)
                continue
            response = dns.message.make_response(query)
            response.flags |= dns.flags.AA
            question = query.question[0]
            name = question.name.to_text(omit_final_dot=True).lower()
            kind = dns.rdatatype.to_text(question.rdtype)
            self.asked[name + "/" + kind] += 1
            values = self._answers(name, kind)
            if values:
                if kind == "TXT":
                    values = ['"' + v.replace('"', '\\"') + '"' for v in values]
                response.answer.append(dns.rrset.from_text(question.name, 0, dns.rdataclass.IN, kind, *values))
            elif not any(known == name for known, _kind in self.records):
                response.set_rcode(dns.rcode.NXDOMAIN)
            self.sock.sendto(response.to_wire(), peer)


_server: StubDNS | None = None


def running() -> StubDNS:
    """The suite's DNS server (started once, on first use)."""
    global _server
    if _server is None:
        _server = StubDNS()
    return _server


def point(name: str, address: str = "127.0.0.9") -> str:
    """Make `name` resolve to `address` and let the server reach that one address, as if it were on the
    internet (a loopback address nothing listens on, so a send fails at once). Returns the name."""
    from django.conf import settings

    running().set(name, "A", address)
    settings.OUTBOUND_ALLOWED_NETWORKS = [*settings.OUTBOUND_ALLOWED_NETWORKS, f"{address}/32"]
    return name
