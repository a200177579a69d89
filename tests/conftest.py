import os
import shutil

import pytest
from django.db import connection
from django_scopes import scope

from tests import factories

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _unavailable(reason: str):
    # In CI a missing service is a failure, never a quiet skip.
    if IN_CI:
        pytest.fail(f"{reason} (CI is set, so this test may not be skipped)")
    pytest.skip(reason)


APP_ROLE = "ifarm_app_test"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """On PostgreSQL the suite runs as an application role, as production does: the test database is made
    and migrated by the connecting superuser (its owner), then every test connects as a role that does not
    own the tables, so row-level security binds it and a query that forgets its tenant finds no other
    organisation's rows. Tests that need the owner (roles, policies, migrations) use `database_owner`."""
    from django.conf import settings
    from django.db import connections

    default = connections["default"]
    if default.vendor != "postgresql":
        yield
        return
    with django_db_blocker.unblock():
        from apps.core.rls import apply_policies

        with default.cursor() as cursor:
            cursor.execute(f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN "
                           f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS; END IF; END $$")
        apply_policies(app_role=APP_ROLE)
        with default.cursor() as cursor:
            cursor.execute(f"GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}")  # flushing between tests
            # The audit tests play someone who switches the database's triggers off to tamper with the log.
            cursor.execute(f"GRANT SET ON PARAMETER session_replication_role TO {APP_ROLE}")
        owner_user = default.settings_dict["USER"]
        default.close()
        if getattr(default, "pool", None) is not None:
            default.close_pool()
        default.settings_dict["USER"] = APP_ROLE
        settings.DATABASE_TENANT_SETTING = True
        settings.DATABASE_TEST_OWNER = owner_user
    yield
    with django_db_blocker.unblock():  # the owner drops the test database at the end
        default.close()
        if getattr(default, "pool", None) is not None:
            default.close_pool()
        default.settings_dict["USER"] = owner_user


@pytest.fixture
def database_owner(db):
    """A psycopg connection to the test database as its owner (the superuser that made it)."""
    import psycopg
    from django.conf import settings

    if connection.vendor != "postgresql":
        _unavailable("needs PostgreSQL: set DATABASE_URL")
    params = connection.get_connection_params()
    with psycopg.connect(host=params.get("host"), port=params.get("port"), dbname=params["dbname"],
                         user=getattr(settings, "DATABASE_TEST_OWNER", params.get("user")), autocommit=True) as owner:
        yield owner


@pytest.fixture
def postgres(db):
    if connection.vendor != "postgresql":
        _unavailable("needs PostgreSQL: set DATABASE_URL")


@pytest.fixture
def redis_cache():
    from django.conf import settings

    if not settings.REDIS_URL:
        _unavailable("needs Redis: set REDIS_URL")


@pytest.fixture
def owner_scope(owner):
    """Run the test body inside the owner's tenant, as a request or a task of that tenant does.

    Test bodies start with no scope (the fail-closed guard is on, as in production); a module that
    works as one organisation opts in with `pytestmark = pytest.mark.usefixtures("owner_scope")`,
    and reads another organisation's rows only inside `scope(tenant=...)` of its own.
    """
    with scope(tenant=owner.tenant_id):
        yield owner


@pytest.fixture(scope="session", autouse=True)
def dns_server():
    """Names the application looks up are answered by the suite's DNS server (tests/dns_server.py)."""
    from django.conf import settings

    from tests.dns_server import running

    server = running()
    settings.DNS_SERVERS = [server.address]
    return server


@pytest.fixture
def reach_localhost(settings):
    """Let the server's outbound requests reach this machine's loopback (the suite's receivers run there)."""
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]


@pytest.fixture(autouse=True)
def _clear_cache(dns_server):
    dns_server.reset()
    from django.conf import settings as django_settings

    django_settings.OUTBOUND_ALLOWED_NETWORKS = []
    from django.core.cache import cache

    from apps.accounts.security import memo_clear

    cache.clear()
    memo_clear()
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)  # a request in a member's language leaves it active on the thread


@pytest.fixture
def owner(db):
    return factories.make_tenant(name="Green Acres")


@pytest.fixture
def farm(owner):
    return factories.make_farm(owner, name="Home Farm")


@pytest.fixture
def other_farm(owner):
    return factories.make_farm(owner, name="Far Field")


@pytest.fixture
def outsider(db):
    """The owner of another organisation, with a farm and an animal of its own."""
    membership = factories.make_tenant(name="Rival Ranch")
    rival_farm = factories.make_farm(membership, name="Rival Farm")
    factories.make_animal(membership, rival_farm, tag="R-1")
    return membership


def login(client, membership):
    client.force_login(membership.user)
    session = client.session
    session["tenant_id"] = membership.tenant_id
    session.save()
    return client


@pytest.fixture
def as_member(client):
    def _as(membership):
        client.logout()
        return login(client, membership)

    return _as


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        _unavailable(f"needs Chromium at {CHROMIUM}")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}, "accept_downloads": True}
