"""Sending one message on one channel. Each sender returns the provider's answer or raises
ChannelError (worth another try) or Undeliverable (no point trying again)."""

from __future__ import annotations

import json
import logging
import re

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

log = logging.getLogger(__name__)
E164 = re.compile(r"^\+[1-9]\d{6,14}$")


class ChannelError(Exception):
    """The provider failed this time (network, 5xx, rate limit): try again later."""


class Undeliverable(Exception):
    """This message cannot go by this channel (no number, no subscription, a refused address)."""


def e164_problem(number: str) -> str | None:
    from django.utils.translation import gettext as _

    if not number:
        return _("Enter a phone number.")
    if not E164.match(number):
        return _("Enter the number in international form: + then the country code and number, e.g. +254712345678.")
    return None


def send_email(*, to: str, subject: str, text: str, html: str) -> str:
    if not to:
        raise Undeliverable("No email address.")
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    if html:
        message.attach_alternative(html, "text/html")
    try:
        message.send()
    except OSError as error:  # SMTP and socket failures
        raise ChannelError(f"{error.__class__.__name__}: {error}") from error
    return "Accepted by the mail server."


# -- SMS ------------------------------------------------------------------------------------------

def send_sms(*, to: str, text: str) -> str:
    if problem := e164_problem(to):
        raise Undeliverable(f"No usable phone number ({problem.split(':')[0].lower()}).")
    provider = settings.SMS_PROVIDER
    if provider == "console":
        log.info("SMS to %s: %s", to, text)
        print(f"SMS to {to}: {text}", flush=True)  # noqa: T201  (the development provider writes to the console)
        return "Written to the console."
    if provider == "africastalking":
        return _africastalking(to, text)
    raise Undeliverable(f"Unknown SMS provider {provider!r}.")


def _africastalking(to: str, text: str) -> str:
    """Africa's Talking's messaging API: a form POST with the API key in a header; each recipient's status comes back."""
    import requests

    try:
        response = requests.post(
            settings.SMS_API_URL.rstrip("/") + "/version1/messaging",
            data={"username": settings.SMS_USERNAME, "to": to, "message": text,
                  **({"from": settings.SMS_SENDER} if settings.SMS_SENDER else {})},
            headers={"apiKey": settings.SMS_API_KEY, "Accept": "application/json"}, timeout=10)
    except requests.RequestException as error:
        raise ChannelError(f"{error.__class__.__name__}: {error}") from error
    if response.status_code >= 500 or response.status_code == 429:
        raise ChannelError(f"HTTP {response.status_code}: {response.text[:200]}")
    if response.status_code >= 400:
        raise Undeliverable(f"HTTP {response.status_code}: {response.text[:200]}")
    try:
        recipients = response.json()["SMSMessageData"]["Recipients"]
        first = recipients[0]
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise ChannelError(f"Unexpected answer: {response.text[:200]}") from error
    if first.get("status") not in ("Success", "Sent", "Queued"):
        raise Undeliverable(f"{first.get('status')}: {first.get('statusCode')}")
    return f"{first.get('status')} ({first.get('messageId', '')}, {first.get('cost', '')})"


# -- Web Push -------------------------------------------------------------------------------------

_keys: tuple | None = None


def vapid_keys():
    """(the private key, as the Vapid object pywebpush signs with; the public key as the browser's applicationServerKey).

    Without VAPID_PRIVATE_KEY the key is made once and kept under var/ (an embedded install)."""
    global _keys
    if _keys is None:
        import base64
        from pathlib import Path

        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
        from py_vapid import Vapid02

        private = settings.VAPID_PRIVATE_KEY
        if private.endswith(".pem"):
            path = Path(private)
            if not path.exists():
                made = Vapid02()
                made.generate_keys()
                made.save_key(str(path))
                path.chmod(0o600)
            vapid = Vapid02.from_file(str(path))
        elif private.lstrip().startswith("-----BEGIN"):
            vapid = Vapid02.from_pem(private.strip().encode())
        else:
            vapid = Vapid02.from_string(private)
        public = settings.VAPID_PUBLIC_KEY or base64.urlsafe_b64encode(
            vapid.public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)).rstrip(b"=").decode()
        _keys = (vapid, public)
    return _keys


def push_enabled() -> bool:
    return bool(settings.VAPID_PRIVATE_KEY)


def push_service_host(host: str) -> bool:
    """A browser's push service (PUSH_SERVICE_HOSTS: a name, or ".name" for any host under it)."""
    host = host.lower().rstrip(".")
    allowed = [name.lower() for name in settings.PUSH_SERVICE_HOSTS]
    return any(host.endswith(name) if name.startswith(".") else host == name for name in allowed)


def send_push(*, subscription, title: str, body: str, url: str, tag: str) -> str:
    """Encrypt (aes128gcm) and post to the browser's push service, signed with our VAPID key."""
    from urllib.parse import urlsplit

    from pywebpush import WebPushException, webpush

    from apps.core import outbound

    if not push_enabled():
        raise Undeliverable("Web Push is not set up (no VAPID keys).")
    endpoint = urlsplit(subscription.endpoint)
    if not push_service_host(endpoint.hostname or ""):
        raise Undeliverable("The subscription's address is not a browser's push service.")
    try:
        with outbound.session() as session:
            response = webpush(
                subscription_info={"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}},
                data=json.dumps({"title": title, "body": body, "url": url, "tag": tag}),
                vapid_private_key=vapid_keys()[0],
                vapid_claims={"sub": settings.VAPID_SUBJECT, "aud": f"{endpoint.scheme}://{endpoint.netloc}"},
                ttl=24 * 3600, timeout=10, requests_session=session)
    except outbound.Refused as error:
        raise Undeliverable(str(error)) from error
    except WebPushException as error:
        status = getattr(error.response, "status_code", None)
        if status in (404, 410):
            subscription.delete()  # the browser unsubscribed: forget the address
            raise Undeliverable(f"The browser's subscription is gone (HTTP {status}).") from error
        raise ChannelError(str(error)[:300]) from error
    except OSError as error:
        raise ChannelError(f"{error.__class__.__name__}: {error}") from error
    return f"Accepted by the push service (HTTP {getattr(response, 'status_code', '?')})."
