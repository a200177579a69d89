"""Notifications: one service sends a kind of notification to a member, on the channels they chose.

The notification (the bell) and one delivery row per other channel are written in the caller's
transaction; the first try goes through the outbox, retries wait with back-off on the delivery row
(`next_attempt_at`), and a sweeper hands due ones to the workers. Quiet hours hold a delivery until
they end (urgent kinds excepted); a member who chose the digest gets their emails once a day.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from apps.core.outbox import handler, outbox_enqueue

from . import channels as senders
from .kinds import APP, CHANNELS, EMAIL, KINDS, PUSH, SMS
from .models import Delivery, Notification, NotifySettings, PushSubscription
from .selectors import unread_changed

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF = (dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=30), dt.timedelta(hours=2))
LEASE = dt.timedelta(minutes=2)
DIGEST_HOUR = 7  # local time


# -- the member's settings ----------------------------------------------------------------------

def settings_of(membership) -> NotifySettings:
    found = NotifySettings.objects.filter(tenant_id=membership.tenant_id, membership=membership).first()
    return found or NotifySettings(tenant_id=membership.tenant_id, membership=membership)


def channels_for(member_settings: NotifySettings, kind: str) -> tuple[str, ...]:
    chosen = (member_settings.channels or {}).get(kind)
    if chosen is None:
        return KINDS[kind].channels
    return tuple(c for c in chosen if c in CHANNELS)


def zone_of(membership) -> zoneinfo.ZoneInfo:
    profile = getattr(membership.user, "profile", None)
    for name in ((profile.time_zone if profile else ""), membership.tenant.time_zone, "UTC"):
        if name:
            try:
                return zoneinfo.ZoneInfo(name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                continue
    return zoneinfo.ZoneInfo("UTC")


def language_of(membership) -> str:
    """The member's own language, else the organisation's, else the site's."""
    profile = getattr(membership.user, "profile", None)
    return (profile.language if profile else "") or getattr(membership.tenant, "language", "") or settings.LANGUAGE_CODE


def quiet_until(member_settings: NotifySettings, zone: zoneinfo.ZoneInfo, now: dt.datetime) -> dt.datetime | None:
    """When the member's quiet hours end, if `now` falls within them (they may span midnight), else None."""
    start, end = member_settings.quiet_start, member_settings.quiet_end
    if start is None or end is None or start == end:
        return None
    local = now.astimezone(zone)
    t = local.time().replace(tzinfo=None)
    inside = (start <= t < end) if start < end else (t >= start or t < end)
    if not inside:
        return None
    day = local.date() if t < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=zone).astimezone(dt.UTC)


@transaction.atomic
def settings_update(*, membership, channels: dict[str, list[str]], quiet_start: dt.time | None, quiet_end: dt.time | None,
                    digest: bool) -> NotifySettings:
    problems = {}
    if (quiet_start is None) != (quiet_end is None):
        problems["quiet_end"] = _("Give both ends of the quiet hours, or neither.")
    elif quiet_start is not None and quiet_start == quiet_end:
        problems["quiet_end"] = _("Quiet hours need an end different from their start.")
    unknown = [k for k in channels if k not in KINDS] + [c for chosen in channels.values() for c in chosen if c not in CHANNELS]
    if unknown:
        problems["__all__"] = _("Unknown choices: %(choices)s.") % {"choices": ", ".join(unknown)}
    if any(SMS in chosen for chosen in channels.values()):
        profile = getattr(membership.user, "profile", None)
        if problem := senders.e164_problem(profile.phone if profile else ""):
            problems["__all__"] = _("SMS needs a phone number on your profile. %(problem)s") % {"problem": problem}
    if problems:
        log.info("notification settings refused for member %s: %s", membership.pk, problems)
        raise ValidationError(problems)
    stored = settings_of(membership)
    stored.channels = {k: list(v) for k, v in channels.items()}
    stored.quiet_start, stored.quiet_end, stored.digest = quiet_start, quiet_end, digest
    stored.save()
    return stored


# -- sending ------------------------------------------------------------------------------------

def render_message(kind: str, context: dict, language: str) -> dict:
    name = f"notify/kinds/{kind}.html"
    with translation.override(language):
        parts = {part: render_to_string(f"{name}#{part}", context).strip() for part in ("subject", "text", "html", "short")}
    parts["subject"] = " ".join(parts["subject"].split())[:140]
    parts["short"] = " ".join(parts["short"].split())[:300]
    return parts


def notify(*, membership, kind: str, context: dict | None = None, url: str = "", key: str = "",
           now: dt.datetime | None = None) -> Notification | None:
    """Tell one member about something of `kind`; None when `key` says it was told already."""
    if kind not in KINDS:
        raise KeyError(f"unknown notification kind {kind}")
    with scope(tenant=membership.tenant_id):
        return _notify(membership, kind, context, url, key, now)


