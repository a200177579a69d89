import time

from allauth.usersessions.models import UserSession

from apps.core.middleware import client_ip
from apps.core.replicas import degraded

SEEN_EVERY_SECONDS = 300
SEEN_AT, SEEN_IP = "_seen_at", "_seen_ip"


class SessionActivityMiddleware:
    """Record a session's device, IP and last-seen time for the Sessions page.

    allauth's own middleware writes the session row on every request; a write per page view
    costs a transaction on the hottest paths, so this one writes at most every five minutes,
    or at once when the session's IP changes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.session_key and request.user.is_authenticated and not degraded():
            if time.time() - session.get(SEEN_AT, 0) > SEEN_EVERY_SECONDS or session.get(SEEN_IP) != client_ip(request):
                UserSession.objects.create_from_request(request)
                _seen(request)
        return self.get_response(request)


def _seen(request) -> None:
    request.session[SEEN_AT], request.session[SEEN_IP] = time.time(), client_ip(request)


def seen_at_sign_in(sender, request, **kwargs) -> None:
    """allauth writes the session's row as it signs someone in: say so in the session, or the first page after the
    sign-in writes the same row again."""
    _seen(request)


def connect() -> None:
    from allauth.account.signals import user_logged_in

    user_logged_in.connect(seen_at_sign_in, dispatch_uid="accounts-seen-at-sign-in")
