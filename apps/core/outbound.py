"""The one way the server makes an HTTP request to an address a tenant or a user gave (webhooks, Web Push,
an identity provider's discovery, keys and tokens).

A request through `session()`:
- resolves the host once, and refuses unless every address it resolves to is globally routable
  (`ipaddress`'s `is_global`, so loopback, private, link-local, carrier-grade NAT 100.64/10, benchmarking
  198.18/15 and the IPv6 forms that carry such an IPv4 address inside go too, and multicast);
- connects to the address it checked (a name that resolves elsewhere a moment later changes nothing; TLS
  still verifies the certificate against the name);
- follows no redirect (a 3xx comes back as the answer), uses no proxy from the environment;
- gives up after CONNECT_TIMEOUT to connect and TOTAL_TIMEOUT for the whole answer, and reads at most
  MAX_BYTES of it.

`OUTBOUND_ALLOWED_NETWORKS` (CIDRs, empty by default) lets an operator, and the test suite, reach
named internal networks on purpose. Names are resolved by the system, or by the DNS servers in
`DNS_SERVERS` ("127.0.0.1:5353") when set; domain verification reads TXT records the same way.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import HTTPError, NewConnectionError
from urllib3.util.connection import create_connection

CONNECT_TIMEOUT = 3
TOTAL_TIMEOUT = 10
MAX_BYTES = 256 * 1024
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Refused(requests.RequestException):
    """The address is not one the server may reach, or the answer broke a limit. What it says is safe to
    show: it names the host the user gave, never what (if anything) listens inside."""

    def __init__(self, kind: str, host: str):
        self.kind, self.host = kind, host
        super().__init__(f"{kind}: {host}")

    def __str__(self) -> str:
        from django.utils.translation import gettext as _

        texts = {
            "unresolved": _("%(host)s does not resolve."),
            "not_public": _("%(host)s is not an address on the internet."),
            "too_large": _("The answer from %(host)s is too large."),
            "too_slow": _("%(host)s took too long to answer."),
        }
        return texts[self.kind] % {"host": self.host}


# Names and addresses -----------------------------------------------------------------------------------


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _allowed_networks():
    return [ipaddress.ip_network(cidr, strict=False) for cidr in getattr(settings, "OUTBOUND_ALLOWED_NETWORKS", [])]


def address_allowed(address: str) -> bool:
    """True for an address on the public internet (or in a network the operator allowed)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if any(ip in network for network in _allowed_networks()):
        return True
    if not ip.is_global or ip.is_multicast:
        return False
    inner = _embedded_ipv4(ip) if ip.version == 6 else None
    return inner is None or address_allowed(str(inner))


def _resolver():
    import dns.resolver

    resolver = dns.resolver.Resolver(configure=not settings.DNS_SERVERS)
    if settings.DNS_SERVERS:
        host, _, port = settings.DNS_SERVERS[0].rpartition(":")
        resolver.nameservers = [host.strip("[]") or "127.0.0.1"]
        resolver.port = int(port or 53)
    resolver.lifetime = CONNECT_TIMEOUT
    return resolver


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` names (an address is itself); Refused when it names none."""
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass
    if settings.DNS_SERVERS:
        import dns.exception
        import dns.resolver

        resolver, found = _resolver(), []
        for kind in ("A", "AAAA"):
            try:
                found += [answer.to_text() for answer in resolver.resolve(host, kind, search=False)]
            except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
                continue
            except dns.exception.DNSException as error:
                raise Refused("unresolved", host) from error
        if not found:
            raise Refused("unresolved", host)
        return found
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise Refused("unresolved", host) from error
    return list(dict.fromkeys(info[4][0] for info in infos))


def checked_addresses(host: str, port: int) -> list[str]:
    addresses = resolve(host, port)
    if not all(address_allowed(address) for address in addresses):
        raise Refused("not_public", host)
    return addresses


def url_problem(url: str, *, schemes=("https",)) -> str | None:
    """Why a request to `url` would be refused (a scheme not in `schemes`, no host, an address not on the
    internet), in the reader's language, or None. For forms; the request checks again when it is made."""
    from django.utils.translation import gettext as _

    parts = urlsplit(url or "")
    if parts.scheme not in schemes:
        return _("Use an https:// address.")
    if not parts.hostname:
        return _("Give the full address, with its host.")
    try:
        checked_addresses(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except Refused as error:
        return str(error)
    return None


def txt_records(name: str) -> list[str]:
    """The TXT strings published at `name` (none when it has none or does not resolve)."""
    import dns.exception

    try:
        answers = _resolver().resolve(name, "TXT", search=False)
    except dns.exception.DNSException:
        return []
    return [b"".join(answer.strings).decode(errors="replace") for answer in answers]


# Connections to the checked address --------------------------------------------------------------------


class _Checked:
    """Connect to an address of `host` that passed the check, never to a second resolution of the name."""

    def _new_conn(self) -> socket.socket:
        addresses = checked_addresses(self._dns_host, self.port)
        error: OSError | None = None
        for address in addresses:
            try:
                return create_connection((address, self.port), self.timeout, source_address=self.source_address,
                                         socket_options=self.socket_options)
            except OSError as failure:
                error = failure
        raise NewConnectionError(self, f"Could not connect to {self._dns_host}: {error.__class__.__name__}")


class _CheckedHTTPConnection(_Checked, HTTPConnection):
    pass


class _CheckedHTTPSConnection(_Checked, HTTPSConnection):
    pass


class _CheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class _CheckedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _CheckedHTTPPool, "https": _CheckedHTTPSPool}


class GuardedSession(requests.Session):
    """A requests session that goes only where the module's rules allow (see above)."""

    def __init__(self):
        super().__init__()
        self.trust_env = False  # no proxy taken from the environment
        for prefix in ("http://", "https://"):
            self.mount(prefix, _CheckedAdapter(max_retries=0))
        self.headers["User-Agent"] = "iFarm/1"

    def request(self, method, url, **kwargs):
        kwargs["allow_redirects"] = False
        kwargs["stream"] = True
        kwargs["proxies"] = {}
        kwargs["timeout"] = (CONNECT_TIMEOUT, TOTAL_TIMEOUT)
        started = time.monotonic()
        try:
            response = super().request(method, url, **kwargs)
        except requests.ConnectionError as error:
            refusal = _refusal_in(error)
            if refusal is None:
                raise
            raise refusal from error
        try:
            body = bytearray()
            while chunk := response.raw.read1(16 * 1024, decode_content=True):  # what has arrived, not a full block
                body += chunk
                if len(body) > MAX_BYTES:
                    raise Refused("too_large", urlsplit(url).hostname)
                if time.monotonic() - started > TOTAL_TIMEOUT:
                    raise Refused("too_slow", urlsplit(url).hostname)
        except (HTTPError, OSError) as error:
            if isinstance(error, Refused):
                raise
            raise requests.ConnectionError(error) from error
        finally:
            response.close()
        response._content, response._content_consumed = bytes(body), True
        return response


def _refusal_in(error: BaseException, depth: int = 0) -> Refused | None:
    """The refusal urllib3 and requests wrapped (as a connection error's reason), if that is what happened."""
    if isinstance(error, Refused):
        return error
    if depth > 6:
        return None
    inner = [getattr(error, "reason", None), error.__cause__, error.__context__, *getattr(error, "args", ())]
    for candidate in inner:
        if isinstance(candidate, BaseException) and (found := _refusal_in(candidate, depth + 1)):
            return found
    return None


def session() -> GuardedSession:
    return GuardedSession()
