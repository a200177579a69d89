"""API keys: made by an owner, shown once, stored hashed, revoked; each acts through a membership of its own."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import Membership, Profile, Role, User
from apps.accounts.people import people_changed
from apps.accounts.permissions import CATALOGUE, can, permissions_of
from apps.accounts.security import alert_owners
from apps.accounts.selectors import API_ROLE_PREFIX
from apps.audit.services import Actor, audit_append
from apps.core.words import later, listing

from .models import KEY_PREFIX, ApiKey


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_token(token: str) -> tuple[int, str] | None:
    """(tenant id, lookup) of a token shaped ifk_<tenant>_<lookup>_<random>, else None."""
    if not token.startswith(KEY_PREFIX):
        return None
    parts = token[len(KEY_PREFIX):].split("_")
    if len(parts) != 3 or not parts[0].isdigit() or len(parts[0]) > 12 or not parts[1].isalnum():
        return None
    return int(parts[0]), parts[1]


@transaction.atomic
def api_key_create(*, membership, name: str, role: Role | None = None, permissions: list[str] | None = None,
                   all_farms: bool = True, farms=(), expires_at: dt.datetime | None = None) -> tuple[ApiKey, str]:
    """Make a key; returns it with its secret, which is shown this once and stored only as a hash.

    The key holds a role of the organisation, or a set of permissions of its own (a hidden role);
    nobody gives a key what they do not hold themselves.
    """
    if not can(membership, "tenant.manage"):
        raise PermissionDenied
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Name the key after the program that uses it.")
    elif ApiKey.objects.filter(tenant_id=membership.tenant_id, name__iexact=name, revoked_at=None).exists():
        errors["name"] = _("A key called %(name)s is in use; revoke it first or pick another name.") % {"name": name}
    held = permissions_of(membership)
    if role is not None:
        if role.tenant_id != membership.tenant_id or role.key.startswith(API_ROLE_PREFIX):
            errors["role"] = _("Pick a role of this organisation.")
        elif not set(role.permissions) <= held:
            errors["role"] = _("This role holds permissions you do not have.")
    else:
        permissions = sorted(set(permissions or []))
        if not permissions:
            errors["permissions"] = _("Pick a role, or the permissions the key may use.")
        elif unknown := [p for p in permissions if p not in CATALOGUE]:
            errors["permissions"] = _("Unknown permissions: %(names)s.") % {"names": listing(unknown)}
        elif not set(permissions) <= held:
            errors["permissions"] = _("You cannot give a key permissions you do not have.")
    farms = list(farms)
    if not all_farms:
        if not farms:
            errors["farms"] = _("Pick the farms the key may reach, or all farms.")
        elif any(f.tenant_id != membership.tenant_id for f in farms):
            errors["farms"] = _("Pick farms of this organisation.")
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = _("The expiry must be in the future.")
    if errors:
        raise ValidationError(errors)

    lookup = secrets.token_hex(4)
    secret = f"{KEY_PREFIX}{membership.tenant_id}_{lookup}_{secrets.token_urlsafe(32).replace('_', 'x')}"
    if role is None:
        role = Role.objects.create(tenant_id=membership.tenant_id, key=f"{API_ROLE_PREFIX}{lookup}", name=f"API key {name}"[:60],
                                   permissions=permissions)
    user = User.objects.create_user(email=f"api-key-{lookup}@keys.ifarm.invalid", password=None, is_active=False)
    Profile.objects.update_or_create(user=user, defaults={"full_name": f"API key {name}"[:120]})
    acting = Membership.objects.create(tenant_id=membership.tenant_id, user=user, role=role, all_farms=all_farms, is_service=True)
    if not all_farms:
        acting.farms.set(farms)
    key = ApiKey.objects.create(tenant_id=membership.tenant_id, name=name, lookup=lookup, secret_hash=secret_hash(secret),
                                membership=acting, expires_at=expires_at, created_by=membership)
    audit_append(actor=Actor.of(membership), action="api.key_create", obj=key, permission="tenant.manage",
                 after={"name": name, "role": role.name, "all_farms": all_farms, "farms": [f.pk for f in farms],
                        "expires_at": expires_at})
    alert_owners(tenant_id=membership.tenant_id, title=later(gettext_lazy("API key created: %(name)s"), name=name),
                 body=later(gettext_lazy("%(member)s created the API key “%(name)s” (%(role)s)."), member=str(membership), name=name,
                            role=role.name), url="/integrations/")
    return key, secret


@transaction.atomic
def api_key_revoke(*, membership, key: ApiKey) -> ApiKey:
    if not can(membership, "tenant.manage") or key.tenant_id != membership.tenant_id:
        raise PermissionDenied
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        Membership.objects.filter(pk=key.membership_id).update(is_active=False)
        people_changed(Membership.objects.filter(pk=key.membership_id).values_list("user_id", flat=True))
        audit_append(actor=Actor.of(membership), action="api.key_revoke", obj=key, permission="tenant.manage",
                     after={"name": key.name})
    return key


def api_key_touch(key: ApiKey, ip: str | None) -> None:
    """Note when and from where the key was last used (at most once a minute, to spare the writes)."""
    now = timezone.now()
    if key.last_used_at and now - key.last_used_at < dt.timedelta(minutes=1) and key.last_used_ip == ip:
        return
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=now, last_used_ip=ip)
