import zoneinfo

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth import middleware as auth_middleware
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from apps.core.rls import working_for

from .backends import RENAMED
from .models import User
from .selectors import membership_for_request

SESSION_TENANT = "tenant_id"
SESSION_FARM = "farm_id"


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, after moving a session signed in through a backend that has been renamed to its new name
    (the session stays signed in)."""

    def process_request(self, request):
        if settings.SESSION_COOKIE_NAME in request.COOKIES:  # no session, nothing to rename (and no Vary: Cookie)
            renamed = RENAMED.get(request.session.get(BACKEND_SESSION_KEY))
            if renamed is not None:
                request.session[BACKEND_SESSION_KEY] = renamed
        super().process_request(request)


class TenantMiddleware:
    """Set `request.tenant` and `request.membership`, and hold the tenant scope for the request.

    Views still filter by tenant through selectors; the scope is the fail-closed guard that makes
    any query which forgot to do so raise. The admin is for platform staff and sees all tenants.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        request.tenant = None
        request.memberships = []
        if request.path.startswith("/admin/"):
            with scopes_disabled():
                return self.get_response(request)
        user = request.user
        api_key = getattr(request, "api_key", None)
        if api_key is not None:
            # An API key acts through its own membership (set by the API's middleware, before this one).
            request.membership, request.tenant = api_key.membership, api_key.membership.tenant
        elif getattr(request, "api_problem", ""):
            pass  # a key was sent and refused: the request is anonymous, whatever its cookies say
        elif user.is_authenticated:
            membership, request.memberships = membership_for_request(user, request.session.get(SESSION_TENANT))
            if membership is not None:
                request.membership = membership
                request.tenant = membership.tenant
                _share_profile(membership.user, user)
                if request.session.get(SESSION_TENANT) != membership.tenant_id:
                    request.session[SESSION_TENANT] = membership.tenant_id
        # Times are stored in UTC and shown in the member's own time zone, else the organisation's;
        # the member's language, when they chose one, wins over the browser's.
        profile = _profile(request.membership)
        zone_name = (profile and profile.time_zone) or (request.tenant.time_zone if request.tenant else "")
        zone = _zone(zone_name) if zone_name else None
        if zone is not None:
            timezone.activate(zone)
        # The member's language, else the organisation's, else the browser's (LocaleMiddleware chose that one).
        language = (profile and profile.language) or (request.tenant.language if request.tenant else "")
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        try:
            # An empty list scopes to no tenant at all: anonymous requests see no tenant rows. The
            # database is narrowed to the same tenant (row-level security, apps/core/rls.py).
            if request.tenant is None:
                with scope(tenant=[]):
                    return self.get_response(request)
            with working_for(request.tenant.pk):
                return self.get_response(request)
        finally:
            timezone.deactivate()


def _share_profile(loaded, user) -> None:
    """Give the request's user the profile read with the membership, so the layout's name costs no query."""
    profile_cache = User.profile.related.cache_name
    if loaded.pk == user.pk and profile_cache in loaded._state.fields_cache:
        user._state.fields_cache.setdefault(profile_cache, loaded._state.fields_cache[profile_cache])


def _profile(membership):
    """The member's profile, loaded with the membership (no query of its own)."""
    if membership is None:
        return None
    try:
        return membership.user.profile
    except ObjectDoesNotExist:
        return None


def _zone(name: str):
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


SECOND_FACTOR_ROLES = ("owner", "manager")
SESSION_SECOND_FACTOR = "second_factor_ok"
OPEN_WITHOUT_SECOND_FACTOR = ("/accounts/", "/static/", "/healthz", "/api/", "/robots.txt", "/favicon")


class SecondFactorMiddleware:
    """Where the organisation requires it, owners and managers set up a second factor (an app code
    or a passkey) before anything else; the sign-in pages and the set-up pages stay open."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        membership = request.membership
        if (membership is not None and request.tenant.require_second_factor and not membership.is_service
                and membership.role.key in SECOND_FACTOR_ROLES and not request.path.startswith(OPEN_WITHOUT_SECOND_FACTOR)
                and not request.session.get(SESSION_SECOND_FACTOR)):
            from allauth.mfa.models import Authenticator

            if not Authenticator.objects.filter(user_id=membership.user_id).exclude(
                    type=Authenticator.Type.RECOVERY_CODES).exists():
                from django.contrib import messages
                from django.shortcuts import redirect

                messages.warning(request, _("%(organisation)s asks owners and managers to use a second factor. Add a passkey or "
                                            "an authenticator app to go on.") % {"organisation": request.tenant.name})
                return redirect("mfa_index")
            request.session[SESSION_SECOND_FACTOR] = True
        return self.get_response(request)
