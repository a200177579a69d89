"""Single sign-on through an organisation's own identity provider, on django-allauth's social accounts.

An owner connects an OpenID Connect issuer (Microsoft Entra ID, Google Workspace, Keycloak...) or a
SAML 2.0 identity provider for the organisation's email domain. Someone of that domain signs in
there; allauth checks the answer (for OpenID Connect this module also insists on the ID token's
signature, which allauth may skip); the adapter then links the account with the same email or makes
one, and gives it a membership with the connection's role. Every refused answer is logged.
"""

from __future__ import annotations

import logging
import re
import secrets
from urllib.parse import urlsplit

import requests
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scopes_disabled

from apps.audit.services import Actor, audit_append
from apps.core import outbound
from apps.core.middleware import client_ip
from apps.core.rls import tenant_rows
from apps.core.words import later, listing

from .models import AbuseEvent, Membership, Role, SsoConnection, User
from .permissions import can

log = logging.getLogger(__name__)
DOMAIN = re.compile(r"^(?=.{3,120}$)[a-z0-9-]+(\.[a-z0-9-]+)+$")
SESSION_CONNECTION = "sso_connection_id"


# Configuration ------------------------------------------------------------------------------------


def _url_problem(url: str) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return _("Give a full address starting with https://.")
    if parts.scheme != "https" and not settings.SSO_ALLOW_HTTP:
        return _("The identity provider must use https.")
    return None


def _discover(issuer: str) -> dict:
    """The issuer's OpenID configuration, or a ValidationError saying why it cannot be used."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        with outbound.session() as session:
            response = session.get(url)
        response.raise_for_status()
        config = response.json()
    except outbound.Refused as error:
        raise ValidationError({"issuer": str(error)}) from error
    except (requests.RequestException, ValueError) as error:
        # One message whatever went wrong: the answer must not tell a port scan what listens where.
        raise ValidationError({"issuer": _("The issuer could not be reached or did not answer with its "
                                           "configuration.")}) from error
    if not isinstance(config, dict):
        raise ValidationError({"issuer": _("The issuer could not be reached or did not answer with its configuration.")})
    missing = [k for k in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri") if not config.get(k)]
    if missing:
        raise ValidationError({"issuer": _("The issuer's configuration lacks %(names)s.") % {"names": listing(missing)}})
    if config["issuer"].rstrip("/") != issuer.rstrip("/"):
        raise ValidationError({"issuer": _("The issuer calls itself %(issuer)s; use that address.") % {
            "issuer": config["issuer"]}})
    return config


def _certificate_problem(pem: str) -> str | None:
    from cryptography import x509

    body = re.sub(r"-----(BEGIN|END) CERTIFICATE-----|\s", "", pem or "")
    try:
        x509.load_pem_x509_certificate(
            f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n".encode())
    except ValueError:
        return _("Paste the identity provider's signing certificate (PEM).")
    return None


@transaction.atomic
def connection_create(*, membership: Membership, name: str, protocol: str, email_domain: str, role: Role,
                      require_sso: bool = False, issuer: str = "", client_id: str = "", client_secret: str = "",
                      idp_entity_id: str = "", idp_sso_url: str = "", idp_certificate: str = "") -> SsoConnection:
    """Connect the organisation's identity provider; checks what can be checked before saving."""
    if not can(membership, "tenant.manage"):
        raise PermissionDenied
    from apps.core.limits import ensure_feature

    ensure_feature(membership.tenant_id, "sso")
    errors: dict[str, str] = {}
    name, email_domain = name.strip(), email_domain.strip().lower().lstrip("@")
    if not name:
        errors["name"] = _("Name the connection (it is what the sign-in button says).")
    if not DOMAIN.match(email_domain):
        errors["email_domain"] = _("Give the email domain, e.g. greenacres.co.ke.")
    elif SsoConnection.objects.filter(email_domain=email_domain, tenant_id=membership.tenant_id).exists():
        errors["email_domain"] = _("This organisation already has a connection for that domain.")
    elif SsoConnection.objects.filter(email_domain=email_domain).exclude(verified_at=None).exists():
        errors["email_domain"] = _("Another organisation has proved it holds that domain.")
    if role.tenant_id != membership.tenant_id or role.key == "owner":
        errors["role"] = _("Pick a role of this organisation other than Owner.")
    if protocol == SsoConnection.Protocol.OIDC:
        if problem := _url_problem(issuer):
            errors["issuer"] = problem
        if not client_id.strip():
            errors["client_id"] = _("Give the client id the identity provider issued.")
        if not client_secret.strip():
            errors["client_secret"] = _("Give the client secret.")
    elif protocol == SsoConnection.Protocol.SAML:
        if not idp_entity_id.strip():
            errors["idp_entity_id"] = _("Give the identity provider's entity id.")
        if problem := _url_problem(idp_sso_url):
            errors["idp_sso_url"] = problem
        if problem := _certificate_problem(idp_certificate):
            errors["idp_certificate"] = problem
    else:
        errors["protocol"] = _("Pick OpenID Connect or SAML 2.0.")
    if errors:
        raise ValidationError(errors)
    # Organisation and domain name the provider in the sign-in addresses (several may claim a domain; one proves it).
    slug = f"sso-{membership.tenant_id}-" + re.sub(r"[^a-z0-9]+", "-", email_domain).strip("-")
    if protocol == SsoConnection.Protocol.OIDC:
        _discover(issuer)
        app = SocialApp.objects.create(provider="openid_connect", provider_id=slug, name=name[:40],
                                       client_id=client_id.strip(), secret=client_secret.strip(),
                                       settings={"server_url": issuer.rstrip("/"), "fetch_userinfo": True})
    else:
        app = SocialApp.objects.create(provider="saml", provider_id=slug, name=name[:40], client_id=slug, settings={
            "idp": {"entity_id": idp_entity_id.strip(), "sso_url": idp_sso_url.strip(),
                    "x509cert": idp_certificate.strip()},
            "advanced": {"want_assertion_signed": True, "allow_single_label_domains": settings.SSO_ALLOW_HTTP,
                         "reject_idp_initiated_sso": True},
        })
    connection = SsoConnection.objects.create(tenant_id=membership.tenant_id, name=name, protocol=protocol, app=app,
                                              email_domain=email_domain, require_sso=require_sso, role=role,
                                              verification_token=secrets.token_urlsafe(24))
    audit_append(actor=Actor.of(membership), action="sso.create", obj=connection, permission="tenant.manage",
                 after={"protocol": protocol, "email_domain": email_domain, "require_sso": require_sso,
                        "role": role.key, "issuer": issuer or idp_entity_id})
    from .security import alert_owners

    alert_owners(tenant_id=membership.tenant_id, title=later(gettext_lazy("Single sign-on connected: %(name)s"), name=name),
                 body=later(gettext_lazy("%(member)s connected %(name)s for @%(domain)s."), member=str(membership), name=name,
                            domain=email_domain), url="/organisation/sso/")
    return connection


