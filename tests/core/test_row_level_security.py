"""Tenant isolation in PostgreSQL: a raw query as the application role sees only the tenant it set, and
nothing when it set none."""

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.core.rls import SETTING, tenant_tables
from tests.conftest import APP_ROLE
from tests.factories import make_animal, make_farm, make_tenant


def app_connection():
    """A connection of its own to the test database as the role the suite runs as, which does not own the
    tables (tests/conftest.py made it and applied the policies)."""
    params = connection.get_connection_params()
    return psycopg.connect(host=params.get("host"), port=params.get("port"), dbname=params["dbname"], user=APP_ROLE,
                           autocommit=True)


def count(app, sql, params=()):
    return app.execute(sql, params).fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_raw_query_without_the_tenant_setting_returns_nothing(postgres):
    first = make_tenant(name="First")
    make_animal(first, make_farm(first), tag="F-1")
    second = make_tenant(name="Second")
    second_farm = make_farm(second)
    make_animal(second, second_farm, tag="S-1")
    make_animal(second, second_farm, tag="S-2")
    with app_connection() as app:
        assert count(app, "SELECT count(*) FROM herd_animal") == 0
        assert count(app, "SELECT count(*) FROM accounts_membership") == 0
        app.execute("SELECT set_config(%s, %s, false)", [SETTING, str(second.tenant_id)])
        assert {r[0] for r in app.execute("SELECT tag FROM herd_animal").fetchall()} == {"S-1", "S-2"}
        # A forgotten (or wrong) tenant filter still cannot reach the other organisation.
        assert count(app, "SELECT count(*) FROM herd_animal WHERE tenant_id = %s", [first.tenant_id]) == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("UPDATE herd_animal SET tenant_id = %s WHERE tag = 'S-1'", [first.tenant_id])
        app.execute("SELECT set_config(%s, 'all', false)", [SETTING])
        assert count(app, "SELECT count(*) FROM herd_animal") == 3


@pytest.mark.django_db(transaction=True)
def test_every_tenant_table_has_the_policy(postgres):
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relrowsecurity AND relkind = 'r'")
        secured = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT tablename FROM pg_policies WHERE policyname = 'tenant_isolation'")
        with_policy = {row[0] for row in cursor.fetchall()}
    tables = set(tenant_tables())
    assert tables and tables <= secured and tables <= with_policy
    assert "accounts_tenant" not in secured  # the organisations themselves are found before any tenant is known


def test_a_request_narrows_the_connection_to_its_tenant_and_widens_it_after(postgres, as_member, owner, settings):
    settings.DATABASE_TENANT_SETTING = True
    client = as_member(owner)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("herd:list")).status_code == 200
    narrowed = [q for q in queries.captured_queries if "set_config" in q["sql"] and f"'{owner.tenant_id}'" in q["sql"]]
    assert narrowed, "the request did not set its tenant"
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s, true)", [SETTING])
        assert cursor.fetchone()[0] == "all"


@pytest.mark.django_db(transaction=True)
def test_a_connection_opened_while_a_tenant_is_set_starts_narrowed(postgres, settings):
    """As a replica's connection is, opened in the middle of a request; the open ones (replicas' too) are narrowed
    by `set_tenant` itself."""
    from apps.core.rls import tenant_rows

    settings.DATABASE_TENANT_SETTING = True
    tenant = make_tenant(name="First").tenant_id

    def setting():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting(%s, true)", [SETTING])
            return cursor.fetchone()[0]

    assert setting() == "all"
    with tenant_rows(tenant):
        assert setting() == str(tenant)
        connection.close()
        assert setting() == str(tenant)  # a new connection, narrowed as it opens
    assert setting() == "all"
    connection.close()
    assert setting() == "all"


def test_the_suite_itself_runs_as_the_application_role(postgres):
    """Every other test goes through row-level security too: the suite's connection does not own the tables
    and cannot bypass the policies."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        user, superuser, bypass = cursor.fetchone()
        cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'herd_animal'")
        owner = cursor.fetchone()[0]
    assert user == APP_ROLE and not superuser and not bypass and owner != APP_ROLE
