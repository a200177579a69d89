import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from apps.core.models import OutboxMessage
from apps.core.outbox import outbox_deliver, outbox_stale_ids
from apps.finance.models import Invoice
from tasks.outbox import sweep_outbox
from tests.finance.conftest import issued_invoice

pytestmark = pytest.mark.usefixtures("owner_scope")


def pdfs_of(invoice):
    directory = f"invoices/{invoice.tenant_id}"
    if not default_storage.exists(directory):
        return []
    return [name for name in default_storage.listdir(directory)[1] if name.startswith(invoice.number)]


def test_a_dead_workers_message_is_swept_up_and_makes_exactly_one_pdf(owner, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    invoice = issued_invoice(owner)  # the test transaction never commits: nothing was delivered
    message = OutboxMessage.objects.get(kind="invoice.pdf")
    # The worker died mid-render: the row is pending and old, its lease long gone, no PDF.
    OutboxMessage.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=10), locked_until=timezone.now() - dt.timedelta(minutes=4), attempts=1
    )
    assert outbox_stale_ids() == [message.pk]
    assert sweep_outbox.call_local() == 1  # Huey runs tasks at once in the tests
    message.refresh_from_db()
    invoice.refresh_from_db()
    assert message.status == "done" and invoice.pdf_status == "ready"
    assert len(pdfs_of(invoice)) == 1
    assert outbox_stale_ids() == []


def test_running_the_task_twice_makes_one_pdf(owner, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    invoice = issued_invoice(owner)
    message = OutboxMessage.objects.get(kind="invoice.pdf")
    assert outbox_deliver(message_id=message.pk) is True
    OutboxMessage.objects.filter(pk=message.pk).update(status="pending")  # as if the "done" mark was lost
    assert outbox_deliver(message_id=message.pk) is True
    invoice.refresh_from_db()
    assert len(pdfs_of(invoice)) == 1 and invoice.pdf.name.endswith(f"{invoice.number}.pdf")


def test_a_claimed_message_is_not_taken_twice(owner):
    issued_invoice(owner)
    message = OutboxMessage.objects.get(kind="invoice.pdf")
    OutboxMessage.objects.filter(pk=message.pk).update(locked_until=timezone.now() + dt.timedelta(minutes=4))
    assert outbox_deliver(message_id=message.pk) is False
    assert Invoice.objects.get().pdf_status == "preparing"


def test_a_failing_handler_leaves_the_message_pending_with_the_error(owner, monkeypatch):
    from apps.core import outbox

    issued_invoice(owner)
    message = OutboxMessage.objects.get(kind="invoice.pdf")

    def broken(_):
        raise RuntimeError("fonts missing")

    monkeypatch.setitem(outbox.HANDLERS, "invoice.pdf", broken)
    assert outbox_deliver(message_id=message.pk) is False
    message.refresh_from_db()
    assert message.status == "pending" and "fonts missing" in message.last_error and message.locked_until is None
