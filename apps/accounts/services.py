"""Writes for organisations, memberships and invitations."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_scopes import scope

from apps.audit.services import Actor, audit_append, changed, snapshot
from apps.core.outbox import handler, outbox_enqueue
from apps.core.words import later, listing

from .access import access_changed
from .models import Invitation, Membership, Policy, Profile, Role, Tenant, User
from .people import tenant_people_changed
from .permissions import BUILTIN_ROLES, CATALOGUE, can, permissions_of
from .security import alert_owners

INVITATION_LIFETIME = timedelta(days=7)


def _unique_slug(name: str) -> str:
    base = slugify(name)[:120] or "farm"
    slug, n = base, 1
    while Tenant.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


_SET_UP_STEPS: list[Callable[..., None]] = []


def tenant_setup_register(step: Callable[..., None]) -> None:
    """What an app above this one adds to every new organisation (its default categories, the plan's trial):
    `step(tenant=...)`, run inside the organisation's creation, so a failed step creates nothing."""
    if step not in _SET_UP_STEPS:
        _SET_UP_STEPS.append(step)


@transaction.atomic
def tenant_create(
    *, owner: User, name: str, country: str, currency: str, milk_unit: str, time_zone: str
) -> tuple[Tenant, Membership]:
    """Create an organisation with its built-in roles and `owner` as its first Owner."""
    tenant = Tenant.objects.create(
        name=name.strip(),
        slug=_unique_slug(name),
        country=country.upper(),
        currency=currency.upper(),
        milk_unit=milk_unit,
        time_zone=time_zone,
    )
    with scope(tenant=tenant):
        Role.objects.bulk_create(
            Role(tenant=tenant, key=key, name=label, permissions=perms, is_builtin=True)
            for key, (label, perms) in BUILTIN_ROLES.items()
        )
        owner_role = Role.objects.get(tenant=tenant, key="owner")
        membership = Membership.objects.create(tenant=tenant, user=owner, role=owner_role, all_farms=True)
        # As before policies: a manager's approval waits for an owner until an owner sets a limit.
        Policy.objects.create(tenant=tenant, name="Manager approval limit", role=Role.objects.get(tenant=tenant, key="manager"),
                              permissions=["finance.approve_expense"], amount_limit=0)
        access_changed(tenant.pk)
        for step in _SET_UP_STEPS:
            step(tenant=tenant)
        audit_append(
            actor=Actor.of(membership),
            action="tenant.create",
            obj=tenant,
            after=snapshot(tenant),
        )
    return tenant, membership


@transaction.atomic
def tenant_update(*, membership: Membership, name: str, country: str, currency: str, milk_unit: str, time_zone: str,
                  other_gestation_days: int | None = None, require_second_factor: bool | None = None,
                  language: str | None = None, voluntary_waiting_days: int | None = None,
                  inbreeding_warn_percent: Decimal | None = None) -> Tenant:
    if not can(membership, "tenant.manage"):
        raise PermissionDenied
    tenant = Tenant.objects.select_for_update().get(pk=membership.tenant_id)
    before = snapshot(tenant)
    tenant.name, tenant.country, tenant.currency = name.strip(), country.upper(), currency.upper()
    tenant.milk_unit, tenant.time_zone, tenant.other_gestation_days = milk_unit, time_zone, other_gestation_days
    if require_second_factor is not None:
        tenant.require_second_factor = require_second_factor
    if language is not None:
        tenant.language = language
    if voluntary_waiting_days is not None:
        tenant.voluntary_waiting_days = voluntary_waiting_days
    if inbreeding_warn_percent is not None:
        tenant.inbreeding_warn_percent = inbreeding_warn_percent
    tenant.save(update_fields=["name", "country", "currency", "milk_unit", "time_zone", "other_gestation_days",
                               "require_second_factor", "language", "voluntary_waiting_days",
                               "inbreeding_warn_percent"])
    access_changed(tenant.pk, only_if_used=True)
    audit_append(actor=Actor.of(membership), action="tenant.update", obj=tenant, before=before, after=snapshot(tenant))
    return tenant


def profile_for(user: User) -> Profile:
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile


PROFILE_FIELDS = ("full_name", "phone", "language", "time_zone", "photo")


@transaction.atomic
def profile_update(*, membership, profile: Profile, **values) -> Profile:
    """Save a person's own profile; audited in the organisation they are working in."""
    stored = Profile.objects.select_for_update().get(pk=profile.pk)  # the profile may come from a bound form
    before = {name: str(getattr(stored, name)) for name in PROFILE_FIELDS}
    for name, value in values.items():
        if name not in PROFILE_FIELDS:
            raise TypeError(f"profile has no field {name}")
        setattr(profile, name, value)
    profile.save(update_fields=list(values))
    after = {name: str(getattr(profile, name)) for name in PROFILE_FIELDS}
    diff_before, diff_after = changed(before, after)
    if membership is not None and diff_after:
        audit_append(actor=Actor.of(membership), action="profile.update", obj=profile, before=diff_before, after=diff_after)
    return profile


@transaction.atomic
def user_create_invited(*, email: str, full_name: str, password: str) -> User:
    """An account for someone who came through an invitation: the link already proved the email."""
    from allauth.account.models import EmailAddress

    user = User.objects.create_user(email=email, password=password)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    profile = profile_for(user)
    profile.full_name = full_name
    profile.save(update_fields=["full_name"])
    return user


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def invitation_link_token(invitation: Invitation, secret: str) -> str:
    return f"{invitation.pk}-{secret}"


@transaction.atomic
def invitation_create(*, membership: Membership, email: str, role: Role, all_farms: bool, farms, link_for) -> Invitation:
    """Invite `email` with a role and farm scope; the email with the one-time link goes via the outbox.

    `link_for(token)` makes the absolute link; only the token's hash is kept on the invitation,
    and the outbox row forgets the link once the email is sent.
    """
    if not can(membership, "team.manage"):
        raise PermissionDenied
    if role.tenant_id != membership.tenant_id or any(f.tenant_id != membership.tenant_id for f in farms):
        raise ValidationError(_("The role and farms must belong to this organisation."))
    _owners_only(membership, role)
    email = email.strip().lower()
    if Membership.objects.filter(tenant_id=membership.tenant_id, user__email__iexact=email, is_active=True).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    if not all_farms and not farms:
        raise ValidationError({"farms": _("Pick at least one farm, or give access to all farms.")})
    from apps.core.limits import ensure_room

    ensure_room(membership.tenant_id, "members")
    if beyond := _beyond_own(membership, role.permissions):
        raise ValidationError({"role": _("You cannot give access you do not hold yourself (%(names)s).") % {
            "names": listing(beyond)}})
    secret = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        tenant_id=membership.tenant_id,
        email=email,
        role=role,
        all_farms=all_farms,
        token_hash=_token_hash(secret),
        invited_by=membership.user,
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    if not all_farms:
        invitation.farms.set(farms)
    audit_append(
        actor=Actor.of(membership),
        action="invitation.create",
        obj=invitation,
        after={"email": email, "role": role.key, "all_farms": all_farms, "farms": sorted(f.pk for f in farms)},
        permission="team.manage",
    )
    outbox_enqueue(
        tenant_id=membership.tenant_id,
        kind="invitation.email",
        payload={"invitation_id": invitation.pk, "link": link_for(invitation_link_token(invitation, secret)),
                 "inviter": membership.user.display_name, "language": translation.get_language() or ""},
    )
    return invitation


def invitation_from_token(token: str) -> Invitation | None:
    """The invitation a link token names, whatever its state, or None if the token is wrong."""
    pk, _sep, secret = token.partition("-")
    if not pk.isdigit() or not secret:
        return None
    invitation = Invitation.objects.unscoped().select_related("tenant", "role").filter(pk=int(pk)).first()
    if invitation is None or not secrets.compare_digest(invitation.token_hash, _token_hash(secret)):
        return None
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    """Turn a valid invitation into a membership for `user`; a link works once, for 7 days."""
    found = invitation_from_token(token)
    if found is None:
        raise ValidationError(_("This invitation link is not valid."))
    with scope(tenant=found.tenant):
        # Lock the row so two clicks of one link make one membership.
        invitation = Invitation.objects.select_for_update().get(pk=found.pk)
        if invitation.accepted_at is not None:
            raise ValidationError(_("This invitation has already been used."))
        if invitation.revoked_at is not None:
            raise ValidationError(_("This invitation was withdrawn."))
        if invitation.expires_at <= timezone.now():
            raise ValidationError(_("This invitation has expired. Ask for a new one."))
        if invitation.email.lower() != user.email.lower():
            raise ValidationError(_("This invitation is for %(email)s. Log in with that address to accept it.") % {"email": invitation.email})
        membership, created = Membership.objects.get_or_create(
            tenant_id=invitation.tenant_id,
            user=user,
            defaults={"role": invitation.role, "all_farms": invitation.all_farms},
        )
        if not created:
            if membership.is_active:
                raise ValidationError(_("You are already a member of this organisation."))
            membership.role, membership.all_farms, membership.is_active = invitation.role, invitation.all_farms, True
            membership.save(update_fields=["role", "all_farms", "is_active"])
        membership.farms.set(invitation.farms.all())
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_append(
            actor=Actor.of(membership),
            action="invitation.accept",
            obj=invitation,
            after={"membership": membership.pk, "role": invitation.role.key},
        )
        access_changed(invitation.tenant_id, only_if_used=True)
        if invitation.role.key == "owner":
            alert_owners(tenant_id=invitation.tenant_id, title=later(gettext_lazy("New owner: %(email)s"), email=user.email),
                         body=later(gettext_lazy("%(email)s accepted an invitation as an owner of the organisation."),
                                    email=user.email), url="/team/")
    return membership


@transaction.atomic
def invitation_revoke(*, membership: Membership, invitation: Invitation) -> None:
    if not can(membership, "team.manage") or invitation.tenant_id != membership.tenant_id:
        raise PermissionDenied
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_append(actor=Actor.of(membership), action="invitation.revoke", obj=invitation, permission="team.manage")


def _owners_only(membership: Membership, *roles: Role) -> None:
    """Only an owner changes, removes or makes an owner (team.manage alone, a manager's, is not enough)."""
    if any(role.key == "owner" for role in roles) and not membership.is_owner:
        raise PermissionDenied(_("Only an owner can change, remove or make an owner."))


def _owner_count(tenant_id: int) -> int:
    return Membership.objects.filter(tenant_id=tenant_id, role__key="owner", is_active=True, is_service=False).count()


@transaction.atomic
def membership_update(*, membership: Membership, member: Membership, role: Role, all_farms: bool, farms) -> Membership:
    """Change a member's role and farm scope; an organisation always keeps one owner."""
    if not can(membership, "team.manage"):
        raise PermissionDenied
    if member.tenant_id != membership.tenant_id or role.tenant_id != membership.tenant_id:
        raise PermissionDenied
    if any(f.tenant_id != membership.tenant_id for f in farms):
        raise ValidationError({"farms": _("Pick farms of this organisation.")})
    if not all_farms and not farms:
        raise ValidationError({"farms": _("Pick at least one farm, or give access to all farms.")})
    _owners_only(membership, member.role, role)
    # Lock the owners so two demotions at once cannot leave the organisation without one.
    list(Membership.objects.select_for_update().filter(tenant_id=membership.tenant_id, role__key="owner"))
    if member.role.key == "owner" and role.key != "owner" and _owner_count(member.tenant_id) <= 1:
        raise ValidationError({"role": _("The organisation needs at least one owner.")})
    if beyond := _beyond_own(membership, role.permissions):
        raise ValidationError({"role": _("You cannot give access you do not hold yourself (%(names)s).") % {
            "names": listing(beyond)}})
    before = {"role": member.role.key, "all_farms": member.all_farms, "farms": sorted(member.farms.values_list("pk", flat=True))}
    member.role, member.all_farms = role, all_farms
    member.save(update_fields=["role", "all_farms"])
    member.farms.set([] if all_farms else farms)
    after = {"role": role.key, "all_farms": all_farms, "farms": sorted(f.pk for f in ([] if all_farms else farms))}
    access_changed(membership.tenant_id, only_if_used=True)
    if role.key == "owner" and before["role"] != "owner":
        alert_owners(tenant_id=membership.tenant_id, title=later(gettext_lazy("New owner: %(email)s"), email=member.user.email),
                     body=later(gettext_lazy("%(member)s made %(email)s an owner of the organisation."), member=str(membership),
                                email=member.user.email), url="/team/")
    audit_append(
        actor=Actor.of(membership), action="membership.update", obj=member, before=before, after=after, permission="team.manage"
    )
    return member


@transaction.atomic
def membership_remove(*, membership: Membership, member: Membership) -> None:
    if not can(membership, "team.manage") or member.tenant_id != membership.tenant_id:
        raise PermissionDenied
    list(Membership.objects.select_for_update().filter(tenant_id=membership.tenant_id, role__key="owner"))
    _owners_only(membership, member.role)
    if member.role.key == "owner" and _owner_count(member.tenant_id) <= 1:
        raise ValidationError(_("The organisation needs at least one owner; make someone else owner first."))
    member.is_active = False
    member.save(update_fields=["is_active"])
    access_changed(membership.tenant_id, only_if_used=True)
    audit_append(actor=Actor.of(membership), action="membership.remove", obj=member, permission="team.manage")


@handler("invitation.email")
def send_invitation_email(message) -> None:
    """Send the invitation, then drop the link from the stored message (it opens a membership)."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    from apps.core.models import OutboxMessage

    invitation = Invitation.objects.select_related("tenant").get(pk=message.payload["invitation_id"], tenant_id=message.tenant_id)
    link = message.payload.get("link")
    if not link or not invitation.is_usable:
        return  # already sent (the link was dropped), or no longer worth sending
    context = {"tenant_name": invitation.tenant.name, "inviter": message.payload.get("inviter", ""), "link": link}
    # The invitee has no profile yet: the organisation's language, else the inviter's when they invited.
    with translation.override(invitation.tenant.language or message.payload.get("language") or settings.LANGUAGE_CODE):
        subject = _("%(inviter)s invited you to %(organisation)s") % {"inviter": context["inviter"],
                                                                      "organisation": invitation.tenant.name}
        send_mail(subject=f"[iFarm] {subject}", message=render_to_string("accounts/email/invitation.txt", context),
                  from_email=None, recipient_list=[invitation.email])
    OutboxMessage.objects.filter(pk=message.pk).update(payload={"invitation_id": invitation.pk})


# Roles --------------------------------------------------------------------------------------------


def _beyond_own(membership: Membership, permissions) -> list[str]:
    """The permissions in `permissions` that the member does not hold (nobody grants more than that)."""
    return sorted(set(permissions) - permissions_of(membership))


@transaction.atomic
def role_save(*, membership: Membership, role: Role | None = None, name: str, permissions: list[str]) -> Role:
    """Create a custom role, or change a role's name and permissions."""
    if not can(membership, "team.manage"):
        raise PermissionDenied
    if role is not None:
        role = Role.objects.select_for_update().get(pk=role.pk, tenant_id=membership.tenant_id)
    name = name.strip()
    errors = {}
    unknown = set(permissions) - set(CATALOGUE)
    if unknown:
        errors["permissions"] = _("Unknown permissions: %(names)s.") % {"names": listing(sorted(unknown))}
    elif not permissions:
        errors["permissions"] = _("Pick at least one permission.")
    if not name:
        errors["name"] = _("Give the role a name.")
    elif Role.objects.filter(tenant_id=membership.tenant_id, name__iexact=name).exclude(pk=getattr(role, "pk", None)).exists():
        errors["name"] = _("There is already a role called %(name)s.") % {"name": name}
    if beyond := _beyond_own(membership, [*permissions, *(role.permissions if role else [])]):
        errors["permissions"] = _("You cannot give or change access you do not hold yourself (%(names)s).") % {
            "names": listing(beyond)}
    if role is not None and role.key == "owner" and "team.manage" not in permissions:
        errors["permissions"] = _("The Owner role keeps “Invite members, change roles, remove members”.")
    if errors:
        raise ValidationError(errors)
    permissions = [p for p in CATALOGUE if p in set(permissions)]  # catalogue order, no repeats
    if role is None:
        role = Role.objects.create(tenant_id=membership.tenant_id, key=_role_key(membership.tenant_id, name), name=name,
                                   permissions=permissions, is_builtin=False)
        audit_append(actor=Actor.of(membership), action="role.create", obj=role, after={"name": name, "permissions": permissions},
                     permission="team.manage")
        return role
    before = {"name": role.name, "permissions": role.permissions}
    role.name, role.permissions = name, permissions
    role.save(update_fields=["name", "permissions"])
    access_changed(membership.tenant_id, only_if_used=True)
    diff_before, diff_after = changed(before, {"name": name, "permissions": permissions})
    audit_append(actor=Actor.of(membership), action="role.update", obj=role, before=diff_before, after=diff_after,
                 permission="team.manage")
    return role


@transaction.atomic
def role_delete(*, membership: Membership, role: Role) -> None:
    """Delete a custom role that nobody holds and no open invitation offers."""
    if not can(membership, "team.manage") or role.tenant_id != membership.tenant_id:
        raise PermissionDenied
    role = Role.objects.select_for_update().get(pk=role.pk, tenant_id=membership.tenant_id)
    if role.is_builtin:
        raise ValidationError(_("Built-in roles stay; change their permissions instead."))
    held = Membership.objects.filter(tenant_id=membership.tenant_id, role=role, is_active=True).count()
    offered = Invitation.objects.filter(tenant_id=membership.tenant_id, role=role, accepted_at=None, revoked_at=None).count()
    if held or offered:
        raise ValidationError(_("%(role)s is in use (%(members)s, %(invitations)s); give them another role first.") % {
            "role": role.name, "members": ngettext("%(count)s member", "%(count)s members", held) % {"count": held},
            "invitations": ngettext("%(count)s open invitation", "%(count)s open invitations", offered) % {"count": offered}})
    if beyond := _beyond_own(membership, role.permissions):
        raise ValidationError(_("You cannot delete a role with access you do not hold (%(names)s).") % {
            "names": listing(beyond)})
    audit_append(actor=Actor.of(membership), action="role.delete", obj=role, before={"name": role.name,
                 "permissions": role.permissions}, permission="team.manage")
    # Removed members and closed invitations still point at the role; they grant nothing, so they
    # move to the Viewer role and the role itself can go.
    viewer = Role.objects.get(tenant_id=membership.tenant_id, key="viewer")
    Membership.objects.filter(tenant_id=membership.tenant_id, role=role, is_active=False).update(role=viewer)
    tenant_people_changed(membership.tenant_id)
    Invitation.objects.filter(tenant_id=membership.tenant_id, role=role).update(role=viewer)
    role.delete()
    access_changed(membership.tenant_id, only_if_used=True)


def _role_key(tenant_id: int, name: str) -> str:
    base = slugify(name)[:30] or "role"
    key, n = base, 1
    while Role.objects.filter(tenant_id=tenant_id, key=key).exists():
        n += 1
        key = f"{base}-{n}"
    return key