def _notify(membership, kind, context, url, key, now) -> Notification | None:
    now = now or timezone.now()
    context = {**(context or {}), "url": url, "site_url": settings.SITE_URL, "member": membership}
    message = render_message(kind, context, language_of(membership))
    member_settings = settings_of(membership)
    chosen = channels_for(member_settings, kind)
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                tenant_id=membership.tenant_id, user_id=membership.user_id, kind=kind, title=message["subject"],
                body=message["short"][:500], url=url[:300], key=key[:120], message=message,
                read_at=None if APP in chosen else now)
    except IntegrityError:
        return None  # told already (the key is unique per member)
    held_until = None if KINDS[kind].urgent else quiet_until(member_settings, zone_of(membership), now)
    for channel in chosen:
        if channel == APP:
            continue
        delivery = Delivery(tenant_id=membership.tenant_id, notification=notification, channel=channel)
        if channel == EMAIL and member_settings.digest and not KINDS[kind].urgent:
            delivery.status = Delivery.Status.DIGEST
        elif held_until is not None:
            delivery.status, delivery.next_attempt_at = Delivery.Status.HELD, held_until
        else:
            delivery.next_attempt_at = now
        delivery.save()
        if delivery.status == Delivery.Status.PENDING:
            outbox_enqueue(tenant_id=membership.tenant_id, kind="notify.deliver", payload={"delivery_id": delivery.pk})
    return notification


def notify_user(*, tenant_id: int, user_id: int, kind: str, context: dict | None = None, url: str = "",
                key: str = "") -> Notification | None:
    # The member model, through the relation notify's own settings declare (accounts is the floor above).
    Membership = NotifySettings._meta.get_field("membership").related_model
    with scope(tenant=tenant_id):
        membership = (Membership.objects.select_related("user__profile", "tenant")
                      .filter(tenant_id=tenant_id, user_id=user_id, is_active=True).first())
    if membership is None:
        return None
    return notify(membership=membership, kind=kind, context=context, url=url, key=key)


def notification_create(*, tenant_id: int, user_id: int, title: str, body: str = "", url: str = "",
                        kind: str = "general") -> Notification | None:
    """A notification whose words the sender wrote (title and body), through the member's channels."""
    return notify_user(tenant_id=tenant_id, user_id=user_id, kind=kind, context={"title": title, "body": body}, url=url)


@handler("notify.deliver")
def _deliver_message(message) -> None:
    delivery_send(delivery_id=message.payload["delivery_id"])


def _claim(delivery_id: int, now: dt.datetime) -> bool:
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return Delivery.objects.filter(due, pk=delivery_id, status__in=[Delivery.Status.PENDING, Delivery.Status.HELD]).update(
        status=Delivery.Status.PENDING, next_attempt_at=now + LEASE) == 1


def delivery_send(*, delivery_id: int, now: dt.datetime | None = None) -> Delivery | None:
    """Try one delivery once: sent, tried again later with back-off, or given up. Returns None if not due."""
    now = now or timezone.now()
    if not _claim(delivery_id, now):
        return None
    delivery = Delivery.objects.select_related("notification__user").get(pk=delivery_id)
    notification = delivery.notification
    parts = notification.message or {"subject": notification.title, "text": notification.body, "html": "",
                                      "short": notification.title}
    link = settings.SITE_URL + notification.url if notification.url.startswith("/") else notification.url
    delivery.attempts += 1
    try:
        if delivery.channel == EMAIL:
            html = render_to_string("notify/email.html", {"body": parts["html"], "link": link, "subject": parts["subject"]})
            answer = senders.send_email(to=notification.user.email, subject=parts["subject"], text=parts["text"], html=html)
        elif delivery.channel == SMS:
            profile = getattr(notification.user, "profile", None)
            text = parts["short"] + (f" {link}" if link else "")
            answer = senders.send_sms(to=profile.phone if profile else "", text=text[:459])
        elif delivery.channel == PUSH:
            answer = _push_all(notification, parts, link)
        else:
            raise senders.Undeliverable(f"Unknown channel {delivery.channel}.")
    except senders.Undeliverable as error:
        delivery.status, delivery.answer, delivery.next_attempt_at = Delivery.Status.FAILED, str(error)[:500], None
    except senders.ChannelError as error:
        delivery.answer = str(error)[:500]
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = Delivery.Status.FAILED, None
        else:
            delivery.next_attempt_at = now + BACKOFF[min(delivery.attempts, len(BACKOFF)) - 1]
        log.warning("delivery %s (%s) failed, attempt %s: %s", delivery.pk, delivery.channel, delivery.attempts, error)
    else:
        delivery.status, delivery.answer, delivery.sent_at, delivery.next_attempt_at = Delivery.Status.SENT, answer[:500], now, None
    delivery.save(update_fields=["status", "answer", "attempts", "next_attempt_at", "sent_at"])
    return delivery