@transaction.atomic
def connection_verify(*, membership: Membership, connection: SsoConnection) -> SsoConnection:
    """Look for the connection's TXT record; with it the connection starts signing people of the domain in.

    A ValidationError says what was looked for and why it does not count yet."""
    if not can(membership, "tenant.manage") or connection.tenant_id != membership.tenant_id:
        raise PermissionDenied
    if connection.verified_at is not None:
        return connection
    found = outbound.txt_records(connection.txt_name)
    if connection.txt_value not in [value.strip() for value in found]:
        raise ValidationError(_("No TXT record %(value)s at %(name)s yet. DNS changes can take an hour to be seen; "
                                "try again later.") % {"value": connection.txt_value, "name": connection.txt_name})
    # Lock the domain's connections so two organisations proving it at once cannot both succeed.
    claims = list(SsoConnection.objects.select_for_update().filter(email_domain=connection.email_domain))
    if any(claim.verified_at is not None for claim in claims):
        raise ValidationError(_("Another organisation has proved it holds that domain."))
    connection.verified_at = timezone.now()
    connection.save(update_fields=["verified_at"])
    audit_append(actor=Actor.of(membership), action="sso.verify", obj=connection, permission="tenant.manage",
                 after={"email_domain": connection.email_domain, "record": connection.txt_name})
    from .security import alert_owners

    alert_owners(tenant_id=membership.tenant_id, title=later(gettext_lazy("Single sign-on verified: %(name)s"), name=connection.name),
                 body=later(gettext_lazy("People of @%(domain)s now sign in through %(name)s."), name=connection.name,
                            domain=connection.email_domain), url="/organisation/sso/")
    return connection


