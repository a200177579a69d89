"""Watching for abuse: devices, address reputation, rate rules held as data, and security alerts.

An address earns points for failed logins, refused requests and rate-limit hits; a point counts
half after an hour, a quarter after two, and so on. Past THROTTLE_AT the address is held to a slow rate, past BLOCK_AT it is refused for an hour.
Every count lives in the database (AbuseEvent, IpBlock) and the cache only remembers answers, so
the guard holds when Redis is down.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import secrets
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scopes_disabled
from user_agents import parse as parse_user_agent

from apps.core.cache import count_in_window
from apps.core.middleware import client_ip
from apps.core.outbox import handler, outbox_enqueue
from apps.core.replicas import degraded
from apps.core.words import later

from .models import AbuseEvent, Device, IpBlock, Membership, RateRule, User

log = logging.getLogger(__name__)

DEVICE_COOKIE = "ifarm_device"
DEVICE_COOKIE_AGE = 400 * 24 * 3600
WEIGHTS = {AbuseEvent.Kind.LOGIN_FAILED: 1.0, AbuseEvent.Kind.REFUSED: 0.5, AbuseEvent.Kind.RATE_LIMITED: 1.0,
           # An API call without a valid key: most often a machine with a stale key, not a person guessing
           # (a key cannot be guessed). It slows the address down after a few hundred, not a few dozen.
           AbuseEvent.Kind.API_REFUSED: 0.1}
HALF_LIFE = timedelta(hours=1)
LOOK_BACK = timedelta(hours=12)
THROTTLE_AT = 20.0
BLOCK_AT = 50.0
BLOCK_FOR = timedelta(hours=1)
THROTTLE_PER_MINUTE = 20
ABUSE_KEPT = timedelta(days=90)
STATE_SECONDS = 30
FAILED_LOGIN_ALERT_AT = 5


# Alerts -------------------------------------------------------------------------------------------


def alert_owners(*, tenant_id: int, title: str, body: str = "", url: str = "") -> None:
    """Tell every owner of the organisation, in the app and by email (through the outbox)."""
    from apps.notify.services import notification_create

    with scopes_disabled():
        owners = list(Membership.objects.filter(tenant_id=tenant_id, is_active=True, role__key="owner")
                      .select_related("user"))
    for owner in owners:
        # Urgent: by the owner's channels (email by default), quiet hours or not.
        notification_create(tenant_id=tenant_id, user_id=owner.user_id, title=title, body=body, url=url,
                            kind="security_alert")


@handler("security.alert")
def send_security_alert(message) -> None:
    from django.core.mail import send_mail

    payload = message.payload
    send_mail(subject=f"[iFarm] {payload['subject']}", message=payload.get("body") or payload["subject"],
              from_email=None, recipient_list=[payload["to"]])


def alert_staff(*, subject: str, body: str) -> None:
    """Tell platform staff by email, once the change commits; a mail failure never fails the request."""
    recipients = list(User.objects.filter(is_staff=True, is_active=True).values_list("email", flat=True))
    if not recipients:
        return

    # The AbuseEvent row stays as the record: staff see it in the admin if the mail does not go.
    transaction.on_commit(lambda: _send_quietly(recipients, f"[iFarm staff] {subject}", body))


# Address reputation -------------------------------------------------------------------------------


def reputation_of(ip: str, *, now: datetime | None = None) -> float:
    """Points against the address: each event's weight, halved for every whole hour since it happened."""
    now = now or timezone.now()
    rows = AbuseEvent.objects.filter(ip=ip, created_at__gte=now - LOOK_BACK, kind__in=list(WEIGHTS)).values_list(
        "kind", "created_at")
    half = HALF_LIFE.total_seconds()
    return sum(WEIGHTS[kind] * math.pow(0.5, math.floor(max(0.0, (now - at).total_seconds()) / half)) for kind, at in rows)


def abuse_record(*, ip: str, kind: str, user_id: int | None = None, tenant_id: int | None = None, detail: str = "") -> None:
    """Log what the address did and act on its reputation: throttle, then block."""
    if not ip:
        return
    with transaction.atomic():
        AbuseEvent.objects.create(ip=ip, kind=kind, user_id=user_id, tenant_id=tenant_id, detail=detail[:300])
        if kind not in WEIGHTS:
            return
        score = reputation_of(ip)
        if score >= BLOCK_AT and block_of(ip) is None:
            ip_block(ip=ip, until=timezone.now() + BLOCK_FOR, reason=f"Reputation {score:.0f} (failed logins, refusals, "
                                                                       f"rate-limit hits)")
        elif score >= THROTTLE_AT:
            _remember(ip, {"until": block_of(ip), "throttle": True})


