"""Policies that narrow roles, and delegations that lend a member's permissions for a while."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from apps.audit.services import Actor, audit_append
from apps.core.words import day, later, listing

from .access import PROTECTED, access_changed, lent_to, rules_for
from .models import Delegation, Membership, Policy, Role
from .permissions import CATALOGUE, can, decision, permissions_of

MAX_DELEGATION = timedelta(days=366)


# Reads --------------------------------------------------------------------------------------------


def policies_of(membership: Membership):
    return (Policy.objects.filter(tenant_id=membership.tenant_id)
            .select_related("role", "membership__user__profile").prefetch_related("farms"))


def get_policy_for(membership: Membership, pk: int) -> Policy:
    policy = policies_of(membership).filter(pk=pk).first()
    if policy is None:
        raise Http404
    return policy


def delegations_of(membership: Membership, *, everyone: bool = False):
    """Delegations the member gave or received (every one of the organisation's for a team manager)."""
    rows = Delegation.objects.filter(tenant_id=membership.tenant_id).select_related(
        "delegator__user__profile", "delegate__user__profile", "revoked_by__user__profile")
    if not everyone:
        rows = rows.filter(delegator=membership) | rows.filter(delegate=membership)
    return rows.order_by("-starts_on", "-id")


def get_delegation_for(membership: Membership, pk: int) -> Delegation:
    delegation = delegations_of(membership, everyone=can(membership, "team.manage")).filter(pk=pk).first()
    if delegation is None:
        raise Http404
    return delegation


def effective_access(member: Membership) -> list[dict]:
    """Each permission in the catalogue: whether the member holds it now, from where, and under which
    policies, for the team page."""
    held = permissions_of(member)
    rules = rules_for(member)
    lent = lent_to(member)
    rows = []
    for perm, label in CATALOGUE.items():
        sources = []
        if perm in held:
            sources.append(_("Role: %(role)s") % {"role": member.role.label})
        sources += [_("Delegated by %(member)s until %(day)s") % {"member": x.delegator_name, "day": day(x.ends_on)} for x in lent if perm in x.permissions
                    and perm in x.delegator_permissions]
        if not sources:
            continue
        narrowing = [f"{r.name} ({r.summary()})" for r in rules if r.covers(perm)]
        now = decision(member, perm)
        rows.append({"perm": perm, "label": label, "sources": sources, "policies": narrowing,
                     "allowed_now": now.allowed, "reason": now.reason})
    return rows


# Policies -----------------------------------------------------------------------------------------


@transaction.atomic
def policy_save(*, membership: Membership, policy: Policy | None = None, name: str, role: Role | None,
                member: Membership | None, permissions: list[str], days: list[int], start_time: time | None,
                end_time: time | None, amount_limit: Decimal | None, farms, ends_on: date | None) -> Policy:
    """Create or change a policy; the organisation's owners are told."""
    if not can(membership, "team.manage"):
        raise PermissionDenied
    errors: dict[str, str] = {}
    name = name.strip()
    if not name:
        errors["name"] = _("Give the policy a name.")
    if (role is None) == (member is None):
        errors["role"] = _("Attach the policy to a role or to one member (not both).")
    for target in (role, member):
        if target is not None and target.tenant_id != membership.tenant_id:
            raise PermissionDenied
    if unknown := set(permissions) - set(CATALOGUE):
        errors["permissions"] = _("Unknown permissions: %(names)s.") % {"names": listing(sorted(unknown))}
    if any(d not in range(7) for d in days):
        errors["days"] = _("Pick days of the week.")
    if (start_time is None) != (end_time is None):
        errors["end_time"] = _("Give both the start and the end of the window, or neither.")
    elif start_time is not None and end_time <= start_time:
        errors["end_time"] = _("The window ends before it starts: the end must be later than the start.")
    if amount_limit is not None and amount_limit < 0:
        errors["amount_limit"] = _("The amount limit cannot be below zero.")
    elif amount_limit is not None and amount_limit != amount_limit.quantize(Decimal("0.01")):
        errors["amount_limit"] = _("Give the amount limit to the cent at most.")
    if any(f.tenant_id != membership.tenant_id for f in farms):
        errors["farms"] = _("Pick farms of this organisation.")
    owner_target = (role is not None and role.key == "owner") or (member is not None and member.is_owner)
    covered = set(permissions) or set(CATALOGUE)
    if owner_target and covered & PROTECTED:
        errors["permissions"] = _("A policy on an owner cannot cover managing the team or the organisation: "
                                  "it could lock every owner out.")
    if errors:
        raise ValidationError(errors)
    fields = {"name": name, "role": role, "membership": member,
              "permissions": [p for p in CATALOGUE if p in set(permissions)], "days": sorted(set(days)),
              "start_time": start_time, "end_time": end_time, "amount_limit": amount_limit, "ends_on": ends_on}
    before = None
    if policy is None:
        policy = Policy.objects.create(tenant_id=membership.tenant_id, **fields)
    else:
        policy = Policy.objects.select_for_update().get(pk=policy.pk, tenant_id=membership.tenant_id)
        before = _policy_snapshot(policy)
        for key, value in fields.items():
            setattr(policy, key, value)
        policy.save()
    policy.farms.set(farms)
    after = _policy_snapshot(policy)
    access_changed(membership.tenant_id)
    audit_append(actor=Actor.of(membership), action="policy.update" if before else "policy.create", obj=policy,
                 before=before, after=after, permission="team.manage")
    from .security import alert_owners

    if before:
        title, body = gettext_lazy("Policy changed: %(name)s"), gettext_lazy("%(member)s changed the access policy “%(name)s”.")
    else:
        title, body = gettext_lazy("Policy added: %(name)s"), gettext_lazy("%(member)s added the access policy “%(name)s”.")
    alert_owners(tenant_id=membership.tenant_id, title=later(title, name=policy.name),
                 body=later(body, member=str(membership), name=policy.name), url="/team/policies/")
    return policy


def _policy_snapshot(policy: Policy) -> dict:
    return {"name": policy.name, "role": policy.role_id, "member": policy.membership_id,
            "permissions": policy.permissions, "days": policy.days,
            "window": [str(policy.start_time), str(policy.end_time)] if policy.start_time else None,
            "amount_limit": policy.amount_limit, "farms": sorted(f.pk for f in policy.farms.all()),
            "ends_on": policy.ends_on}


@transaction.atomic
def policy_delete(*, membership: Membership, policy: Policy) -> None:
    if not can(membership, "team.manage") or policy.tenant_id != membership.tenant_id:
        raise PermissionDenied
    before = _policy_snapshot(policy)
    audit_append(actor=Actor.of(membership), action="policy.delete", obj=policy, before=before, permission="team.manage")
    policy.delete()
    access_changed(membership.tenant_id)
    from .security import alert_owners

    alert_owners(tenant_id=membership.tenant_id, title=later(gettext_lazy("Policy removed: %(name)s"), name=before["name"]),
                 body=later(gettext_lazy("%(member)s removed the access policy “%(name)s”."), member=str(membership),
                            name=before["name"]), url="/team/policies/")


@transaction.atomic
def approval_limit_set(*, membership: Membership, limit: Decimal | None) -> Policy | None:
    """The money settings' shortcut: the Manager role's approval limit, kept as a policy."""
    if not membership.is_owner:
        raise PermissionDenied
    manager = Role.objects.get(tenant_id=membership.tenant_id, key="manager")
    existing = Policy.objects.filter(tenant_id=membership.tenant_id, role=manager,
                                     permissions=["finance.approve_expense"]).first()
    if limit is None:
        if existing is not None:
            policy_delete(membership=membership, policy=existing)
        return None
    try:
        return policy_save(membership=membership, policy=existing, name=existing.name if existing else "Manager approval limit",
                           role=manager, member=None, permissions=["finance.approve_expense"], days=[], start_time=None,
                           end_time=None, amount_limit=limit, farms=[], ends_on=None)
    except ValidationError as error:
        raise ValidationError({"limit": [m for ms in error.message_dict.values() for m in ms]}) from error


def approval_limit_of(membership: Membership) -> Decimal | None:
    policy = (Policy.objects.filter(tenant_id=membership.tenant_id, role__key="manager",
                                    permissions=["finance.approve_expense"]).first())
    return policy.amount_limit if policy else None


# Delegations --------------------------------------------------------------------------------------


def today_of(membership: Membership) -> date:
    import zoneinfo

    return timezone.localdate(timezone=zoneinfo.ZoneInfo(membership.tenant.time_zone))


@transaction.atomic
def delegation_create(*, membership: Membership, delegate: Membership | None, permissions: list[str], starts_on: date,
                      ends_on: date, note: str = "") -> Delegation:
    """Lend some or all of the member's own permissions to another member for a period."""
    errors: dict[str, str] = {}
    held = permissions_of(membership)
    if delegate is None:
        errors["delegate"] = _("Pick the member who covers for you.")
    elif delegate.tenant_id != membership.tenant_id or not delegate.is_active or delegate.is_service:
        errors["delegate"] = _("Pick a member of this organisation.")
    elif delegate.pk == membership.pk:
        errors["delegate"] = _("You cannot delegate to yourself.")
    if not permissions:
        errors["permissions"] = _("Pick at least one permission to hand over.")
    elif unknown := set(permissions) - set(CATALOGUE):
        errors["permissions"] = _("Unknown permissions: %(names)s.") % {"names": listing(sorted(unknown))}
    elif lacking := sorted(set(permissions) - held):
        errors["permissions"] = _("You can only hand over what you hold yourself (not %(names)s).") % {
            "names": listing(lacking)}
    elif not membership.is_owner and (protected := sorted(set(permissions) & PROTECTED)):
        errors["permissions"] = _("Only an owner can hand over %(names)s.") % {"names": listing(protected)}
    today = today_of(membership)
    if starts_on < today:
        errors["starts_on"] = _("A delegation cannot start in the past.")
    if ends_on < starts_on:
        errors["ends_on"] = _("The end is before the start.")
    elif ends_on - starts_on > MAX_DELEGATION:
        errors["ends_on"] = _("A delegation lasts a year at most.")
    if errors:
        raise ValidationError(errors)
    delegation = Delegation.objects.create(
        tenant_id=membership.tenant_id, delegator=membership, delegate=delegate,
        permissions=[p for p in CATALOGUE if p in set(permissions)], starts_on=starts_on, ends_on=ends_on,
        note=note.strip()[:200])
    access_changed(membership.tenant_id)
    audit_append(actor=Actor.of(membership), action="delegation.create", obj=delegation,
                 after={"delegate": delegate.pk, "permissions": delegation.permissions, "starts_on": starts_on,
                        "ends_on": ends_on})
    from apps.notify.services import notification_create

    notification_create(tenant_id=membership.tenant_id, user_id=delegate.user_id,
                        title=later(ngettext_lazy("%(member)s handed you %(count)s permission from %(start)s to %(end)s",
                                                  "%(member)s handed you %(count)s permissions from %(start)s to %(end)s",
                                                  "count"),
                                    member=str(membership), count=len(delegation.permissions), start=starts_on, end=ends_on),
                        url="/profile/#delegations", kind="delegation")
    return delegation


@transaction.atomic
def delegation_revoke(*, membership: Membership, delegation: Delegation) -> Delegation:
    """End a delegation now: its delegator, its delegate or a team manager may."""
    delegation = Delegation.objects.select_for_update().get(pk=delegation.pk, tenant_id=membership.tenant_id)
    if membership.pk not in (delegation.delegator_id, delegation.delegate_id) and not can(membership, "team.manage"):
        raise PermissionDenied
    if delegation.revoked_at is not None:
        raise ValidationError(_("This delegation was already revoked."))
    delegation.revoked_at, delegation.revoked_by = timezone.now(), membership
    delegation.save(update_fields=["revoked_at", "revoked_by"])
    access_changed(membership.tenant_id)
    audit_append(actor=Actor.of(membership), action="delegation.revoke", obj=delegation,
                 after={"revoked_at": delegation.revoked_at})
    return delegation
