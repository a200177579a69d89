"""The signed-in user's memberships are kept in Redis between requests (apps/accounts/people.py): a request
then reads them without a query, and every change to them is seen by the very next request."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from apps.accounts import people
from apps.accounts.access import access_changed
from apps.accounts.models import Membership, Role
from apps.accounts.services import membership_remove, membership_update
from tests import factories
from tests.conftest import login

pytestmark = pytest.mark.usefixtures("redis_cache")

MEMBERSHIP_TABLE = '"accounts_membership"."id"'
USER_TABLE = '"accounts_user"."id"'
FARM_TABLE = '"farms_farm"."id"'


def _reads(client, url, *tables) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    tables = tables or (MEMBERSHIP_TABLE,)
    return sum(1 for query in queries.captured_queries for table in tables if query["sql"].startswith("SELECT " + table))


def test_the_second_request_reads_no_membership(client, owner, farm):
    login(client, owner)
    url = reverse("farms:list")
    assert _reads(client, url) == 1
    assert _reads(client, url) == 0


def test_the_second_request_reads_no_user_and_no_farm_list(client, owner, farm):
    login(client, owner)
    url = reverse("milk:dashboard")
    assert _reads(client, url, USER_TABLE, FARM_TABLE) >= 2
    assert _reads(client, url, USER_TABLE, FARM_TABLE) == 0


def test_a_renamed_farm_shows_at_the_next_request(client, owner, farm, other_farm):
    """The farm switcher lists the member's farms from the cache; a farm's save is seen by the next request."""
    login(client, owner)
    url = reverse("milk:dashboard")
    assert "Home Farm" in client.get(url).content.decode()
    with scopes_disabled():
        farm.name = "Hill Farm"
        farm.save()
    page = client.get(url).content.decode()
    assert "Hill Farm" in page and "Home Farm" not in page


def test_a_deactivated_user_is_signed_out_at_the_next_request(client, owner, farm):
    login(client, owner)
    url = reverse("farms:list")
    assert client.get(url).status_code == 200
    user = owner.user
    user.is_active = False
    user.save()
    assert client.get(url).status_code == 302


def test_a_changed_password_signs_other_sessions_out(client, owner, farm):
    login(client, owner)
    url = reverse("farms:list")
    assert client.get(url).status_code == 200
    user = owner.user
    user.set_password("a new long passphrase 42")
    user.save()
    assert client.get(url).status_code == 302


def test_a_session_of_the_backend_before_the_rename_stays_signed_in(client, owner, farm):
    from django.contrib.auth import BACKEND_SESSION_KEY

    login(client, owner)
    session = client.session
    session[BACKEND_SESSION_KEY] = "allauth.account.auth_backends.AuthenticationBackend"
    session.save()
    assert client.get(reverse("farms:list")).status_code == 200
    assert client.session[BACKEND_SESSION_KEY] == "apps.accounts.backends.AuthenticationBackend"


def test_a_removed_member_is_refused_at_the_next_request(client, owner, farm):
    worker = factories.make_member(owner, "worker")
    login(client, worker)
    url = reverse("herd:list")
    assert client.get(url).status_code == 200
    with scopes_disabled():
        membership_remove(membership=owner, member=worker)
    response = client.get(url)
    assert response.status_code in (302, 403)


def test_a_new_role_and_farm_scope_count_at_the_next_request(client, owner, farm, other_farm):
    member = factories.make_member(owner, "worker")
    login(client, member)
    assert client.get(reverse("farms:list")).status_code == 200
    with scopes_disabled():
        viewer = Role.objects.get(tenant_id=owner.tenant_id, key="viewer")
        membership_update(membership=owner, member=member, role=viewer, all_farms=False, farms=[other_farm])
    page = client.get(reverse("farms:list")).content.decode()
    assert "Far Field" in page and "Home Farm" not in page
    with scopes_disabled():
        assert Membership.objects.get(pk=member.pk).role.key == "viewer"


def test_role_permissions_count_at_the_next_request(client, owner, farm):
    member = factories.make_member(owner, "worker")
    login(client, member)
    assert client.get(reverse("milk:entry")).status_code in (200, 302)
    with scopes_disabled():
        role = Role.objects.get(pk=member.role_id)
        role.permissions = [p for p in role.permissions if not p.startswith("milk.")]
        role.save()
    assert client.get(reverse("milk:entry")).status_code == 403


def test_an_organisation_change_without_save_is_seen(client, owner, farm):
    """access_changed() updates the organisation's row with .update(): the cached copy goes too."""
    login(client, owner)
    client.get(reverse("farms:list"))
    access_changed(owner.tenant_id)
    read_again = []
    assert people.memberships_for(owner.user, lambda: read_again) is read_again


