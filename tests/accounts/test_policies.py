"""Policies narrow roles (time windows, amounts, farms, end dates); delegations lend permissions for a while.

The same answer comes from `can()`, from a page, from a service and from the API.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django_scopes import scope

from apps.accounts.models import Delegation, Membership, Policy, Role
from apps.accounts.permissions import can, decision
from apps.accounts.policies import approval_limit_set, delegation_create, delegation_revoke, policy_save
from apps.audit.models import AuditEntry
from tests.api.conftest import Api, make_key
from tests.factories import make_farm, make_member
from tests.formdata import form_data
from tests.milk.conftest import make_cows

pytestmark = pytest.mark.usefixtures("owner_scope")

NAIROBI, LIMA = ZoneInfo("Africa/Nairobi"), ZoneInfo("America/Lima")


def fresh(member: Membership) -> Membership:
    """The membership as the next request loads it (its organisation's access version included)."""
    return Membership.objects.select_related("tenant", "role", "user").get(pk=member.pk)


def policy(owner, **values) -> Policy:
    fields = {"name": "Rule", "role": None, "member": None, "permissions": [], "days": [], "start_time": None,
              "end_time": None, "amount_limit": None, "farms": [], "ends_on": None}
    fields.update(values)
    return policy_save(membership=fresh(owner), **fields)


def role(owner, key) -> Role:
    return Role.objects.get(tenant_id=owner.tenant_id, key=key)


def at(zone, hour, minute=0, day=dt.date(2026, 11, 25)):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone).astimezone(dt.UTC)


@pytest.fixture
def farms(owner):
    nairobi = make_farm(owner, name="Nairobi Farm", time_zone="Africa/Nairobi")
    lima = make_farm(owner, name="Lima Farm", time_zone="America/Lima")
    return nairobi, lima


@pytest.fixture
def milker(owner):
    return make_member(owner, "milker")


def test_a_time_window_holds_at_its_edges_in_each_farms_time_zone(owner, farms, milker):
    policy(owner, name="Milking hours", role=role(owner, "milker"), permissions=["milk.record"],
           start_time=dt.time(4), end_time=dt.time(21))
    member = fresh(milker)
    for farm, zone in zip(farms, (NAIROBI, LIMA), strict=True):
        assert not decision(member, "milk.record", farm, at=at(zone, 3, 59))
        assert decision(member, "milk.record", farm, at=at(zone, 4, 0))
        assert decision(member, "milk.record", farm, at=at(zone, 20, 59))
        refused = decision(member, "milk.record", farm, at=at(zone, 21, 0))
        assert not refused and "Milking hours" in refused.reason and "04:00 to 21:00" in refused.reason
    # 02:00 in Lima is 10:00 in Nairobi: the same instant is inside one farm's window and outside the other's.
    instant = at(LIMA, 2)
    assert decision(member, "milk.record", farms[0], at=instant)
    assert not decision(member, "milk.record", farms[1], at=instant)
    # Permissions the policy does not cover are untouched; reading milk at night is fine.
    assert decision(member, "milk.view", farms[1], at=instant)


def test_days_of_the_week(owner, farms, milker):
    policy(owner, name="Weekdays only", member=milker, permissions=["milk.record"], days=[0, 1, 2, 3, 4])
    member = fresh(milker)
    wednesday, saturday = dt.date(2026, 11, 25), dt.date(2026, 11, 28)
    assert decision(member, "milk.record", farms[0], at=at(NAIROBI, 10, day=wednesday))
    refused = decision(member, "milk.record", farms[0], at=at(NAIROBI, 10, day=saturday))
    assert not refused and "does not allow this on Saturday" in refused.reason


