import re
import uuid

from .context import RequestMeta, reset_request_meta, set_request_meta

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
    # nginx sets X-Real-IP from the connecting address; a client cannot forge it past the proxy.
    return request.headers.get("X-Real-IP") or request.META.get("REMOTE_ADDR", "")
