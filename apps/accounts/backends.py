"""Sign-in backends whose per-request user lookup reads the cache of people (apps/accounts/people.py).

Django asks the backend that signed a session in for its user on every request: a query of its own, about
0.8 ms of a dashboard card's time. These read the user from Redis while the user's version token is unchanged
(any save of the user sets a new one), with the memberships in the same round trip.
"""

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends as django_backends

from . import people


class _CachedUser:
    def get_user(self, user_id):
        return people.user_for(user_id, lambda: super(_CachedUser, self).get_user(user_id))


class ModelBackend(_CachedUser, django_backends.ModelBackend):
    """Email and password, as Django's own."""


class AuthenticationBackend(_CachedUser, allauth_backends.AuthenticationBackend):
    """allauth's sign-in (email, codes, passkeys, SSO)."""


# Sessions signed in before these backends name the ones they extend: renamed on their next request
# (AuthenticationMiddleware) rather than signed out.
RENAMED = {
    "django.contrib.auth.backends.ModelBackend": "apps.accounts.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend": "apps.accounts.backends.AuthenticationBackend",
}
