"""Appending to and verifying the tenant audit chains."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import hashlib
import json
from dataclasses import dataclass

from django.db import connection, models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django_scopes import scopes_disabled

from apps.core.context import current_request_meta
from apps.core.models import tenant_model

from .models import AuditEntry

GENESIS = "0" * 64


def _default(value):
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    return str(value)


def canonical_json(payload: dict) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)


def compute_hash(prev_hash: str, fields: dict) -> str:
    return hashlib.sha256((prev_hash + canonical_json(fields)).encode()).hexdigest()


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict:
    """A JSON-ready copy of a model's concrete field values, foreign keys as ids."""
    data = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in ("tenant", "created_at", "updated_at"):
            continue
        value = getattr(instance, field.attname)
        data[field.name] = json.loads(canonical_json({"v": value}))["v"]
    return data


def changed(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """Keep only the keys whose values differ, so entries show what an edit did."""
    if not before or not after:
        return before, after
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


@dataclass(frozen=True)
class Actor:
    """Who did something: a member of the tenant, or the system (user None)."""

    tenant_id: int
    user_id: int | None = None
    email: str = ""
    membership_id: int | None = None
    role: str = ""
    # The delegations the member's permissions came from in this request, by permission.
    delegations: dict = dataclasses.field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, membership) -> Actor:
        return cls(
            tenant_id=membership.tenant_id,
            user_id=membership.user_id,
            email=membership.user.email,
            membership_id=membership.pk,
            role=membership.role.name,
            delegations=dict(getattr(membership, "_delegated", None) or {}),
        )

    def delegation_for(self, permission: str) -> int | None:
        if permission:
            return self.delegations.get(permission)
        return next(reversed(self.delegations.values()), None)

    @classmethod
    def system(cls, tenant_id: int) -> Actor:
        return cls(tenant_id=tenant_id, email="system")


def _locked_head(tenant_id: int) -> tuple[int, str]:
    """The next sequence number and the hash it follows, with the tenant row locked so two writers of one
    tenant cannot both take the same head. On PostgreSQL one statement: the head lives on the tenant row
    and the UPDATE that locks it returns it (read after any wait, so never stale). Elsewhere: lock, then
    read the newest entry (or the newest archived one, for a chain whose old months all left the table)."""
    Tenant = tenant_model()

    from .models import AuditArchive

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {Tenant._meta.db_table} SET audit_seq = audit_seq + 1 WHERE id = %s "
                           "RETURNING audit_seq, audit_head", [tenant_id])
            row = cursor.fetchone()
        if row is None:
            raise Tenant.DoesNotExist(tenant_id)
        return row[0], row[1]
    Tenant.objects.select_for_update().filter(pk=tenant_id).values_list("pk", flat=True).get()
    with scopes_disabled():
        head = AuditEntry.objects.filter(tenant_id=tenant_id).order_by("-seq").values_list("seq", "entry_hash").first()
        if head is None:
            head = (AuditArchive.objects.filter(tenant_id=tenant_id).order_by("-last_seq")
                    .values_list("last_seq", "last_hash").first())
    return (head[0] + 1, head[1]) if head else (1, GENESIS)


def _insert(entry: AuditEntry) -> None:
    """Insert the entry; on PostgreSQL the same statement moves the tenant's head on to it."""
    if connection.vendor != "postgresql":
        entry.save(force_insert=True)
        return
    Tenant = tenant_model()

    fields = [f for f in AuditEntry._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(f.column for f in fields)
    values = [f.get_db_prep_save(f.pre_save(entry, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH entry AS (INSERT INTO {AuditEntry._meta.db_table} ({columns}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING id, tenant_id, entry_hash) "
            f"UPDATE {Tenant._meta.db_table} SET audit_head = entry.entry_hash FROM entry "
            f"WHERE {Tenant._meta.db_table}.id = entry.tenant_id RETURNING entry.id",
            [*values])
        entry.pk = cursor.fetchone()[0]
    entry._state.adding, entry._state.db = False, "default"


# Joins the caller's transaction without a savepoint: an entry lives and dies with its change.
@transaction.atomic(savepoint=False)
def audit_append(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    farm_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
    permission: str = "",
) -> AuditEntry:
    """Append an entry to the actor's tenant chain, inside the caller's transaction."""
    seq, prev_hash = _locked_head(actor.tenant_id)
    meta = current_request_meta()
    if farm_id is None and obj is not None:
        farm_id = getattr(obj, "farm_id", None)
    entry = AuditEntry(
        tenant_id=actor.tenant_id,
        seq=seq,
        created_at=timezone.now(),
        actor_id=actor.user_id,
        actor_email=actor.email,
        membership_id=actor.membership_id,
        role=actor.role,
        farm_id=farm_id,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        before=before,
        after=after,
        permission=permission,
        delegation_id=actor.delegation_for(permission),
        ip=meta.ip,
        user_agent=meta.user_agent,
        request_id=meta.request_id,
        prev_hash=prev_hash,
    )
    # Hash what the database will hand back: JSON round-trips and microsecond timestamps.
    entry.before = json.loads(canonical_json({"v": before}))["v"]
    entry.after = json.loads(canonical_json({"v": after}))["v"]
    entry.entry_hash = compute_hash(prev_hash, entry.canonical_fields())
    _insert(entry)
    return entry


@dataclass(frozen=True)
class ChainBreak:
    tenant_id: int
    seq: int
    entry_id: int
    reason: str