def test_amount_limits_at_below_and_above(owner, farm):
    manager = make_member(owner, "manager")
    # A new organisation's managers approve nothing until an owner sets their limit (the policy is there).
    assert not can(fresh(manager), "finance.approve_expense", amount=Decimal("0.01"))
    approval_limit_set(membership=fresh(owner), limit=Decimal("50000"))
    member = fresh(manager)
    assert can(member, "finance.approve_expense", amount=Decimal("49999.99"))
    assert can(member, "finance.approve_expense", amount=Decimal("50000"))
    refused = decision(member, "finance.approve_expense", amount=Decimal("50000.01"))
    assert not refused and refused.policy == "Manager approval limit" and "50,000.00" in refused.reason
    assert can(member, "finance.approve_expense")  # the queue opens; each expense is checked with its amount
    assert can(fresh(owner), "finance.approve_expense", amount=Decimal("9999999"))  # owners are not on the role


def test_an_expired_policy_refuses_after_its_day(owner, farm, milker):
    policy(owner, name="Harvest helper", member=milker, ends_on=dt.date(2026, 11, 30))
    member = fresh(milker)
    assert decision(member, "herd.view", farm, at=at(NAIROBI, 23, 59, day=dt.date(2026, 11, 30)))
    refused = decision(member, "herd.view", farm, at=at(NAIROBI, 0, 0, day=dt.date(2026, 12, 1)))
    assert not refused and "ended this access on 30 Nov 2026" in refused.reason


def test_a_farm_scope_narrows_one_permission(owner, farms):
    vet = make_member(owner, "vet")
    policy(owner, name="Vet on Nairobi only", member=vet, permissions=["health.record"], farms=[farms[0]])
    member = fresh(vet)
    assert can(member, "health.record", farms[0]) and not can(member, "health.record", farms[1])
    assert can(member, "herd.view", farms[1])


def test_bad_policies_are_refused_with_a_message_and_nothing_saved(owner, milker, outsider):
    before = Policy.objects.count()
    cases = [
        ({"start_time": dt.time(21), "end_time": dt.time(4), "role": role(owner, "milker")}, "end_time"),
        ({"start_time": dt.time(4), "end_time": dt.time(4), "role": role(owner, "milker")}, "end_time"),
        ({"amount_limit": Decimal("-1"), "role": role(owner, "manager")}, "amount_limit"),
        ({"name": " ", "role": role(owner, "milker")}, "name"),
        ({}, "role"),  # neither a role nor a member
        ({"role": role(owner, "milker"), "member": milker}, "role"),
        ({"role": role(owner, "owner"), "start_time": dt.time(4), "end_time": dt.time(5)}, "permissions"),
    ]
    for values, field in cases:
        with pytest.raises(ValidationError) as error:
            policy(owner, **values)
        assert field in error.value.message_dict, (values, error.value.message_dict)
    with scope(tenant=outsider.tenant_id):
        foreign = Role.objects.get(tenant_id=outsider.tenant_id, key="milker")
    with pytest.raises(PermissionDenied):
        policy(owner, role=foreign)
    with pytest.raises(PermissionDenied):
        policy_save(membership=fresh(milker), name="Mine", role=role(owner, "milker"), member=None, permissions=[], days=[],
                    start_time=None, end_time=None, amount_limit=None, farms=[], ends_on=None)
    assert Policy.objects.count() == before


def test_the_policy_page_refuses_a_window_that_ends_before_it_starts(as_member, owner):
    client = as_member(owner)
    page = client.get(reverse("accounts:policy_create"))
    data = form_data(page.content.decode(), "policy-form", fill={
        "name": "Night", "role": str(role(owner, "milker").pk), "permissions": ["milk.record"],
        "start_time": "21:00", "end_time": "04:00"})
    response = client.post(reverse("accounts:policy_create"), data)
    assert response.status_code == 400
    assert "ends before it starts" in response.content.decode()
    assert not Policy.objects.filter(name="Night").exists()
    data.update({"start_time": "04:00", "end_time": "21:00"})
    assert client.post(reverse("accounts:policy_create"), data).status_code == 302
    saved = Policy.objects.get(name="Night")
    assert saved.permissions == ["milk.record"] and saved.start_time == dt.time(4)