@transaction.atomic
def connection_delete(*, membership: Membership, connection: SsoConnection) -> None:
    if not can(membership, "tenant.manage") or connection.tenant_id != membership.tenant_id:
        raise PermissionDenied
    audit_append(actor=Actor.of(membership), action="sso.delete", obj=connection, permission="tenant.manage",
                 before={"email_domain": connection.email_domain})
    SocialApp.objects.filter(pk=connection.app_id).delete()  # the connection goes with it


def connections_of(membership: Membership):
    return SsoConnection.objects.filter(tenant_id=membership.tenant_id).select_related("app", "role")


def get_connection_for(membership: Membership, pk: int) -> SsoConnection:
    connection = connections_of(membership).filter(pk=pk).first()
    if connection is None:
        raise Http404
    return connection


def connection_for_email(email: str) -> SsoConnection | None:
    domain = (email or "").rsplit("@", 1)[-1].strip().lower()
    if not domain:
        return None
    with scopes_disabled():
        return (SsoConnection.objects.filter(email_domain=domain).exclude(verified_at=None)
                .select_related("app", "role", "tenant").first())


def connection_to_link(user) -> SsoConnection | None:
    """The verified connection of the user's email domain, when their account is not linked to it yet."""
    from allauth.socialaccount.models import SocialAccount

    connection = connection_for_email(user.email)
    if connection is None or SocialAccount.objects.filter(user=user, provider=connection.app.provider_id).exists():
        return None
    return connection


def connection_for_app(app) -> SsoConnection | None:
    if app is None or app.pk is None:
        return None
    with scopes_disabled():
        return SsoConnection.objects.filter(app_id=app.pk).select_related("role", "tenant").first()


def login_url(connection: SsoConnection) -> str:
    from django.urls import reverse

    if connection.protocol == SsoConnection.Protocol.OIDC:
        return reverse("openid_connect_login", kwargs={"provider_id": connection.app.provider_id})
    return reverse("saml_login", kwargs={"organization_slug": connection.app.client_id})


# Signing in ---------------------------------------------------------------------------------------


def _refuse(request, reason: str, *, provider: str = "", email: str = "") -> None:
    log.warning("single sign-on refused (%s): %s", provider, reason)
    from .security import abuse_record

    abuse_record(ip=client_ip(request), kind=AbuseEvent.Kind.LOGIN_FAILED, detail=f"sso {provider} {email}: {reason}")


class SsoAdapter(DefaultSocialAccountAdapter):
    """Only a verified connection signs people in, only people of its domain, and it never takes over an
    account that is not already its organisation's: someone else's account is linked by its holder,
    signed in with their password (the "connect" process), never by an email address alone."""

    def _email_of(self, sociallogin) -> str:
        addresses = [a.email for a in sociallogin.email_addresses] or [sociallogin.user.email or ""]
        return (addresses[0] or "").strip().lower()

    def _stop(self, request, message: str, reason: str, *, provider: str, email: str):
        _refuse(request, reason, provider=provider, email=email)
        messages.error(request, message)
        raise ImmediateHttpResponse(redirect("account_login"))

    def pre_social_login(self, request, sociallogin):
        connection = connection_for_app(sociallogin.account.get_provider().app)
        email = self._email_of(sociallogin)
        provider = connection.name if connection else sociallogin.account.provider
        if connection is None:
            self._stop(request, _("That sign-in is not connected to an organisation."), "no organisation connection",
                       provider=provider, email=email)
        if connection.verified_at is None:
            self._stop(request, _("%(name)s signs nobody in until its organisation proves it holds @%(domain)s.") % {
                "name": connection.name, "domain": connection.email_domain}, "domain not verified", provider=provider, email=email)
        if not email or email.rsplit("@", 1)[-1] != connection.email_domain:
            self._stop(request, _("%(name)s signs in addresses of @%(email_domain)s only.") % {
                "name": connection.name, "email_domain": connection.email_domain},
                f"address outside @{connection.email_domain}", provider=provider, email=email)
        if sociallogin.state.get("process") == "connect":
            user = request.user
            if not user.is_authenticated or user.email.lower() != email:
                self._stop(request, _("Sign in as %(email)s first, then link it.") % {"email": email},
                           "link by another account", provider=provider, email=email)
            request.session[SESSION_CONNECTION] = connection.pk
            sso_membership_ensure(request, user)  # its holder linked it: they are the organisation's now
            return
        elif not sociallogin.is_existing:
            existing = User.objects.filter(email__iexact=email).first()
            if existing is not None:
                with scopes_disabled():
                    member = Membership.objects.filter(tenant_id=connection.tenant_id, user=existing, is_active=True).exists()
                if not member:
                    self._stop(request, _("An account for %(email)s already exists. Sign in with its password, then link "
                                          "%(name)s from your profile.") % {"email": email, "name": connection.name},
                               "existing account outside the organisation", provider=provider, email=email)
                sociallogin.connect(request, existing)  # already the organisation's member: link and sign in
        request.session[SESSION_CONNECTION] = connection.pk

    def get_requests_session(self):
        """allauth's requests to the identity provider (discovery, keys, tokens, user info) go through the
        guarded client, as every request to an address a tenant gave does."""
        return outbound.session()

    def is_open_for_signup(self, request, sociallogin):
        return request.session.get(SESSION_CONNECTION) is not None

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        _refuse(request, f"{error}: {exception!r}"[:200], provider=getattr(provider, "id", str(provider)))
        super().on_authentication_error(request, provider, error=error, exception=exception, extra_context=extra_context)


