"""Per-request metadata (request id, client IP, user agent) for logs and the audit log.

This is metadata about the request only; tenant and membership are always passed explicitly.
"""

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestMeta:
    request_id: str = ""
    ip: str = ""
    user_agent: str = ""


_current: contextvars.ContextVar[RequestMeta] = contextvars.ContextVar("request_meta", default=RequestMeta())


def current_request_meta() -> RequestMeta:
    return _current.get()


def set_request_meta(meta: RequestMeta) -> contextvars.Token:
    return _current.set(meta)


def reset_request_meta(token: contextvars.Token) -> None:
    _current.reset(token)
