import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from apps.accounts.models import Invitation, Membership, Role, User
from tests.factories import PASSWORD, make_member, make_user

pytestmark = pytest.mark.usefixtures("owner_scope")


@pytest.fixture
def invite(django_capture_on_commit_callbacks):
    def _invite(client, email="new@example.test", role=None, farms=None):
        data = {"email": email, "role": role.pk}
        if farms:
            data["farms"] = [f.pk for f in farms]
        else:
            data["all_farms"] = "on"
        # The email is sent on commit; tests run in a transaction that never commits.
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("accounts:invitation_create"), data)

    return _invite


def link_from_mail():
    return re.search(r"http://testserver(/invitations/\S+/)", mail.outbox[-1].body).group(1)


def role(owner, key):
    with scope(tenant=owner.tenant_id):
        return Role.objects.get(tenant_id=owner.tenant_id, key=key)


def test_owner_invites_and_new_person_signs_up_and_joins(invite, as_member, client, owner, farm, other_farm):
    assert invite(as_member(owner), role=role(owner, "worker"), farms=[farm]).status_code == 302
    link = link_from_mail()
    client.logout()
    assert client.get(link).status_code == 200
    response = client.post(link, {"full_name": "Peter", "password": PASSWORD})
    assert response.status_code == 302
    member = Membership.objects.get(user__email="new@example.test")
    assert member.role.key == "worker" and list(member.farms.all()) == [farm]
    home = client.get(reverse("farms:list")).content.decode()
    assert farm.name in home and other_farm.name not in home


def test_invitation_works_once(invite, as_member, client, owner):
    invite(as_member(owner), role=role(owner, "viewer"))
    link = link_from_mail()
    client.logout()
    client.post(link, {"full_name": "A", "password": PASSWORD})
    client.logout()
    response = client.get(link)
    assert response.status_code == 410
    assert "already been used" in response.content.decode()


def test_expired_invitation_is_refused(invite, as_member, client, owner):
    invite(as_member(owner), role=role(owner, "viewer"))
    link = link_from_mail()
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    client.logout()
    response = client.post(link, {"full_name": "A", "password": PASSWORD})
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not User.objects.filter(email="new@example.test").exists()


def test_wrong_token_is_404(client, owner):
    assert client.get(reverse("accounts:invitation_accept", args=["1-nonsense"])).status_code == 404


def test_existing_user_logs_in_then_accepts(invite, as_member, client, owner):
    existing = make_user("known@example.test")
    invite(as_member(owner), email="known@example.test", role=role(owner, "accountant"))
    link = link_from_mail()
    client.logout()
    assert "Log in to accept" in client.get(link).content.decode()
    client.force_login(existing)
    assert client.post(link).status_code == 302
    assert Membership.objects.get(user=existing).role.key == "accountant"


def test_another_logged_in_user_cannot_accept(invite, as_member, client, owner, outsider):
    invite(as_member(owner), role=role(owner, "viewer"))
    link = link_from_mail()
    client.force_login(outsider.user)
    client.post(link)
    assert not Membership.objects.filter(tenant_id=owner.tenant_id, user=outsider.user).exists()


def test_invitation_needs_team_manage(invite, as_member, owner):
    client = as_member(make_member(owner, "manager"))
    assert invite(client, role=role(owner, "viewer")).status_code == 302
    client = as_member(make_member(owner, "worker"))
    assert invite(client, email="x@example.test", role=role(owner, "viewer")).status_code == 403


def test_invite_with_role_of_another_tenant_is_refused(invite, as_member, owner, outsider):
    response = invite(as_member(owner), role=role(outsider, "owner"))
    assert response.status_code == 400
    assert not Invitation.objects.filter(tenant_id=owner.tenant_id).exists()


def test_invite_with_no_farm_and_not_all_farms_is_refused(as_member, owner):
    response = as_member(owner).post(reverse("accounts:invitation_create"), {"email": "a@b.test", "role": role(owner, "viewer").pk})
    assert response.status_code == 400
    assert "Pick at least one farm" in response.content.decode()


