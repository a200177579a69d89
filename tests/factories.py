"""Build test data through the same services the app uses."""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django_scopes import scope

from apps.accounts.models import Membership, Role, User
from apps.accounts.services import tenant_create
from apps.farms.services import farm_create
from apps.herd.services import animal_create

PASSWORD = "correct-horse-battery-9"
# Test organisations and their farms keep Nairobi time; "today" is theirs (ahead of UTC after 21:00).
TODAY = dt.datetime.now(ZoneInfo("Africa/Nairobi")).date()
_n = itertools.count(1)


def make_user(email: str | None = None) -> User:
    email = email or f"user{next(_n)}@example.test"
    user = User.objects.create_user(email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def plans_ensure() -> None:
    """The plans the data migration made: a test that empties tables (transaction=True) loses them."""
    from apps.billing.models import Plan

    if not Plan.objects.exists():
        import importlib

        from django.apps import apps

        importlib.import_module("apps.billing.migrations.0002_default_plans").create(apps, None)


def make_tenant(name: str | None = None, owner: User | None = None):
    """A tenant with an owner; returns the owner's membership."""
    plans_ensure()
    owner = owner or make_user()
    _, membership = tenant_create(
        owner=owner, name=name or f"Farm Co {next(_n)}", country="KE", currency="KES", milk_unit="L", time_zone="Africa/Nairobi"
    )
    return membership


def make_member(owner_membership: Membership, role_key: str, farms=None, user: User | None = None) -> Membership:
    user = user or make_user()
    with scope(tenant=owner_membership.tenant_id):
        role = Role.objects.get(tenant_id=owner_membership.tenant_id, key=role_key)
        member = Membership.objects.create(
            tenant_id=owner_membership.tenant_id, user=user, role=role, all_farms=farms is None
        )
        if farms is not None:
            member.farms.set(farms)
    return member


def make_farm(membership: Membership, name: str | None = None, **values):
    with scope(tenant=membership.tenant_id):
        return farm_create(membership=membership, name=name or f"Farm {next(_n)}", **values)


def make_animal(membership: Membership, farm, **values):
    values.setdefault("tag", f"T-{next(_n)}")
    values.setdefault("sex", "female")
    values.setdefault("species", "cattle")
    values.setdefault("date_of_birth", dt.date(2020, 1, 1))
    with scope(tenant=membership.tenant_id):
        return animal_create(membership=membership, farm=farm, **values)


def put_on_plan(membership: Membership, key: str, **status) -> None:
    """Move the organisation to another plan at once (as staff could in the admin)."""
    from django_scopes import scopes_disabled

    from apps.billing import limits
    from apps.billing.models import Plan, Subscription

    with scopes_disabled():
        Subscription.objects.filter(tenant_id=membership.tenant_id).update(plan=Plan.objects.get(key=key), **status)
    limits._plans.clear()