def _push_all(notification: Notification, parts: dict, link: str) -> str:
    subscriptions = list(PushSubscription.objects.filter(user_id=notification.user_id))
    if not subscriptions:
        raise senders.Undeliverable("No browser has turned on notifications.")
    answers, retry = [], None
    for subscription in subscriptions:
        try:
            answers.append(senders.send_push(subscription=subscription, title=parts["subject"], body=parts["short"],
                                             url=link, tag=f"n{notification.pk}"))
        except senders.Undeliverable as error:
            answers.append(str(error))
        except senders.ChannelError as error:
            retry = error
    if retry is not None and not any(a.startswith("Accepted") for a in answers):
        raise retry
    if not any(a.startswith("Accepted") for a in answers):
        raise senders.Undeliverable("; ".join(answers))
    return "; ".join(answers)[:500]


def due_deliveries(*, now: dt.datetime | None = None, limit: int = 500) -> list[tuple[int, int]]:
    """(tenant id, delivery id) of retries whose time has come and of deliveries held for quiet hours."""
    now = now or timezone.now()
    with scopes_disabled():
        return list(Delivery.objects.filter(status__in=[Delivery.Status.PENDING, Delivery.Status.HELD],
                                             next_attempt_at__lte=now).order_by("next_attempt_at")
                    .values_list("tenant_id", "pk")[:limit])


def delivery_resend(*, delivery: Delivery) -> None:
    """Staff: try a delivery again now (from the admin)."""
    with scope(tenant=delivery.tenant_id), transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.PENDING, next_attempt_at=timezone.now(),
                                                       answer="Sent again by staff.")
        outbox_enqueue(tenant_id=delivery.tenant_id, kind="notify.deliver", payload={"delivery_id": delivery.pk})


def digests_send(*, now: dt.datetime | None = None) -> int:
    """Each member with the digest on gets, at 07:00 their time, one email of what waited for it."""
    now = now or timezone.now()
    with scopes_disabled():
        waiting = list(NotifySettings.objects.filter(digest=True).select_related("membership__user__profile", "membership__tenant"))
    sent = 0
    for member_settings in waiting:
        membership = member_settings.membership
        if now.astimezone(zone_of(membership)).hour != DIGEST_HOUR:
            continue
        with scope(tenant=membership.tenant_id):
            deliveries = list(Delivery.objects.filter(tenant_id=membership.tenant_id, status=Delivery.Status.DIGEST,
                                                      notification__user_id=membership.user_id)
                              .select_related("notification").order_by("created_at"))
            if not deliveries:
                continue
            with translation.override(language_of(membership)):
                context = {"notifications": [d.notification for d in deliveries], "site_url": settings.SITE_URL,
                           "tenant": membership.tenant}
                subject = render_to_string("notify/digest.html#subject", context).strip()
                text = render_to_string("notify/digest.html#text", context)
                html = render_to_string("notify/digest.html#html", context)
            try:
                answer = senders.send_email(to=membership.user.email, subject=subject, text=text, html=html)
            except (senders.ChannelError, senders.Undeliverable) as error:
                log.warning("digest for member %s not sent: %s", membership.pk, error)
                continue
            Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
                status=Delivery.Status.SENT, sent_at=now, attempts=1, answer=f"In the daily digest. {answer}"[:500])
            sent += 1
    return sent


# -- Web Push subscriptions -----------------------------------------------------------------------

def push_subscribe(*, user, endpoint: str, p256dh: str, auth: str, user_agent: str = "") -> PushSubscription:
    """Keep a browser's push address for `user`. An address already held by someone else is refused (and logged)."""
    import base64

    from django.core.validators import URLValidator

    problems = {}
    try:
        URLValidator(schemes=["https"] if not settings.DEBUG and not settings.PUSH_ALLOW_HTTP else ["https", "http"])(endpoint)
    except ValidationError:
        problems["endpoint"] = _("The push address is not a valid https URL.")
    else:
        if not senders.push_service_host(urlsplit(endpoint).hostname or ""):
            problems["endpoint"] = _("The push address is not a browser's push service.")
    for name, value, size in (("p256dh", p256dh, 65), ("auth", auth, 16)):
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        except (ValueError, TypeError):
            raw = b""
        if len(raw) != size:
            problems[name] = _("The browser's %(name)s key is not valid.") % {"name": name}
    if problems:
        raise ValidationError(problems)
    existing = PushSubscription.objects.filter(endpoint=endpoint).first()
    if existing is not None and existing.user_id != user.pk:
        log.warning("push subscription for user %s refused: the address belongs to user %s", user.pk, existing.user_id)
        raise ValidationError({"endpoint": _("This browser address is registered to another person.")})
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"user": user, "p256dh": p256dh, "auth": auth, "user_agent": user_agent[:200]})
    return subscription


def push_unsubscribe(*, user, endpoint: str) -> int:
    deleted, _by_model = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    return deleted


@transaction.atomic
def notifications_mark_read(*, membership, ids: list[int] | None = None) -> int:
    unread = Notification.objects.filter(tenant_id=membership.tenant_id, user_id=membership.user_id, read_at=None)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    unread_changed(membership.tenant_id, membership.user_id)  # update() sends no signal (the saves' is in apps.py)
    return unread.update(read_at=timezone.now())