def test_owner_changes_role_and_scope(as_member, owner, farm):
    worker = make_member(owner, "worker")
    response = as_member(owner).post(
        reverse("accounts:member_edit", args=[worker.pk]), {"role": role(owner, "milker").pk, "farms": [farm.pk]}
    )
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.role.key == "milker" and not worker.all_farms and list(worker.farms.all()) == [farm]


def test_last_owner_cannot_be_demoted_or_removed(as_member, owner):
    second = make_member(owner, "owner")
    client = as_member(second)
    response = client.post(reverse("accounts:member_edit", args=[owner.pk]), {"role": role(owner, "viewer").pk, "all_farms": "on"})
    assert response.status_code == 302  # two owners: allowed
    client = as_member(second)
    client.post(reverse("accounts:member_remove", args=[second.pk]))
    second.refresh_from_db()
    assert second.is_active  # the last owner stays
    response = client.post(reverse("accounts:member_edit", args=[second.pk]), {"role": role(owner, "viewer").pk, "all_farms": "on"})
    assert response.status_code == 400
    assert "at least one owner" in response.content.decode()


def test_removed_member_loses_access(as_member, owner, farm):
    worker = make_member(owner, "worker")
    as_member(owner).post(reverse("accounts:member_remove", args=[worker.pk]))
    client = as_member(worker)
    response = client.get(reverse("farms:detail", args=[farm.pk]))
    assert response.status_code == 302 and reverse("accounts:onboarding") in response["Location"]


