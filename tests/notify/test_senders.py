"""What sends notifications: a milk quality alert, an expense waiting for approval and its decision, the
morning round's calvings due; and the half-hourly usage measure."""

import datetime as dt
from decimal import Decimal

import pytest
from django_scopes import scopes_disabled

from apps.billing.models import Usage
from apps.billing.services import usage_measure
from apps.finance.models import ExpenseCategory
from apps.finance.services import expense_decide, expense_submit
from apps.milk.services import milking_record_save
from apps.notify.models import Delivery, Notification
from tests.billing.conftest import deliver_pending
from tests.factories import TODAY, make_member
from tests.milk.conftest import make_cows

pytestmark = pytest.mark.usefixtures("owner_scope")


def told(membership, kind: str) -> list[str]:
    with scopes_disabled():
        return list(Notification.objects.filter(tenant_id=membership.tenant_id, user_id=membership.user_id, kind=kind)
                    .values_list("title", flat=True))


def test_a_new_milk_alert_reaches_the_people_of_the_farm_once(owner, farm):
    manager = make_member(owner, "manager")
    milker = make_member(owner, "milker")
    [cow] = make_cows(owner, farm, 1, prefix="ALERT")
    for _ in range(2):  # the same record saved again raises no second alert
        milking_record_save(membership=milker, farm=farm, animal=cow, date=TODAY, session="morning",
                            quantity=Decimal("10"), scc=450_000)
        deliver_pending()
    [title] = told(manager, "milk_alert")
    assert title.startswith(f"Milk alert for {cow}: ") and "450" in title
    assert len(told(owner, "milk_alert")) == 1
    assert told(milker, "milk_alert") == []  # milkers record; those who look after the herd are told


def test_approvers_hear_of_an_expense_waiting_and_the_submitter_of_the_decision(owner, farm):
    worker = make_member(owner, "worker")
    expense = expense_submit(membership=worker, key="k1", farm=farm, date=TODAY, amount=Decimal("1200"), description="Dewormer",
                             category=ExpenseCategory.objects.filter(tenant_id=owner.tenant_id).first())
    deliver_pending()
    assert told(owner, "approval_waiting") == ["An expense waits for your approval: Dewormer"]
    with scopes_disabled():
        email = Delivery.objects.get(notification__user=owner.user, channel="email")
    assert email.status == Delivery.Status.SENT
    expense_decide(membership=owner, expense=expense, approve=True)
    deliver_pending()
    assert told(worker, "expense_decided") == ["Your expense was approved: Dewormer"]


def test_usage_is_measured_per_month(owner, farm):
    make_cows(owner, farm, 2)
    make_member(owner, "worker")
    usage = usage_measure(tenant_id=owner.tenant_id, now=dt.datetime(2026, 6, 10, 12, tzinfo=dt.UTC))
    assert (usage.month, usage.animals, usage.farms, usage.members) == (dt.date(2026, 6, 1), 2, 1, 2)
    usage_measure(tenant_id=owner.tenant_id, now=dt.datetime(2026, 6, 10, 12, 30, tzinfo=dt.UTC))
    assert Usage.objects.filter(tenant_id=owner.tenant_id).count() == 1


def test_an_overdue_sales_invoice_is_announced_once_to_those_who_manage_the_money(owner, farm):
    import datetime as dt

    from apps.finance.models import Invoice
    from apps.finance.services import overdue_invoices_announce
    from tests.finance.conftest import issued_invoice

    manager = make_member(owner, "manager")
    milker = make_member(owner, "milker")
    invoice = issued_invoice(owner, farm=farm)
    Invoice.objects.filter(pk=invoice.pk).update(due_date=TODAY - dt.timedelta(days=1))
    assert overdue_invoices_announce(tenant_id=owner.tenant_id, today=TODAY) == 2  # the owner and the manager
    assert overdue_invoices_announce(tenant_id=owner.tenant_id, today=TODAY) == 0
    [title] = told(manager, "invoice_overdue")
    assert title == f"Invoice {invoice.number} to {invoice.contact.name} is overdue"
    assert told(milker, "invoice_overdue") == []
    Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.Status.PAID)
    other = issued_invoice(owner, farm=farm, contact=invoice.contact)  # not yet due: nothing to say
    assert other.due_date >= TODAY and overdue_invoices_announce(tenant_id=owner.tenant_id, today=TODAY) == 0