def test_a_page_the_service_and_the_api_give_the_same_answer(client, owner, farm, milker):
    policy(owner, name="Milking hours", role=role(owner, "milker"), permissions=["milk.record"],
           start_time=dt.time(4), end_time=dt.time(21))
    cow = make_cows(owner, farm, 1, prefix="C")[0]
    from apps.milk.services import milking_record_save

    with scope(tenant=owner.tenant_id):
        key, secret = make_key(owner, name="Parlour", role=role(owner, "milker"))
    api = Api(client, secret)
    body = {"animal_id": cow.pk, "date": "2026-11-25", "session": "morning", "quantity": "12.5"}
    with time_machine.travel(at(NAIROBI, 3, 30), tick=False):
        client.force_login(milker.user)
        page = client.get(reverse("milk:entry"))
        assert page.status_code == 403 and "Milking hours" in page.content.decode()
        with pytest.raises(PermissionDenied, match="Milking hours"):
            milking_record_save(membership=fresh(milker), farm=farm, animal=cow, date=dt.date(2026, 11, 25),
                                session="morning", quantity=Decimal("12.5"))
        client.logout()
        refused = api.post("/milk/records", body)
        assert refused.status_code == 403 and "Milking hours" in refused.json()["detail"]
    with time_machine.travel(at(NAIROBI, 6, 0), tick=False):
        client.force_login(milker.user)
        assert client.get(reverse("milk:entry")).status_code == 200
        milking_record_save(membership=fresh(milker), farm=farm, animal=cow, date=dt.date(2026, 11, 25),
                            session="morning", quantity=Decimal("12.5"))
        client.logout()
        assert api.post("/milk/records", body | {"quantity": "13"}).status_code == 201


def test_team_page_shows_effective_permissions_and_why(as_member, owner, milker):
    policy(owner, name="Milking hours", role=role(owner, "milker"), permissions=["milk.record"],
           start_time=dt.time(4), end_time=dt.time(21))
    page = as_member(owner).get(reverse("accounts:member_access", args=[milker.pk])).content.decode()
    assert "Role: Milker" in page and "Milking hours (04:00-21:00)" in page
    assert "Approve expenses" not in page  # milkers do not hold it


# Delegation ---------------------------------------------------------------------------------------


@pytest.fixture
def manager(owner):
    return make_member(owner, "manager")


def test_delegation_starts_and_ends_on_time(owner, farm, manager, milker):
    approval_limit_set(membership=fresh(owner), limit=Decimal("5000"))
    with time_machine.travel(at(NAIROBI, 9, day=dt.date(2026, 11, 24)), tick=False):
        delegation = delegation_create(membership=fresh(manager), delegate=fresh(milker),
                                       permissions=["finance.approve_expense"], starts_on=dt.date(2026, 12, 1),
                                       ends_on=dt.date(2026, 12, 14), note="Leave")
        assert not can(fresh(milker), "finance.approve_expense")
    for day, expected in ((dt.date(2026, 11, 30), False), (dt.date(2026, 12, 1), True), (dt.date(2026, 12, 14), True),
                          (dt.date(2026, 12, 15), False)):
        with time_machine.travel(at(NAIROBI, 0, 1, day=day), tick=False):
            assert can(fresh(milker), "finance.approve_expense") is expected, day
    with time_machine.travel(at(NAIROBI, 12, day=dt.date(2026, 12, 5)), tick=False):
        member = fresh(milker)
        # The delegator's own policy comes with the permission: never more than they hold.
        assert can(member, "finance.approve_expense", amount=Decimal("5000"))
        refused = decision(member, "finance.approve_expense", amount=Decimal("5000.01"))
        assert not refused
        delegation_revoke(membership=fresh(manager), delegation=delegation)
        assert not can(fresh(milker), "finance.approve_expense")  # at once
    assert Delegation.objects.get(pk=delegation.pk).revoked_at is not None


