"""How a permission is decided: the role, then the policies that narrow it, then delegations.

An organisation's policies and live delegations are read once into a small snapshot, kept in the
cache under the organisation's access version (bumped whenever a policy, delegation, role or
membership changes) and on the membership for the rest of the request (and with the membership in
the cache of people, apps/accounts/people.py), so that `can()` in a template loop costs no query.
An organisation that never made a policy or a delegation (version 0) skips all of it.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.core.cache import cache
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_scopes import scopes_disabled

from apps.core.words import day

from .people import tenant_people_changed

SNAPSHOT_SECONDS = 600
PROTECTED = frozenset({"team.manage", "tenant.manage"})  # only an owner may hand these on


@dataclass(frozen=True)
class Rule:
    """One policy, as evaluation needs it."""

    id: int
    name: str
    role_id: int | None
    membership_id: int | None
    permissions: frozenset[str]
    days: frozenset[int]
    start: time | None
    end: time | None
    amount_limit: Decimal | None
    farm_ids: frozenset[int]
    ends_on: date | None

    def covers(self, perm: str) -> bool:
        return not self.permissions or perm in self.permissions

    def applies_to(self, role_id: int, membership_id: int) -> bool:
        return self.membership_id == membership_id if self.membership_id else self.role_id == role_id

    def problem(self, *, local: datetime, farm_id: int | None, amount: Decimal | None) -> str:
        """Why this rule refuses, in a sentence naming it, or "" when its conditions hold."""
        name = self.name
        if self.ends_on is not None and local.date() > self.ends_on:
            return _("The policy “%(name)s” ended this access on %(day)s.") % {"name": name, "day": day(self.ends_on)}
        if self.days and local.weekday() not in self.days:
            return _("The policy “%(name)s” does not allow this on %(weekday)s.") % {
                "name": name, "weekday": formats.date_format(local, "l")}
        if self.start is not None and not (self.start <= local.time() < self.end):
            return _("The policy “%(name)s” allows this only from %(start)s to %(end)s.") % {
                "name": name, "start": f"{self.start:%H:%M}", "end": f"{self.end:%H:%M}"}
        if self.amount_limit is not None and amount is not None and amount > self.amount_limit:
            return _("The policy “%(name)s” allows this up to %(amount)s only.") % {
                "name": name, "amount": formats.number_format(self.amount_limit, 2, force_grouping=True)}
        if self.farm_ids and farm_id is not None and farm_id not in self.farm_ids:
            return _("The policy “%(name)s” does not allow this on that farm.") % {"name": name}
        return ""

    def summary(self) -> str:
        parts = []
        if self.days:
            parts.append(", ".join(formats.date_format(date(2024, 1, 1 + d), "D") for d in sorted(self.days)))
        if self.start is not None:
            parts.append(f"{self.start:%H:%M}-{self.end:%H:%M}")
        if self.amount_limit is not None:
            parts.append(_("up to %(amount)s") % {"amount": formats.number_format(self.amount_limit, 2, force_grouping=True)})
        if self.farm_ids:
            parts.append(ngettext("%(count)s farm", "%(count)s farms", len(self.farm_ids)) % {"count": len(self.farm_ids)})
        if self.ends_on is not None:
            parts.append(_("until %(day)s") % {"day": day(self.ends_on)})
        return "; ".join(parts) or _("no conditions")




@dataclass(frozen=True)
class Lent:
    """One delegation, with what the delegator holds, so it is checked without a query."""

    id: int
    delegator_id: int
    delegator_name: str
    delegator_role_id: int
    delegator_permissions: frozenset[str]
    delegator_farm_ids: frozenset[int] | None
    delegate_id: int
    permissions: frozenset[str]
    starts_on: date
    ends_on: date

    def live_on(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True)
class Snapshot:
    zone: str
    farm_zones: dict[int, str]
    rules: tuple[Rule, ...]
    lent: tuple[Lent, ...]


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""
    policy: str = ""
    delegation: Lent | None = None

    def __bool__(self) -> bool:
        return self.allowed


EMPTY = Snapshot(zone="UTC", farm_zones={}, rules=(), lent=())


def access_changed(tenant_id: int, *, only_if_used: bool = False) -> None:
    """A new access version for the organisation, in the caller's transaction: snapshots of the old
    version are no longer read. Role, membership and zone changes pass `only_if_used`: an
    organisation without policies or delegations has nothing to refresh."""
    from .models import Tenant

    tenants = Tenant.objects.filter(pk=tenant_id)
    if only_if_used:
        tenants = tenants.filter(access_version__gt=0)
    if tenants.update(access_version=F("access_version") + 1):
        tenant_people_changed(tenant_id)


def snapshot_of(tenant) -> Snapshot:
    if not tenant.access_version:
        return EMPTY
    key = f"access:{tenant.pk}:{tenant.access_version}"
    found = cache.get(key)
    if found is None:
        found = _load(tenant.pk, tenant.time_zone)
        cache.set(key, found, SNAPSHOT_SECONDS)
    return found


def _load(tenant_id: int, zone: str) -> Snapshot:
    from .models import Delegation, Policy, farm_model

    Farm = farm_model()

    with scopes_disabled():
        farm_zones = dict(Farm.objects.filter(tenant_id=tenant_id).values_list("id", "time_zone"))
        rules = tuple(
            Rule(
                id=p.pk, name=p.name, role_id=p.role_id, membership_id=p.membership_id,
                permissions=frozenset(p.permissions), days=frozenset(p.days), start=p.start_time, end=p.end_time,
                amount_limit=p.amount_limit, farm_ids=frozenset(f.pk for f in p.farms.all()), ends_on=p.ends_on,
            )
            for p in Policy.objects.filter(tenant_id=tenant_id).prefetch_related("farms")
        )
        today = timezone.localdate(timezone=zoneinfo.ZoneInfo(zone))
        live = (
            Delegation.objects.filter(tenant_id=tenant_id, revoked_at=None, ends_on__gte=today,
                                      delegator__is_active=True, delegate__is_active=True)
            .select_related("delegator__role", "delegator__user__profile")
            .prefetch_related("delegator__farms")
        )
        lent = tuple(
            Lent(
                id=d.pk, delegator_id=d.delegator_id, delegator_name=d.delegator.user.display_name,
                delegator_role_id=d.delegator.role_id, delegator_permissions=frozenset(d.delegator.role.permissions),
                delegator_farm_ids=None if d.delegator.all_farms else frozenset(f.pk for f in d.delegator.farms.all()),
                delegate_id=d.delegate_id, permissions=frozenset(d.permissions),
                starts_on=d.starts_on, ends_on=d.ends_on,
            )
            for d in live
        )
    return Snapshot(zone=zone, farm_zones=farm_zones, rules=rules, lent=lent)


def snapshot_for(membership) -> Snapshot:
    """The membership's organisation's snapshot, kept on the membership (and with it in the cache of people)."""
    found = getattr(membership, "_access", None)
    if found is None:
        found = snapshot_of(membership.tenant)
        membership._access = found
    return found


def _local(snapshot: Snapshot, farm_id: int | None, at: datetime) -> datetime:
    name = snapshot.farm_zones.get(farm_id, snapshot.zone) if farm_id is not None else snapshot.zone
    try:
        return at.astimezone(zoneinfo.ZoneInfo(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return at


def _refused_by(snapshot, *, role_id, membership_id, perm, local, farm_id, amount) -> Decision | None:
    for rule in snapshot.rules:
        if rule.applies_to(role_id, membership_id) and rule.covers(perm):
            problem = rule.problem(local=local, farm_id=farm_id, amount=amount)
            if problem:
                return Decision(False, problem, rule.name)
    return None


def decide(membership, perm: str, *, farm_id: int | None = None, amount: Decimal | None = None,
           held: frozenset[str], at: datetime | None = None) -> Decision:
    """The member's own permission narrowed by their policies; else a live delegation's."""
    snapshot = snapshot_for(membership)
    if snapshot is EMPTY:
        return Decision(True) if perm in held else Decision(False, _("Your role does not include this."))
    at = at or timezone.now()
    local = _local(snapshot, farm_id, at)
    refusal = None
    if perm in held:
        refusal = _refused_by(snapshot, role_id=membership.role_id, membership_id=membership.pk, perm=perm,
                              local=local, farm_id=farm_id, amount=amount)
        if refusal is None:
            return Decision(True)
    today = _local(snapshot, None, at).date()
    for lent in snapshot.lent:
        if lent.delegate_id != membership.pk or perm not in lent.permissions or not lent.live_on(today):
            continue
        if perm not in lent.delegator_permissions:
            continue  # the delegator no longer holds it: neither does the delegate
        if farm_id is not None and lent.delegator_farm_ids is not None and farm_id not in lent.delegator_farm_ids:
            continue
        if _refused_by(snapshot, role_id=lent.delegator_role_id, membership_id=lent.delegator_id, perm=perm,
                       local=local, farm_id=farm_id, amount=amount) is None:
            used = getattr(membership, "_delegated", None)
            if used is None:
                used = membership._delegated = {}
            used[perm] = lent.id
            return Decision(True, delegation=lent)
    if refusal is not None:
        return refusal
    return Decision(False, _("Your role does not include this."))


def rules_for(membership) -> list[Rule]:
    snapshot = snapshot_for(membership)
    return [r for r in snapshot.rules if r.applies_to(membership.role_id, membership.pk)]


def lent_to(membership) -> list[Lent]:
    snapshot = snapshot_for(membership)
    today = _local(snapshot, None, timezone.now()).date()
    return [lent for lent in snapshot.lent if lent.delegate_id == membership.pk and lent.live_on(today)]