def ip_block(*, ip: str, until: datetime, reason: str) -> IpBlock:
    block = IpBlock.objects.create(ip=ip, until=until, reason=reason[:200])
    AbuseEvent.objects.create(ip=ip, kind=AbuseEvent.Kind.BLOCKED, detail=reason[:300])
    state_forget(ip)
    alert_staff(subject=f"Address blocked: {ip}", body=f"{ip} is blocked until {until:%Y-%m-%d %H:%M} UTC.\n{reason}")
    return block


# A few seconds of process memory in front of the shared cache: the guard runs on every request, and
# a round trip to Redis for answers that rarely change costs more than the rest of the guard.
_MEMO: dict[str, tuple[float, object]] = {}
MEMO_SECONDS = 5.0


def _memo_get(key: str):
    found = _MEMO.get(key)
    if found is None or found[0] < time.monotonic():
        return None
    return found[1]


def _memo_set(key: str, value, seconds: float = MEMO_SECONDS) -> None:
    if len(_MEMO) > 10_000:
        _MEMO.clear()
    _MEMO[key] = (time.monotonic() + seconds, value)


def memo_clear() -> None:
    _MEMO.clear()


def _state_key(ip: str) -> str:
    return f"ipstate:{hashlib.sha256(ip.encode()).hexdigest()[:32]}"


def _remember(ip: str, state: dict) -> None:
    cache.set(_state_key(ip), state, STATE_SECONDS)
    _memo_set(_state_key(ip), state)


def state_forget(ip: str) -> None:
    def forget():
        _MEMO.pop(_state_key(ip), None)
        cache.delete(_state_key(ip))

    forget()
    transaction.on_commit(forget)


def _state(ip: str) -> dict:
    """The address's standing: blocked until when, throttled or not (the database's answer, remembered briefly)."""
    state = _memo_get(_state_key(ip))
    if state is not None:
        return state
    state = cache.get(_state_key(ip))
    if state is not None:
        _memo_set(_state_key(ip), state)
    else:
        now = timezone.now()
        until = IpBlock.objects.filter(ip=ip, until__gt=now).order_by("-until").values_list("until", flat=True).first()
        throttle = until is None and AbuseEvent.objects.filter(ip=ip, created_at__gte=now - LOOK_BACK).exists() \
            and reputation_of(ip, now=now) >= THROTTLE_AT
        state = {"until": until, "throttle": throttle}
        _remember(ip, state)
    return state


def block_of(ip: str) -> datetime | None:
    until = _state(ip)["until"]
    return until if until is not None and until > timezone.now() else None


class AddressGuardMiddleware:
    """Refuse blocked addresses, slow down throttled ones, and count what comes back refused."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ip = client_ip(request)
        request.client_ip = ip
        state = _state(ip) if ip else {"until": None, "throttle": False}
        until = state["until"]
        if until is not None and until > timezone.now():
            return _refusal(request, 403, _("This address is blocked until %(time)s UTC after repeated failed or refused "
                                            "requests.") % {"time": f"{until:%H:%M}"},
                            retry=int((until - timezone.now()).total_seconds()) + 1)
        if state["throttle"] and count_in_window(f"ipthrottle:{_state_key(ip)}", 60) > THROTTLE_PER_MINUTE:
            abuse_record(ip=ip, kind=AbuseEvent.Kind.RATE_LIMITED, detail="throttled address")
            return _refusal(request, 429, _("Too many requests from this address. Wait a minute and try again."), retry=60)
        response = self.get_response(request)
        if response.status_code in (401, 403, 429) and not getattr(response, "ifarm_guard", False) and not degraded() \
                and not _authenticated(request):
            # Only what comes back to an unknown caller counts against the address: a signed-in person or a
            # valid key refused a page, or past its own limit, is not an attack from the address (an office
            # shares one address among every key and browser in it).
            kind = AbuseEvent.Kind.RATE_LIMITED if response.status_code == 429 else AbuseEvent.Kind.REFUSED
            if request.path.startswith("/api/") and response.status_code == 401:
                kind = AbuseEvent.Kind.API_REFUSED
            abuse_record(ip=ip, kind=kind, detail=f"{request.method} {request.path}"[:300])
        return response


def _authenticated(request) -> bool:
    user = getattr(request, "user", None)
    return getattr(request, "api_key", None) is not None or (user is not None and user.is_authenticated)


def _refusal(request, status: int, text: str, *, retry: int) -> HttpResponse:
    """The guard's answer: a problem document under /api/ (what an integration reads), plain text elsewhere."""
    if request.path.startswith("/api/"):
        body = {"type": "about:blank", "title": text, "status": status, "detail": text, "errors": []}
        response = HttpResponse(json.dumps(body), status=status, content_type="application/problem+json")
    else:
        response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(max(1, retry))
    response.ifarm_guard = True
    return response


