"""Custom roles: an owner builds them from the catalogue in the team settings."""

import pytest
from django.urls import reverse

from apps.accounts.models import Invitation, Membership, Role
from apps.audit.models import AuditEntry
from tests.factories import make_member
from tests.formdata import form_data

pytestmark = pytest.mark.usefixtures("owner_scope")


def _role_form(client, role=None) -> dict:
    url = reverse("accounts:role_edit", args=[role.pk]) if role else reverse("accounts:role_create")
    return url, form_data(client.get(url).content.decode(), "role-form")


def test_owner_creates_a_role_and_gives_it_to_a_member(as_member, owner, farm):
    client = as_member(owner)
    url, data = _role_form(client)
    data.update({"name": "Herdsman", "permissions": ["herd.view", "herd.manage", "milk.view"]})
    assert client.post(url, data).status_code == 302
    role = Role.objects.get(name="Herdsman")
    assert role.permissions == ["herd.view", "herd.manage", "milk.view"] and not role.is_builtin
    assert AuditEntry.objects.filter(action="role.create", object_id=str(role.pk)).exists()
    member = make_member(owner, "viewer")
    client.post(reverse("accounts:member_edit", args=[member.pk]), {"role": role.pk, "all_farms": "on"})
    assert Membership.objects.get(pk=member.pk).role == role
    assert "Herdsman" in client.get(reverse("accounts:team")).content.decode()


def test_owner_role_keeps_team_manage(as_member, owner):
    client = as_member(owner)
    owner_role = Role.objects.get(tenant_id=owner.tenant_id, key="owner")
    url, data = _role_form(client, owner_role)
    data["permissions"] = [p for p in owner_role.permissions if p != "team.manage"]
    response = client.post(url, {**data, "permissions": data["permissions"]})
    assert response.status_code == 400 and "keeps" in response.content.decode()
    owner_role.refresh_from_db()
    assert "team.manage" in owner_role.permissions


def test_a_role_in_use_cannot_be_deleted_and_an_unused_one_can(as_member, owner):
    from apps.accounts.services import role_save

    client = as_member(owner)
    used = role_save(membership=owner, name="Relief milker", permissions=["milk.view", "milk.record"])
    make_member(owner, "viewer").__class__.objects.filter(tenant_id=owner.tenant_id, role__key="viewer").update(role=used)
    response = client.post(reverse("accounts:role_delete", args=[used.pk]), follow=True)
    assert "is in use" in response.content.decode() and Role.objects.filter(pk=used.pk).exists()
    spare = role_save(membership=owner, name="Spare", permissions=["herd.view"])
    Invitation.objects.filter(tenant_id=owner.tenant_id).delete()
    assert client.post(reverse("accounts:role_delete", args=[spare.pk])).status_code == 302
    assert not Role.objects.filter(pk=spare.pk).exists()


def test_builtin_roles_cannot_be_deleted(as_member, owner):
    worker_role = Role.objects.get(tenant_id=owner.tenant_id, key="worker")
    Membership.objects.filter(role=worker_role).delete()
    as_member(owner).post(reverse("accounts:role_delete", args=[worker_role.pk]))
    assert Role.objects.filter(pk=worker_role.pk).exists()


def test_a_manager_cannot_make_a_role_with_more_than_they_hold(as_member, owner):
    manager = make_member(owner, "manager")
    client = as_member(manager)
    url, data = _role_form(client)
    response = client.post(url, {**data, "name": "Back door", "permissions": ["tenant.manage", "herd.view"]})
    assert response.status_code == 400 and "do not hold" in response.content.decode()
    assert not Role.objects.filter(name="Back door").exists()


def test_a_manager_cannot_give_the_owner_role(as_member, owner):
    manager = make_member(owner, "manager")
    viewer = make_member(owner, "viewer")
    owner_role = Role.objects.get(tenant_id=owner.tenant_id, key="owner")
    response = as_member(manager).post(reverse("accounts:member_edit", args=[viewer.pk]), {"role": owner_role.pk, "all_farms": "on"})
    assert response.status_code in (400, 403)
    assert Membership.objects.get(pk=viewer.pk).role.key == "viewer"


@pytest.mark.parametrize("bad", [{"name": "", "permissions": ["herd.view"]}, {"name": "Empty", "permissions": []},
                                 {"name": "Owner", "permissions": ["herd.view"]}, {"name": "Made up", "permissions": ["herd.fly"]}])
def test_bad_roles_are_refused(as_member, owner, bad):
    client = as_member(owner)
    before = Role.objects.count()
    url, data = _role_form(client)
    assert client.post(url, {**data, **bad}).status_code == 400
    assert Role.objects.count() == before


def test_worker_cannot_reach_the_role_pages(as_member, owner):
    client = as_member(make_member(owner, "worker"))
    assert client.get(reverse("accounts:role_create")).status_code == 403
