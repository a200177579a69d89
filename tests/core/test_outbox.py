"""The outbox row is the promise: a queue that cannot be reached never fails a committed change."""

import datetime as dt

import pytest
from django.urls import reverse
from django_scopes import scope
from huey.contrib.djhuey import HUEY
from huey.storage import RedisStorage

from apps.accounts.models import Invitation, Role
from apps.core.models import OutboxMessage
from apps.core.outbox import outbox_deliver, outbox_stale_ids
from apps.finance.models import Invoice, ReportJob
from tests.finance.conftest import draft_invoice, issued_invoice

pytestmark = pytest.mark.usefixtures("owner_scope")


@pytest.fixture
def queue_down(monkeypatch):
    """Huey in its production mode, on a Redis that does not answer (a closed port)."""
    monkeypatch.setattr(HUEY, "_immediate", False)
    monkeypatch.setattr(HUEY, "storage", RedisStorage("ifarm-down", host="127.0.0.1", port=1, socket_connect_timeout=0.2))


def _pending(kind: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(kind=kind, status=OutboxMessage.Status.PENDING))


def test_issuing_an_invoice_with_the_queue_down_succeeds_and_says_the_pdf_is_coming(
    client, as_member, owner, queue_down, django_capture_on_commit_callbacks
):
    invoice = draft_invoice(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_member(owner).post(reverse("money:invoice_issue", args=[invoice.pk]), follow=True)
    assert response.status_code == 200
    assert "being prepared" in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ISSUED
    assert len(_pending("invoice.pdf")) == 1


def test_emailing_an_invoice_with_the_queue_down_succeeds(as_member, owner, queue_down, django_capture_on_commit_callbacks):
    invoice = issued_invoice(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_member(owner).post(reverse("money:invoice_send", args=[invoice.pk]), {"to": "buyer@example.test"})
    assert response.status_code == 302
    assert len(_pending("invoice.email")) == 1


def test_inviting_with_the_queue_down_makes_one_invitation_and_the_sweeper_sends_it(
    as_member, owner, queue_down, django_capture_on_commit_callbacks, mailoutbox
):
    role = Role.objects.get(tenant_id=owner.tenant_id, key="viewer")
    with django_capture_on_commit_callbacks(execute=True):
        data = {"email": "new@example.test", "role": role.pk, "all_farms": "on"}
        response = as_member(owner).post(reverse("accounts:invitation_create"), data, follow=True)
    assert response.status_code == 200
    assert "on its way" in response.content.decode()
    assert Invitation.objects.filter(email="new@example.test").count() == 1
    (message,) = _pending("invitation.email")
    # Later, the sweeper finds the row and delivers it once the worker runs.
    OutboxMessage.objects.filter(pk=message.pk).update(created_at=message.created_at - dt.timedelta(minutes=5))
    assert message.pk in outbox_stale_ids()
    with scope(tenant=owner.tenant_id):
        assert outbox_deliver(message_id=message.pk)
    assert [m.to for m in mailoutbox] == [["new@example.test"]]


def test_a_long_report_with_the_queue_down_is_accepted(as_member, owner, queue_down, django_capture_on_commit_callbacks):
    data = {"kind": "pnl", "since": "2024-01-01", "until": "2024-12-31", "farm": "", "file_format": "csv"}
    with django_capture_on_commit_callbacks(execute=True):
        response = as_member(owner).post(reverse("money:reports"), data)
    assert response.status_code == 302
    job = ReportJob.objects.get()
    assert response["Location"] == reverse("money:report_job", args=[job.pk])
    assert len(_pending("report.build")) == 1