# Rate rules ---------------------------------------------------------------------------------------

RULES_KEY = "raterules:v1"


def rules_changed() -> None:
    def forget():
        _MEMO.pop(RULES_KEY, None)
        cache.delete(RULES_KEY)

    forget()
    transaction.on_commit(forget)


def active_rules() -> list[RateRule]:
    rules = _memo_get(RULES_KEY)
    if rules is None:
        rules = cache.get(RULES_KEY)
        if rules is None:
            rules = list(RateRule.objects.filter(is_active=True))
            cache.set(RULES_KEY, rules, 60)
        _memo_set(RULES_KEY, rules, 10.0)
    return rules


def _scope_value(rule: RateRule, request) -> str | None:
    if rule.scope == RateRule.Scope.IP:
        return getattr(request, "client_ip", "") or None
    if rule.scope == RateRule.Scope.USER:
        user = getattr(request, "user", None)
        return str(user.pk) if user is not None and user.is_authenticated else None
    if rule.scope == RateRule.Scope.TENANT:
        tenant = getattr(request, "tenant", None)
        return str(tenant.pk) if tenant is not None else None
    key = getattr(request, "api_key", None)
    return str(key.pk) if key is not None else None


class RateRuleMiddleware:
    """Apply the staff's rate rules (after sign-in, so rules per user, organisation and key work)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for rule in active_rules():
            if rule.path_prefix and not request.path.startswith(rule.path_prefix):
                continue
            if rule.methods and request.method not in {m.strip().upper() for m in rule.methods.split(",")}:
                continue
            value = _scope_value(rule, request)
            if value is None or count_in_window(f"rr:{rule.pk}:{value}", rule.window_seconds) <= rule.limit:
                continue
            ip = getattr(request, "client_ip", "")
            abuse_record(ip=ip, kind=AbuseEvent.Kind.RATE_LIMITED, detail=f"rule {rule.name}: {request.path}")
            if rule.action == RateRule.Action.BLOCK and ip and block_of(ip) is None:
                ip_block(ip=ip, until=timezone.now() + timedelta(minutes=rule.block_minutes), reason=f"Rate rule {rule.name}")
            return _refusal(request, 429, _("Too many requests (%(limit)s per %(seconds)s s). Try again shortly.") % {
                "limit": rule.limit, "seconds": rule.window_seconds},
                            retry=rule.window_seconds)
        _device_touch(request)
        response = self.get_response(request)
        cookie = getattr(request, "_device_cookie", None)
        if cookie:
            response.set_cookie(DEVICE_COOKIE, cookie, max_age=DEVICE_COOKIE_AGE, httponly=True, samesite="Lax",
                                secure=settings.SESSION_COOKIE_SECURE)
        return response


def abuse_forget_old() -> int:
    """Drop abuse events older than 90 days and blocks long over (the maintenance job)."""
    cutoff = timezone.now() - ABUSE_KEPT
    deleted, _ = AbuseEvent.objects.filter(created_at__lt=cutoff).delete()
    IpBlock.objects.filter(until__lt=cutoff).delete()
    return deleted


# Failed logins ------------------------------------------------------------------------------------


def login_failed(request, email: str) -> None:
    """Count a failed login against the address, and tell the owners when an account of theirs is
    being guessed at."""
    from .models import LoginFailure

    ip = client_ip(request)
    user = User.objects.filter(email__iexact=email).first() if email else None
    abuse_record(ip=ip, kind=AbuseEvent.Kind.LOGIN_FAILED, user_id=user.pk if user else None, detail=email[:300])
    if user is None:
        return
    since = timezone.now() - timedelta(minutes=15)
    if LoginFailure.objects.filter(email=email, created_at__gte=since).count() != FAILED_LOGIN_ALERT_AT:
        return
    with scopes_disabled():
        tenant_ids = list(Membership.objects.filter(user=user, is_active=True).values_list("tenant_id", flat=True))
    for tenant_id in tenant_ids:
        alert_owners(tenant_id=tenant_id, title=later(gettext_lazy("Many failed sign-ins for %(email)s"), email=email),
                     body=later(gettext_lazy("%(count)s failed sign-ins for %(email)s in 15 minutes, the last from %(ip)s. "
                                      "If this was not them, ask them to change their password."),
                                count=FAILED_LOGIN_ALERT_AT, email=email, ip=ip))


# Devices ------------------------------------------------------------------------------------------


def _device_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def device_name(user_agent: str) -> str:
    agent = parse_user_agent(user_agent or "")
    browser = agent.browser.family if agent.browser.family != "Other" else "A browser"
    system = agent.os.family if agent.os.family != "Other" else "an unknown system"
    kind = "phone" if agent.is_mobile else "tablet" if agent.is_tablet else "computer"
    return f"{browser} on {system} ({kind})"[:120]


def device_seen_at_login(request, user: User) -> Device:
    """Record the browser a person just signed in from; a new one is mailed to them (not the first)."""
    token = request.COOKIES.get(DEVICE_COOKIE, "")
    device = Device.objects.filter(user=user, key_hash=_device_hash(token)).first() if token else None
    ip = client_ip(request) or None
    agent = request.headers.get("User-Agent", "")[:300]
    now = timezone.now()
    if device is not None:
        Device.objects.filter(pk=device.pk).update(last_seen=now, last_ip=ip, user_agent=agent)
        return device
    token = token or secrets.token_urlsafe(32)
    request._device_cookie = token
    had_devices = Device.objects.filter(user=user).exists()
    device = Device.objects.create(user=user, key_hash=_device_hash(token), name=device_name(agent), user_agent=agent,
                                   first_seen=now, last_seen=now, last_ip=ip)
    if had_devices:
        _mail_new_device(user, device)
    return device


def _mail_new_device(user: User, device: Device) -> None:
    with scopes_disabled():
        membership = Membership.objects.filter(user=user, is_active=True).order_by("pk").first()
    body = _("You signed in to iFarm from a new device: %(device)s, address %(ip)s, at %(time)s UTC.\n\nIf this was "
             "not you, change your password now and sign out the sessions you do not know from your profile page.") % {
        "device": device.name, "ip": device.last_ip or _("unknown"), "time": f"{device.first_seen:%Y-%m-%d %H:%M}"}
    subject = _("New sign-in to your account")
    if membership is not None:
        outbox_enqueue(tenant_id=membership.tenant_id, kind="security.alert",
                       payload={"to": user.email, "subject": subject, "body": body})
    else:
        transaction.on_commit(lambda: _send_quietly([user.email], f"[iFarm] {subject}", body))


def _send_quietly(recipients: list[str], subject: str, body: str) -> None:
    """Send a mail after a commit; a mail failure never fails the request (it is logged)."""
    from django.core.mail import send_mail

    try:
        send_mail(subject=subject, message=body, from_email=None, recipient_list=recipients)
    except Exception:
        log.exception("mail not sent: %s", subject)


def _device_touch(request) -> None:
    """Move the device's last-seen time on, at most once an hour per device."""
    user = getattr(request, "user", None)
    token = request.COOKIES.get(DEVICE_COOKIE)
    if not token or user is None or not user.is_authenticated or degraded():
        return
    key = f"device-seen:{_device_hash(token)[:32]}"
    if _memo_get(key) or cache.get(key):  # process memory first: no cache round trip on every request
        return
    cache.set(key, 1, 3600)
    _memo_set(key, 1, 600)
    Device.objects.filter(user=user, key_hash=_device_hash(token)).update(
        last_seen=timezone.now(), last_ip=getattr(request, "client_ip", "") or None)


def devices_of(user: User):
    return Device.objects.filter(user=user)


@transaction.atomic
def device_set_trusted(*, user: User, device_id: int, trusted: bool) -> int:
    return Device.objects.filter(user=user, pk=device_id).update(trusted=trusted)


@transaction.atomic
def device_forget(*, user: User, device_id: int) -> int:
    deleted, _ = Device.objects.filter(user=user, pk=device_id).delete()
    return deleted
