from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from apps.accounts.people import tenant_people_changed
from apps.finance.models import Expense, ExpenseTransition
from apps.finance.services import Duplicate, expense_decide
from apps.notify.models import Notification
from tests.finance.conftest import TODAY, category, key, submit

pytestmark = pytest.mark.usefixtures("owner_scope")


def decide(membership, expense, approve=True, note=""):
    with scope(tenant=membership.tenant_id):
        return expense_decide(membership=membership, expense=expense, approve=approve, note=note)


def history(expense):
    return list(ExpenseTransition.objects.filter(expense=expense).values_list("from_status", "to_status"))


def test_owner_expense_is_approved_at_once_with_history(owner, farm):
    expense = submit(owner, farm)
    assert expense.status == "approved"
    assert history(expense) == [("", "pending"), ("pending", "approved")]


def test_worker_expense_waits_and_owner_approves_and_worker_is_notified(owner, farm, worker):
    expense = submit(worker, farm)
    assert expense.status == "pending"
    decide(owner, expense)
    expense.refresh_from_db()
    assert expense.status == "approved" and expense.decided_by == owner
    assert history(expense) == [("", "pending"), ("pending", "approved")]
    assert Notification.objects.filter(user=worker.user, title__contains="approved").exists()


def test_rejection_needs_a_reason_and_is_kept(owner, farm, worker):
    expense = submit(worker, farm)
    with pytest.raises(ValidationError):
        decide(owner, expense, approve=False)
    decide(owner, expense, approve=False, note="Receipt unreadable")
    expense.refresh_from_db()
    assert expense.status == "rejected" and expense.rejection_reason == "Receipt unreadable"
    assert history(expense)[-1] == ("pending", "rejected")


def test_manager_approves_up_to_the_limit(owner, farm, worker, manager):
    small = submit(worker, farm, "5000.00")
    decide(manager, small)
    assert Expense.objects.get(pk=small.pk).status == "approved"


def test_manager_cannot_approve_over_the_limit_and_it_waits_for_an_owner(owner, farm, worker, manager):
    big = submit(worker, farm, "5000.01")
    with pytest.raises(PermissionDenied, match="waits for an owner"):
        decide(manager, big)
    assert Expense.objects.get(pk=big.pk).status == "pending"
    decide(owner, big)
    assert Expense.objects.get(pk=big.pk).status == "approved"


def test_nobody_approves_their_own_expense(owner, farm, manager):
    own = submit(manager, farm, "10.00")
    with pytest.raises(PermissionDenied, match="own expense"):
        decide(manager, own)


@pytest.mark.parametrize("role", ["worker", "accountant", "milker", "viewer"])
def test_roles_without_approval_cannot_approve(owner, farm, worker, role):
    from tests.factories import make_member

    expense = submit(worker, farm)
    with pytest.raises(PermissionDenied):
        decide(make_member(owner, role), expense)


def test_outsider_cannot_approve(owner, farm, worker, outsider):
    expense = submit(worker, farm)
    with pytest.raises(Expense.DoesNotExist), scope(tenant=outsider.tenant_id):
        expense_decide(membership=outsider, expense=expense, approve=True)


def test_deciding_twice_is_refused(owner, farm, worker):
    expense = submit(worker, farm)
    decide(owner, expense)
    with pytest.raises(ValidationError, match="already approved"):
        decide(owner, expense, approve=False, note="changed my mind")
    assert len(history(expense)) == 2


@pytest.mark.parametrize(
    "amount,message", [("0", "above zero"), ("-5", "above zero"), ("10.001", "2 decimal places")]
)
def test_bad_amounts_are_refused(owner, farm, amount, message):
    with pytest.raises(ValidationError) as excinfo:
        submit(owner, farm, amount)
    assert message in excinfo.value.message_dict["amount"][0]
    assert not Expense.objects.exists()


def test_currency_without_decimals(owner, farm):
    from apps.accounts.models import Tenant

    Tenant.objects.filter(pk=owner.tenant_id).update(currency="UGX")
    tenant_people_changed(owner.tenant_id)  # as the services do after an update without save()
    owner.tenant.refresh_from_db()
    with pytest.raises(ValidationError, match="no decimals"):
        submit(owner, farm, "100.50")
    assert submit(owner, farm, "100").amount == Decimal("100")


def test_future_date_is_refused(owner, farm):
    import datetime as dt

    with pytest.raises(ValidationError, match="future"):
        submit(owner, farm, date=TODAY + dt.timedelta(days=2))


def test_receipt_must_be_an_image_or_pdf_under_10_mb(owner, farm):
    text = SimpleUploadedFile("receipt.jpg", b"just some text", content_type="image/jpeg")
    with pytest.raises(ValidationError, match="photo"):
        submit(owner, farm, receipt=text)
    big = SimpleUploadedFile("receipt.pdf", b"%PDF-1.4" + b"0" * (10 * 1024 * 1024), content_type="application/pdf")
    with pytest.raises(ValidationError, match="10 MB"):
        submit(owner, farm, receipt=big)
    pdf = SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 small", content_type="application/pdf")
    assert submit(owner, farm, receipt=pdf).receipt


def test_category_of_another_tenant_is_refused(owner, farm, outsider):
    with pytest.raises(ValidationError) as excinfo:
        submit(owner, farm, category=category(outsider))
    assert "category" in excinfo.value.message_dict


def test_the_same_form_key_twice_has_one_effect(owner, farm):
    once = key()
    submit(owner, farm, key=once)
    with pytest.raises(Duplicate):
        submit(owner, farm, key=once)
    assert Expense.objects.count() == 1