def sso_membership_ensure(request, user: User) -> Membership | None:
    """After a single sign-on, the person is a member of the connection's organisation (made once)."""
    connection_id = request.session.pop(SESSION_CONNECTION, None)
    if connection_id is None:
        return None
    connection = SsoConnection.objects.filter(pk=connection_id).first()  # not an organisation's row: its role is
    if connection is None:
        return None
    # Someone signed in to another organisation links this one's sign-in: its rows, not the request's.
    with scopes_disabled(), tenant_rows(connection.tenant_id):
        from apps.core.limits import room_problem

        known = Membership.objects.filter(tenant_id=connection.tenant_id, user=user).exists()
        if not known and (problem := room_problem(connection.tenant_id, "members")):
            from django.contrib import messages

            messages.error(request, _("%(problem)s Ask an owner of the organisation to make room or choose a bigger plan.") % {"problem": problem})
            return None
        membership, created = Membership.objects.select_related("role", "user").get_or_create(
            tenant_id=connection.tenant_id, user=user, defaults={"role": connection.role, "all_farms": True})
        if created:
            from .access import access_changed

            access_changed(connection.tenant_id, only_if_used=True)
            audit_append(actor=Actor.of(membership), action="membership.sso_join", obj=membership,
                         after={"connection": connection.name, "role": connection.role.key})
    from .middleware import SESSION_TENANT

    request.session[SESSION_TENANT] = connection.tenant_id
    return membership


def password_refused_for(email: str) -> str | None:
    """Why a password may not sign this address in (its domain requires single sign-on), or None."""
    connection = connection_for_email(email)
    if connection is not None and connection.require_sso:
        return _("Addresses of @%(domain)s sign in through %(name)s: use “Sign in with your organisation”.") % {
            "domain": connection.email_domain, "name": connection.name}
    return None


# OpenID Connect with the ID token's signature always checked ------------------------------------------


class StrictOIDCAdapter(OpenIDConnectOAuth2Adapter):
    """allauth may skip the ID token's signature when it fetched the token itself; iFarm does not."""

    def _decode_id_token(self, app, id_token: str) -> dict:
        return jwtkit.verify_and_decode(credential=id_token, keys_url=self.openid_config["jwks_uri"],
                                        issuer=self.openid_config["issuer"], audience=app.client_id,
                                        lookup_kid=jwtkit.lookup_kid_jwk, verify_signature=True)


def oidc_login(request, provider_id):
    try:
        return OAuth2LoginView.adapter_view(StrictOIDCAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist as error:
        raise Http404 from error


def oidc_callback(request, provider_id):
    try:
        return OAuth2CallbackView.adapter_view(StrictOIDCAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist as error:
        raise Http404 from error