def test_outsider_cannot_edit_members(as_member, owner, outsider):
    client = as_member(outsider)
    assert client.get(reverse("accounts:member_edit", args=[owner.pk])).status_code == 404
    assert client.post(reverse("accounts:member_remove", args=[owner.pk])).status_code == 404
    invitation = Invitation.objects.create(
        tenant_id=owner.tenant_id, email="z@z.test", role=role(owner, "viewer"), token_hash="0" * 64,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    assert client.post(reverse("accounts:invitation_revoke", args=[invitation.pk])).status_code == 404


def test_switch_between_organisations(as_member, client, owner, outsider):
    make_member(outsider, "viewer", user=owner.user)
    client = as_member(owner)
    client.post(reverse("accounts:tenant_switch"), {"tenant": outsider.tenant_id})
    assert "Rival Ranch" in client.get(reverse("home")).content.decode()
    client.post(reverse("accounts:tenant_switch"), {"tenant": 999999})
    assert client.session["tenant_id"] == outsider.tenant_id


@pytest.mark.parametrize("key", ["viewer", "milker", "accountant"])
def test_team_page_hidden_from_roles_without_team_view(as_member, owner, key):
    assert as_member(make_member(owner, key)).get(reverse("accounts:team")).status_code == 403


def test_the_sent_invitation_link_is_not_kept(invite, as_member, owner):
    from apps.core.models import OutboxMessage

    invite(as_member(owner), role=role(owner, "viewer"))
    message = OutboxMessage.objects.get(kind="invitation.email")
    assert message.status == "done" and "link" not in message.payload
    assert link_from_mail().startswith("/invitations/")


def test_profile_language_and_time_zone_are_used_and_the_save_is_audited(as_member, owner):
    from apps.audit.models import AuditEntry
    from tests.formdata import form_data

    client = as_member(owner)
    data = form_data(client.get(reverse("accounts:profile")).content.decode(), "profile-form")
    assert data["time_zone"] == "" and data["language"] == ""
    data.update({"full_name": "Wanjiku", "language": "fr", "time_zone": "America/Lima"})
    assert client.post(reverse("accounts:profile"), data).status_code == 302
    page = client.get(reverse("home"))
    assert page["Content-Language"] == "fr"
    from django.utils import timezone

    assert timezone.get_current_timezone_name() != "America/Lima"  # the request's zone does not leak out
    entry = AuditEntry.objects.filter(action="profile.update").get()
    assert entry.after["language"] == "fr" and entry.after["time_zone"] == "America/Lima" and entry.before["language"] == ""


@pytest.mark.parametrize(("own_zone", "expected"), [("", "Africa/Nairobi"), ("America/Lima", "America/Lima")])
def test_times_show_in_the_member_zone_else_the_organisation_zone(owner, rf, own_zone, expected):
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from apps.accounts.middleware import TenantMiddleware
    from apps.accounts.models import Profile

    Profile.objects.update_or_create(user=owner.user, defaults={"time_zone": own_zone})
    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()
        from django.http import HttpResponse

        return HttpResponse()

    request = rf.get("/home/")
    request.user, request.session = owner.user, SessionStore()
    TenantMiddleware(view)(request)
    assert seen["zone"] == expected


ROLES = ["manager", "milker", "vet", "accountant", "worker", "viewer"]


@pytest.mark.parametrize("key", [*ROLES, "custom-all-but-owner"])
def test_only_an_owner_changes_removes_or_makes_an_owner(invite, as_member, owner, key):
    """Every role but Owner, a custom role holding every permission too, is refused each owner action; the
    pages do not offer them, and a POST made by hand changes nothing."""
    from apps.accounts.permissions import CATALOGUE
    from apps.accounts.services import role_save

    if key == "custom-all-but-owner":
        acting = make_member(owner, "worker")
        acting.role = role_save(membership=owner, name="Co-manager", permissions=list(CATALOGUE))
        acting.save(update_fields=["role"])
    else:
        acting = make_member(owner, key)
    second_owner = make_member(owner, "owner")
    worker = make_member(owner, "worker")
    client = as_member(acting)
    owner_role, viewer_role = role(owner, "owner"), role(owner, "viewer")
    attempts = [
        client.post(reverse("accounts:member_edit", args=[owner.pk]), {"role": viewer_role.pk, "all_farms": "on"}),
        client.post(reverse("accounts:member_edit", args=[second_owner.pk]), {"role": viewer_role.pk, "all_farms": "on"}),
        client.post(reverse("accounts:member_remove", args=[second_owner.pk])),
        client.post(reverse("accounts:member_edit", args=[worker.pk]), {"role": owner_role.pk, "all_farms": "on"}),
        invite(client, email="boss2@example.test", role=owner_role),
    ]
    assert [a.status_code for a in attempts if a.status_code not in (400, 403, 404)] == []
    for member, expected in ((owner, "owner"), (second_owner, "owner"), (worker, "worker")):
        member.refresh_from_db()
        assert member.is_active and member.role.key == expected, (key, member)
    assert not Invitation.objects.filter(email="boss2@example.test").exists()
    if acting.role.permissions and "team.manage" in acting.role.permissions:
        page = client.get(reverse("accounts:team")).content.decode()
        assert f'href="{reverse("accounts:member_edit", args=[owner.pk])}"' not in page
        assert f'href="{reverse("accounts:member_edit", args=[worker.pk])}"' in page
        assert f'value="{owner_role.pk}"' not in page  # the invitation's role picker


def test_an_owner_may_make_demote_and_remove_another_owner_but_not_the_last(invite, as_member, owner):
    worker = make_member(owner, "worker")
    client = as_member(owner)
    assert client.post(reverse("accounts:member_edit", args=[worker.pk]), {"role": role(owner, "owner").pk, "all_farms": "on"}).status_code == 302
    worker.refresh_from_db()
    assert worker.role.key == "owner"
    assert invite(client, email="boss2@example.test", role=role(owner, "owner")).status_code == 302
    assert client.post(reverse("accounts:member_edit", args=[worker.pk]), {"role": role(owner, "viewer").pk, "all_farms": "on"}).status_code == 302
    second = make_member(owner, "owner")
    assert client.post(reverse("accounts:member_remove", args=[second.pk])).status_code == 302
    second.refresh_from_db()
    assert not second.is_active
    # Now the only owner: demoting oneself is refused.
    response = client.post(reverse("accounts:member_edit", args=[owner.pk]), {"role": role(owner, "viewer").pk, "all_farms": "on"})
    owner.refresh_from_db()
    assert response.status_code in (400, 403) and owner.role.key == "owner"
