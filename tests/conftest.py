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
