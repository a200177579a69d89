from datetime import timedelta

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.middleware import client_ip

from .models import AbuseEvent, LoginFailure
from .security import abuse_record, device_seen_at_login, login_failed
from .sso import password_refused_for, sso_membership_ensure

FAILURE_WINDOW = timedelta(minutes=15)


class AccountAdapter(DefaultAccountAdapter):
    """Adds a database-backed login limit beside allauth's cache-backed one.

    allauth counts failures in the cache; if Redis is down those counts vanish, so failures are
    also kept in the database and checked here, and the limit holds either way.
    """

    def pre_authenticate(self, request, **credentials):
        email = (credentials.get("email") or credentials.get("username") or "").strip().lower()
        try:
            if refused := password_refused_for(email):
                raise ValidationError(refused)
            super().pre_authenticate(request, **credentials)
            since = timezone.now() - FAILURE_WINDOW
            if email and LoginFailure.objects.filter(email=email, created_at__gte=since).count() >= settings.LOGIN_FAILURE_LIMIT:
                raise ValidationError(_("Too many failed login attempts. Try again in 15 minutes or reset your password."))
        except ValidationError:
            # A refused attempt is still an attempt: it counts against the address.
            abuse_record(ip=client_ip(request), kind=AbuseEvent.Kind.LOGIN_FAILED, detail=f"refused: {email}"[:300])
            raise

    def authentication_failed(self, request, **credentials):
        super().authentication_failed(request, **credentials)
        email = (credentials.get("email") or credentials.get("username") or "").strip().lower()
        if email:
            LoginFailure.objects.create(email=email[:254], ip=client_ip(request) or None)
        login_failed(request, email)

    def get_client_ip(self, request) -> str:
        # allauth's rate limits count per address: the same address the audit log records.
        return client_ip(request) or super().get_client_ip(request)

    def login(self, request, user):
        super().login(request, user)
        LoginFailure.objects.filter(email=user.email.lower()).delete()
        device_seen_at_login(request, user)
        sso_membership_ensure(request, user)
