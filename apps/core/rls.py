"""Tenant isolation in PostgreSQL itself: row-level security on every tenant table.

Each tenant table gets a policy that shows (and accepts) only the rows of the tenant named by the
session setting `ifarm.tenant`, or every row when it says `all`. A connection the application opens
starts at `all` (sign-in and the organisation switcher read across organisations before the tenant is
known); the request narrows it to its tenant as soon as the tenant is known, and each queued job to the
tenant it works for. A connection that never set it (a console, a forgotten path, raw SQL from
elsewhere) sees no tenant rows at all.

The policies bind roles that do not own the tables: production connects as an application role
(DATABASE_URL) and migrates as the owner (`manage.py migrate --database owner`, DATABASE_OWNER_URL), so
even raw SQL in the application cannot read across tenants once its tenant is set. The owner and
superusers are not bound (PostgreSQL's rule), which is why development runs unchanged; the test suite
connects as an application role of its own (tests/conftest.py), so the policies bind every test.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.conf import settings
from django.db import connections

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")

SETTING = "ifarm.tenant"
POLICY = "tenant_isolation"


def tenant_tables() -> list[str]:
    from django.apps import apps

    from .models import TenantModel

    return sorted({m._meta.db_table for m in apps.get_models() if issubclass(m, TenantModel) and m._meta.managed})


def _policy_sql(table: str) -> list[str]:
    rule = (f"(current_setting('{SETTING}', true) = 'all' OR "
            f"tenant_id = NULLIF(NULLIF(current_setting('{SETTING}', true), ''), 'all')::bigint)")
    return [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'DROP POLICY IF EXISTS {POLICY} ON "{table}"',
        f'CREATE POLICY {POLICY} ON "{table}" USING {rule} WITH CHECK {rule}',
    ]


def apply_policies(using: str = "default", app_role: str | None = None) -> int:
    """Enable row-level security with the tenant policy on every tenant table (idempotent); grant the
    application role what it needs. Runs after every migrate."""
    db = connections[using]
    if db.vendor != "postgresql":
        return 0
    tables = tenant_tables()
    with db.cursor() as cursor:
        existing = set(db.introspection.table_names(cursor))
        for table in tables:
            if table in existing:
                for statement in _policy_sql(table):
                    cursor.execute(statement)
        role = app_role if app_role is not None else settings.DATABASE_APP_ROLE
        if role:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                log.warning("the application role %s does not exist; create it (LOGIN, not the owner) and migrate again",
                            role)
            else:
                quoted = db.ops.quote_name(role)
                cursor.execute(f"GRANT USAGE ON SCHEMA public TO {quoted}")
                cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}")
                cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}")
    return len(tables)


def on_post_migrate(sender, using="default", **kwargs):
    if sender.label == "core" and owns_tables(using):
        apply_policies(using)


def owns_tables(using: str = "default") -> bool:
    """Whether this connection owns the tables (or is a superuser), so the policies do not bind it: only then
    may it set the policies (a flush run by the application role sends post_migrate too) or COPY into them."""
    db = connections[using]
    if db.vendor != "postgresql":
        return False
    with db.cursor() as cursor:
        cursor.execute("SELECT rolsuper OR EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'public' "
                       "AND tableowner = current_user) FROM pg_roles WHERE rolname = current_user")
        return bool(cursor.fetchone()[0])


# The tenant the current request or job works for ("all" before it is known), for connections opened later.
_current: ContextVar[str] = ContextVar("rls_tenant", default="all")


def on_connection_created(sender, connection, **kwargs):
    """A connection starts at the current tenant: "all" before one is known (sign-in, the organisation
    switcher), else the tenant of the request or job that opened it (a replica's, opened mid-request)."""
    if connection.vendor == "postgresql" and settings.DATABASE_TENANT_SETTING:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, false)", [SETTING, _current.get()])


def set_tenant(tenant_id: int | None) -> None:
    """Narrow every open connection, the replicas' too, to one organisation's rows (None: back to all);
    connections opened afterwards start there."""
    from .replicas import degraded

    value = str(tenant_id) if tenant_id else "all"
    _current.set(value)
    if not settings.DATABASE_TENANT_SETTING:
        return
    primary_down = degraded()
    for db in connections.all(initialized_only=True):
        if db.vendor != "postgresql" or db.connection is None or (primary_down and db.alias == "default"):
            continue
        with db.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, false)", [SETTING, value])


@contextmanager
def tenant_rows(tenant_id: int | None):
    """Within the block, the database shows this organisation's rows only; after it, what it showed before
    (a job run inside a request, or one organisation's work inside another's, hands the narrowing back)."""
    previous = _current.get()
    set_tenant(tenant_id)
    try:
        yield
    finally:
        set_tenant(None if previous == "all" else int(previous))


@contextmanager
def working_for(tenant_id: int):
    """A job's work for one organisation: the ORM's tenant scope (django-scopes) and the database's rows
    (row-level security) both narrowed to it, as a request is. Periodic jobs loop over organisations with it."""
    from django_scopes import scope

    with scope(tenant=tenant_id), tenant_rows(tenant_id):
        yield


def each_tenant(items: Iterable[T], work: Callable[[T], R], *, job: str, tenant_of: Callable[[T], int] = int) -> list[R]:
    """`work(item)` for each organisation's item in turn (a tenant id, or something of one tenant: `tenant_of` says
    whose), narrowed to that organisation as a request is. One organisation's failure is logged and the others still
    run; the answer holds what the others returned. The one loop every periodic job uses."""
    done: list[R] = []
    for item in items:
        try:
            with working_for(tenant_of(item)):
                done.append(work(item))
        except Exception:  # one organisation's trouble must not stop the others; the next run tries again
            log.exception("%s failed for tenant %s", job, tenant_of(item))
    return done
