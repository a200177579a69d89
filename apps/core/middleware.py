import functools
import hashlib
import ipaddress
import re
import uuid

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import gettext as _

from .context import RequestMeta, reset_request_meta, set_request_meta
from .storage import spooled_in_request

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Give every request an id (or keep a sane one from the proxy) for logs and the audit log."""

    header = "X-Request-ID"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(self.header, "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        meta = RequestMeta(
            request_id=request_id,
            ip=client_ip(request),
            user_agent=request.headers.get("User-Agent", "")[:300],
        )
        token = set_request_meta(meta)
        try:
            response = self.get_response(request)
        finally:
            reset_request_meta(token)
        response[self.header] = request_id
        return response


def client_ip(request) -> str:
    """The address of the person's device.

    nginx puts the connecting address in X-Real-IP. The header is believed only when the request
    came from a configured proxy (TRUSTED_PROXIES); anyone reaching gunicorn directly could send
    any X-Real-IP, and the audit log and the login limits would record a forged address.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if _trusted(remote):
        forwarded = request.headers.get("X-Real-IP", "").strip()
        if forwarded and _address(forwarded) is not None:
            return forwarded
    return remote


def _address(value: str):
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


@functools.cache
def _trusted_networks() -> tuple:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in settings.TRUSTED_PROXIES)


def _trusted(remote: str) -> bool:
    address = _address(remote)
    return address is not None and any(address in network for network in _trusted_networks())


# Powerful browser features are off everywhere; a view that needs one turns it on (allow_camera).
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), publickey-credentials-get=(self), usb=()"
)


def allow_camera(view):
    """Let the page use the camera (the receipt photo on an expense)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Permissions-Policy"] = PERMISSIONS_POLICY.replace("camera=()", "camera=(self)")
        return response

    return wrapped


class SecurityHeadersMiddleware:
    """Headers Django does not set: Permissions-Policy, Cross-Origin-Resource-Policy, and no-store
    on pages for a signed-in person (a shared phone's back button must not show the books)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        return response


class SpoolNoticeMiddleware:
    """Tells the person whose upload went to the local spool that it is kept and will follow (the record is
    saved; only the file waits for the store)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = spooled_in_request.set([])
        try:
            response = self.get_response(request)
            if spooled_in_request.get() and hasattr(request, "_messages"):
                messages.warning(request, _("The file store is slow to answer: your file is kept here and is sent to it "
                                            "within minutes. Nothing is lost."))
        finally:
            spooled_in_request.reset(token)
        return response


class ReplayGuardMiddleware:
    """A page form kept on a phone without a network is sent later with an Idempotency-Key; sent again (the answer
    was lost on the way back), it is answered without acting twice. The key is kept a day per person; a request that
    failed (4xx, 5xx) releases it, so a corrected retry acts. (The API has its own guard, with stored answers.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get("Idempotency-Key", "").strip()
        if request.method != "POST" or not key or request.path.startswith("/api/") or not request.user.is_authenticated:
            return self.get_response(request)
        slot = f"page-replay:{request.user.pk}:{hashlib.sha256(key[:200].encode()).hexdigest()}"
        if not cache.add(slot, "1", timeout=24 * 3600):
            return HttpResponse(status=204)  # received before: nothing to do, nothing to draw
        response = self.get_response(request)
        if response.status_code >= 400:
            cache.delete(slot)
        return response