def test_actions_under_a_delegation_are_audited_with_it(as_member, owner, farm, manager, milker):
    from apps.finance.services import expense_decide, expense_submit

    approval_limit_set(membership=fresh(owner), limit=Decimal("1000"))
    with time_machine.travel(at(NAIROBI, 9), tick=False):
        delegation = delegation_create(membership=fresh(manager), delegate=fresh(milker),
                                       permissions=["finance.approve_expense"], starts_on=dt.date(2026, 11, 25),
                                       ends_on=dt.date(2026, 11, 26))
        worker = make_member(owner, "worker")
        from apps.finance.models import ExpenseCategory

        category = ExpenseCategory.objects.filter(tenant_id=owner.tenant_id).first()
        expense = expense_submit(membership=fresh(worker), farm=farm, category=category, amount=Decimal("300"),
                                 date=dt.date(2026, 11, 25), description="Teat dip", key="k1")
        expense_decide(membership=fresh(milker), expense=expense, approve=True)
    entry = AuditEntry.objects.get(action="expense.approve", object_id=str(expense.pk))
    assert entry.delegation_id == delegation.pk and entry.membership_id == milker.pk
    assert AuditEntry.objects.filter(action="delegation.create", object_id=str(delegation.pk)).exists()
    from apps.audit.retention import audit_verify_tenant

    assert audit_verify_tenant(tenant_id=owner.tenant_id) is None
    assert f"under delegation #{delegation.pk}" in as_member(owner).get(reverse("audit")).content.decode()


def test_bad_delegations_are_refused_and_nothing_saved(owner, manager, milker, outsider):
    today = dt.datetime.now(NAIROBI).date()
    good = {"permissions": ["finance.approve_expense"], "starts_on": today, "ends_on": today + dt.timedelta(days=7)}
    cases = [
        (fresh(manager), {"delegate": fresh(manager)}, "delegate"),
        (fresh(manager), {"delegate": outsider}, "delegate"),
        (fresh(manager), {"delegate": fresh(milker), "starts_on": today - dt.timedelta(days=1)}, "starts_on"),
        (fresh(manager), {"delegate": fresh(milker), "ends_on": today + dt.timedelta(days=400)}, "ends_on"),
        (fresh(manager), {"delegate": fresh(milker), "ends_on": today - dt.timedelta(days=1)}, "ends_on"),
        (fresh(milker), {"delegate": fresh(manager), "permissions": ["finance.manage"]}, "permissions"),
        (fresh(manager), {"delegate": fresh(milker), "permissions": ["team.manage"]}, "permissions"),
        (fresh(manager), {"delegate": fresh(milker), "permissions": []}, "permissions"),
    ]
    for who, values, field in cases:
        with pytest.raises(ValidationError) as error:
            delegation_create(membership=who, **(good | values))
        assert field in error.value.message_dict, (values, error.value.message_dict)
    assert not Delegation.objects.exists()
    # An owner may hand over team management.
    delegation_create(membership=fresh(owner), delegate=fresh(manager), permissions=["team.manage", "tenant.manage"],
                      starts_on=today, ends_on=today)
    assert can(fresh(manager), "tenant.manage")


def test_both_see_the_delegation_and_either_may_revoke_it_from_the_page(as_member, owner, manager, milker):
    client = as_member(manager)
    page = client.get(reverse("accounts:delegations"))
    today = dt.datetime.now(NAIROBI).date()
    data = form_data(page.content.decode(), "delegation-form", fill={
        "delegate": str(milker.pk), "permissions": ["finance.approve_expense", "finance.view"],
        "starts_on": today.isoformat(), "ends_on": (today + dt.timedelta(days=3)).isoformat(), "note": "Leave"})
    assert client.post(reverse("accounts:delegations"), data).status_code == 302
    delegation = Delegation.objects.get()
    assert delegation.permissions == ["finance.view", "finance.approve_expense"]
    # A permission the form never offered (team.manage is an owner's to hand over) is refused.
    refused = client.post(reverse("accounts:delegations"), data | {"permissions": ["team.manage"]})
    assert refused.status_code == 400 and Delegation.objects.count() == 1
    seen = as_member(milker).get(reverse("accounts:delegations")).content.decode()
    assert "→ you" in seen and "active" in seen
    assert client.post(reverse("accounts:delegation_revoke", args=[delegation.pk])).status_code == 302
    assert Delegation.objects.get().revoked_at is not None
    assert not can(fresh(milker), "finance.approve_expense")
