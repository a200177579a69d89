"""The permission catalogue and the one check every view, template, API call and service uses."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .access import Decision, decide
from .models import BUILTIN_ROLE_NAMES

if TYPE_CHECKING:
    from .models import Membership

# Permissions are fixed in code; roles (data) pick from them.
CATALOGUE: dict[str, str] = {  # (labels read in the reader's language)
    "farms.view": gettext_lazy("See farms"),
    "farms.manage": gettext_lazy("Create, edit and archive farms"),
    "herd.view": gettext_lazy("See animals"),
    "herd.manage": gettext_lazy("Add and edit animals"),
    "herd.import": gettext_lazy("Import animals from CSV"),
    "herd.export": gettext_lazy("Export the herd register"),
    "milk.view": gettext_lazy("See milk records"),
    "milk.record": gettext_lazy("Record milkings"),
    "health.view": gettext_lazy("See health records"),
    "health.record": gettext_lazy("Record treatments and checks"),
    "stock.view": gettext_lazy("See medicines, feed and stock"),
    "stock.manage": gettext_lazy("Add stock items, receive, adjust and move stock"),
    "finance.view": gettext_lazy("See money"),
    "finance.submit_expense": gettext_lazy("Submit expenses"),
    "finance.approve_expense": gettext_lazy("Approve expenses"),
    "finance.manage": gettext_lazy("Manage sales, invoices and payments"),
    "reports.view": gettext_lazy("Download reports"),
    "team.view": gettext_lazy("See the team"),
    "team.manage": gettext_lazy("Invite members, change roles, remove members"),
    "audit.view": gettext_lazy("Read the audit log"),
    "tenant.manage": gettext_lazy("Change the organisation's settings"),
}

_ALL = list(CATALOGUE)
_READ = ["farms.view", "herd.view", "milk.view", "health.view", "stock.view"]

BUILTIN_ROLES: dict[str, tuple[str, list[str]]] = {
    "owner": (BUILTIN_ROLE_NAMES["owner"], _ALL),
    "manager": (
        BUILTIN_ROLE_NAMES["manager"],
        [p for p in _ALL if p not in ("tenant.manage", "audit.view")],
    ),
    "milker": (BUILTIN_ROLE_NAMES["milker"], _READ + ["milk.record", "finance.submit_expense"]),
    "vet": (BUILTIN_ROLE_NAMES["vet"], _READ + ["health.record", "herd.manage", "stock.manage"]),
    "accountant": (BUILTIN_ROLE_NAMES["accountant"], ["farms.view", "herd.view", "milk.view", "stock.view", "finance.view", "reports.view",
                                  "herd.export"]),
    "worker": (BUILTIN_ROLE_NAMES["worker"], _READ + ["herd.manage", "milk.record", "health.record", "finance.submit_expense"]),
    "viewer": (BUILTIN_ROLE_NAMES["viewer"], _READ + ["finance.view"]),
}


class UnknownPermission(KeyError):
    pass


def permissions_of(membership: Membership) -> frozenset[str]:
    cached = getattr(membership, "_permission_set", None)
    if cached is None:
        cached = frozenset(membership.role.permissions) if membership.is_active else frozenset()
        membership._permission_set = cached
    return cached


def farm_ids_of(membership: Membership) -> frozenset[int] | None:
    """The farm ids a membership is limited to, or None for all farms."""
    if membership.all_farms:
        return None
    cached = getattr(membership, "_farm_ids", None)
    if cached is None:
        cached = frozenset(membership.farms.values_list("id", flat=True))
        membership._farm_ids = cached
    return cached


def visible_to(queryset, membership: Membership, farm_field: str = "farm_id"):
    """Limit a tenant queryset to the member's organisation and, when limited, to their farms."""
    queryset = queryset.filter(tenant_id=membership.tenant_id)
    allowed = farm_ids_of(membership)
    return queryset if allowed is None else queryset.filter(**{f"{farm_field}__in": allowed})


def can(membership: Membership | None, perm: str, obj=None, *, amount=None) -> bool:
    """Tell whether the member may use `perm` now, on `obj` when given (same tenant, farm in scope),
    for `amount` when given: their role narrowed by policies, or a live delegation."""
    return bool(decision(membership, perm, obj, amount=amount))


def decision(membership: Membership | None, perm: str, obj=None, *, amount=None, at=None) -> Decision:
    """`can()` with its reason: a refusal names the policy that refused."""
    if perm not in CATALOGUE:
        raise UnknownPermission(perm)
    if membership is None or not membership.is_active:
        return Decision(False, _("Sign in as a member of the organisation first."))
    farm_id = None
    if obj is not None:
        if getattr(obj, "tenant_id", membership.tenant_id) != membership.tenant_id:
            return Decision(False, _("That belongs to another organisation."))
        farm_id = _farm_id_of(obj)
        allowed = farm_ids_of(membership) if farm_id is not None else None
        if allowed is not None and farm_id not in allowed:
            return Decision(False, _("That farm is outside your farms."))
    return decide(membership, perm, farm_id=farm_id, amount=amount, held=permissions_of(membership), at=at)


def ensure(membership: Membership | None, perm: str, obj=None, *, amount=None) -> None:
    """Raise PermissionDenied, with the reason (the policy's name when one refused), unless allowed."""
    allowed = decision(membership, perm, obj, amount=amount)
    if not allowed:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(allowed.reason)


def _farm_id_of(obj) -> int | None:
    from .models import farm_model

    if isinstance(obj, farm_model()):
        return obj.pk
    return getattr(obj, "farm_id", None)
