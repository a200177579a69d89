import uuid
from decimal import Decimal

import pytest
from django_scopes import scope

from apps.farms.models import Farm
from apps.finance.models import ExpenseCategory
from apps.finance.services import contact_save, expense_submit, invoice_issue, invoice_save_draft
from tests.factories import (
    TODAY,  # noqa: E402,F401
    make_farm,
    make_member,
)


def key() -> str:
    return uuid.uuid4().hex


def category(membership, name="feed"):
    with scope(tenant=membership.tenant_id):
        return ExpenseCategory.objects.get(tenant_id=membership.tenant_id, key=name)


def submit(membership, farm, amount="1500.00", **values):
    values.setdefault("description", "Dairy meal, 10 bags")
    with scope(tenant=membership.tenant_id):
        return expense_submit(
            membership=membership, key=values.pop("key", key()), farm=farm, date=values.pop("date", TODAY),
            category=values.pop("category", category(membership)), amount=Decimal(amount), **values,
        )


def make_contact(membership, name="Limuru Dairy Cooperative", kind="customer"):
    with scope(tenant=membership.tenant_id):
        return contact_save(membership=membership, kind=kind, name=name, email="buyer@example.test")


def draft_invoice(membership, contact=None, lines=None, farm=None):
    contact = contact or make_contact(membership)
    lines = lines or [{"description": "Milk, 1-15 Nov", "quantity": Decimal("420"), "unit": "L", "unit_price": Decimal("55"),
                       "tax_rate": Decimal("0")}]
    with scope(tenant=membership.tenant_id):
        farm = farm or Farm.objects.filter(tenant_id=membership.tenant_id).order_by("pk").first() or make_farm(membership)
        return invoice_save_draft(membership=membership, kind="sales", contact=contact, due_date=None, notes="", lines=lines,
                                  farm=farm)


def issued_invoice(membership, **kwargs):
    invoice = draft_invoice(membership, **kwargs)
    with scope(tenant=membership.tenant_id):
        return invoice_issue(membership=membership, invoice=invoice)


@pytest.fixture
def manager(owner):
    from django_scopes import scope

    from apps.accounts.policies import approval_limit_set

    with scope(tenant=owner.tenant_id):
        approval_limit_set(membership=owner, limit=Decimal("5000"))
    member = make_member(owner, "manager")
    member.tenant.refresh_from_db()
    return member


@pytest.fixture
def worker(owner, farm):
    return make_member(owner, "worker", farms=[farm])


@pytest.fixture
def accountant(owner):
    return make_member(owner, "accountant")
