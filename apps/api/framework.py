"""What every API operation shares: who is asking, problem documents, cursors and the base schema."""

from __future__ import annotations

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as ServiceError
from django.http import Http404
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestError
from ninja.security import HttpBearer, SessionAuth
from pydantic import ConfigDict

from apps.accounts.permissions import decision
from apps.core.http import problem

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
CURSOR_SALT = "api.cursor"


class Strict(Schema):
    """Request bodies refuse fields they do not know (a typo must not be ignored silently)."""

    model_config = ConfigDict(extra="forbid")


class Problem(Schema):
    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    errors: list[dict] = []


# Who is asking ---------------------------------------------------------------------------------------


class KeyAuth(HttpBearer):
    """An API key, found by the middleware before the tenant was chosen."""

    def __call__(self, request):
        key = getattr(request, "api_key", None)
        return request.membership if key is not None and request.membership is not None else None

    def authenticate(self, request, token):  # pragma: no cover (the middleware does the work)
        return None


class MemberSession(SessionAuth):
    """A signed-in member's browser session (same origin; CSRF is checked on writes)."""

    def authenticate(self, request, key):
        if getattr(request, "api_key", None) is None and not getattr(request, "api_problem", "") and request.membership is not None:
            return request.membership
        return None


AUTH = [KeyAuth(), MemberSession()]


def require(request, perm: str, obj=None) -> None:
    """403 unless the caller holds `perm` (on `obj`); objects outside their reach are 404 before this."""
    allowed = decision(request.membership, perm, obj)
    if not allowed:
        raise PermissionDenied(allowed.reason if allowed.policy else _("This needs the permission %(name)s.") % {"name": perm})


# Cursors ---------------------------------------------------------------------------------------------


def encode_cursor(last_id: int) -> str:
    return signing.dumps({"after": last_id}, salt=CURSOR_SALT, compress=True)


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        after = signing.loads(cursor, salt=CURSOR_SALT)["after"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise HttpError(400, _("The cursor is not one this API gave out; start again without it.")) from None
    if not isinstance(after, int) or after < 0:
        raise HttpError(400, _("The cursor is not one this API gave out; start again without it."))
    return after


def page_of(queryset, cursor: str | None, limit: int | None) -> dict:
    """One page in id order after the cursor, with the cursor of the next page (None at the end)."""
    limit = min(max(limit or PAGE_SIZE, 1), MAX_PAGE_SIZE)
    rows = list(queryset.filter(pk__gt=decode_cursor(cursor)).order_by("pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_cursor": encode_cursor(rows[-1].pk) if more and rows else None}


# Errors as problem documents -------------------------------------------------------------------------


def _field(loc) -> str:
    parts = [str(p) for p in loc]
    return ".".join(parts[1:] if len(parts) > 1 and parts[0] in ("body", "query", "path", "form", "file") else parts)


def install_problem_handlers(api) -> None:
    @api.exception_handler(RequestError)
    def invalid_request(request, exc):
        errors = [{"field": _field(e.get("loc", ())), "message": e.get("msg", _("Invalid."))} for e in exc.errors]
        return problem(422, _("The request is not valid."), _("See the errors for each field."), errors)

    @api.exception_handler(ServiceError)
    def refused(request, exc):
        # A service's message may carry a link for the pages (a plan limit's "Choose a bigger plan"): text here.
        if hasattr(exc, "error_dict"):
            errors = [{"field": field if field != "__all__" else "", "message": strip_tags(" ".join(messages))}
                      for field, messages in exc.message_dict.items()]
        else:
            errors = [{"field": "", "message": strip_tags(message)} for message in exc.messages]
        return problem(422, _("The request was refused."), " ".join(e["message"] for e in errors)[:500], errors)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        detail = getattr(request, "api_problem", "") or _("Send an API key (Authorization: Bearer ifk_…) or sign in.")
        return problem(401, _("Not authenticated."), detail, headers={"WWW-Authenticate": 'Bearer realm="ifarm"'})

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return problem(403, _("Not allowed."), str(exc) or _("Your key or role does not allow this."))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return problem(404, _("Not found."), _("Nothing with this id is within your reach."))

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        return problem(exc.status_code, str(exc) or _("Error."), str(exc))
