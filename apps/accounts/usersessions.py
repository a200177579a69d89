import time

from allauth.usersessions.models import UserSession

from apps.core.middleware import client_ip
from apps.core.replicas import degraded

SEEN_EVERY_SECONDS = 300


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
            ip = client_ip(request)
            now = time.time()
            if now - session.get("_seen_at", 0) > SEEN_EVERY_SECONDS or session.get("_seen_ip") != ip:
                UserSession.objects.create_from_request(request)
                session["_seen_at"], session["_seen_ip"] = now, ip
        return self.get_response(request)