def test_while_redis_is_unreachable_the_database_is_read_each_time(owner):
    """Local memory is one process's: a change made by another would not reach it, so nothing is kept there."""
    import time

    from django.core.cache import caches

    backend = caches["default"]
    backend._down_until = time.monotonic() + 5
    try:
        calls = []
        for _ in range(2):
            people.memberships_for(owner.user, lambda: calls.append(1) or [])
        assert len(calls) == 2
    finally:
        backend._down_until = 0.0


MODELS = {"Tenant", "Membership", "Role", "User", "Profile", "Farm"}


def test_every_update_without_save_forgets_the_cached_memberships():
    """A queryset .update() of an organisation, member, role, user, profile or farm sends no signal: each such call
    in the application is followed in its function by people_changed() or tenant_people_changed()."""
    missing = []
    for path in Path(settings.BASE_DIR, "apps").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        for function in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
            source = ast.unparse(function)
            for call in (n for n in ast.walk(function) if isinstance(n, ast.Call)):
                func = call.func
                if not (isinstance(func, ast.Attribute) and func.attr == "update"):
                    continue
                text = ast.unparse(func.value)
                if any(text.startswith(f"{model}.objects") for model in MODELS) and "people_changed(" not in source:
                    missing.append(f"{path.relative_to(settings.BASE_DIR)}:{call.lineno}")
    assert not missing, f"update() without people_changed: {missing}"


def test_the_bell_counts_a_new_notification_and_a_reading_at_the_next_request(client, owner, farm):
    """The unread count is kept in the cache; a notification written or read is seen by the next page."""
    from apps.notify import services as notify

    login(client, owner)
    url = reverse("farms:list")
    assert 'data-testid="unread"' not in client.get(url).content.decode()
    assert _reads(client, url, '"notify_notification"') == 0  # the count came from the cache
    with scopes_disabled():
        notify.notify(membership=owner, kind="withdrawal_ending", url="/herd/", context={"animal": "C-1", "product": "Penicillin", "ends_on": timezone.now()})
    assert 'data-testid="unread">1<' in client.get(url).content.decode()
    assert client.post(reverse("notify:mark_all_read")).status_code in (200, 302)
    assert 'data-testid="unread"' not in client.get(url).content.decode()


def test_the_navigation_kept_by_the_process_follows_each_members_permissions(client, owner, farm):
    """The navigation is written once per combination of permissions, section and language: a viewer after an
    owner does not get the owner's links, and the page's section is the one marked."""
    login(client, owner)
    page = client.get(reverse("farms:list")).content.decode()
    assert reverse("accounts:team") in page and reverse("billing:home") in page
    viewer = factories.make_member(owner, "viewer")
    client.logout()
    login(client, viewer)
    page = client.get(reverse("farms:list")).content.decode()
    assert reverse("billing:home") not in page
    side = page[page.index('class="side-nav'):]
    assert f'class="nav-link active" href="{reverse("farms:list")}"' in side
    page = client.get(reverse("herd:list")).content.decode()
    side = page[page.index('class="side-nav'):]
    assert f'class="nav-link active" href="{reverse("herd:list")}"' in side
    assert f'class="nav-link active" href="{reverse("farms:list")}"' not in side
