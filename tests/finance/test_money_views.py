import io
import uuid
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from apps.core.models import OutboxMessage
from apps.finance.models import Expense, Invoice, Payment, ReportJob, Sale
from apps.herd.models import Animal, AnimalEvent
from tests.factories import make_animal, make_member
from tests.finance.conftest import TODAY, category, issued_invoice, make_contact, submit

pytestmark = pytest.mark.usefixtures("owner_scope")

HTMX = {"HTTP_HX_REQUEST": "true"}


def photo():
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "white").save(buffer, "JPEG")
    return SimpleUploadedFile("receipt.jpg", buffer.getvalue(), content_type="image/jpeg")


def expense_data(owner, farm, **extra):
    data = {"key": uuid.uuid4().hex, "farm": farm.pk, "date": TODAY.isoformat(), "category": category(owner).pk,
            "amount": "2500", "description": "Mineral lick"}
    data.update(extra)
    return data


def test_worker_submits_with_receipt_and_sees_it_pending(as_member, owner, farm, worker):
    client = as_member(worker)
    response = client.post(reverse("money:expense_submit"), expense_data(owner, farm, receipt=photo()))
    expense = Expense.objects.get()
    assert response.status_code == 302 and expense.status == "pending" and expense.receipt
    assert client.get(reverse("money:expense_receipt", args=[expense.pk])).status_code == 200
    thumb = client.get(reverse("money:expense_receipt_thumb", args=[expense.pk]))
    assert thumb.status_code == 200 and b"".join(thumb.streaming_content)[:2] == b"\xff\xd8"  # a JPEG


def test_submit_twice_with_one_key_has_one_effect(as_member, owner, farm):
    client = as_member(owner)
    data = expense_data(owner, farm)
    first = client.post(reverse("money:expense_submit"), data)
    second = client.post(reverse("money:expense_submit"), data)
    assert Expense.objects.count() == 1
    assert second.status_code == 302 and second["Location"] == first["Location"]


def test_bad_expense_shows_messages_and_saves_nothing(as_member, owner, farm):
    response = as_member(owner).post(reverse("money:expense_submit"), expense_data(owner, farm, amount="-3", receipt=SimpleUploadedFile("x.exe", b"MZ")))
    content = response.content.decode()
    assert response.status_code == 400 and "above zero" in content
    assert not Expense.objects.exists()


def test_queue_approve_in_place_updates_the_counts(as_member, owner, farm, worker):
    expense = submit(worker, farm)
    submit(worker, farm, "100")
    client = as_member(owner)
    page = client.get(reverse("money:queue")).content.decode()
    assert "2 waiting" in page
    response = client.post(reverse("money:expense_decide", args=[expense.pk]), {"decision": "approve"}, **HTMX)
    content = response.content.decode()
    assert response.status_code == 200 and "Approved" in content
    assert 'hx-swap-oob="true"' in content and "1 waiting" in content


def test_queue_reject_needs_a_reason(as_member, owner, farm, worker):
    expense = submit(worker, farm)
    client = as_member(owner)
    response = client.post(reverse("money:expense_decide", args=[expense.pk]), {"decision": "reject", "reason": ""}, **HTMX)
    assert response.status_code == 422 and "Say why" in response.content.decode()
    client.post(reverse("money:expense_decide", args=[expense.pk]), {"decision": "reject", "reason": "No receipt"}, **HTMX)
    expense.refresh_from_db()
    assert expense.status == "rejected"


def test_bulk_approve_skips_what_cannot_be_approved(as_member, owner, farm, worker, manager):
    small = submit(worker, farm, "100")
    big = submit(worker, farm, "9000")
    client = as_member(manager)
    client.post(reverse("money:queue_approve_many"), {"expense": [small.pk, big.pk]})
    assert Expense.objects.get(pk=small.pk).status == "approved"
    assert Expense.objects.get(pk=big.pk).status == "pending"


def test_queue_is_for_approvers_only(as_member, owner, worker, accountant):
    assert as_member(worker).get(reverse("money:queue")).status_code == 403
    assert as_member(accountant).get(reverse("money:queue")).status_code == 403


def test_queue_query_count_is_constant(as_member, owner, farm, worker):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_member(owner)

    def count():
        client.get(reverse("money:queue"))
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("money:queue"))
        return len(queries)

    submit(worker, farm, "10")
    few = count()
    for n in range(10):
        submit(worker, farm, f"{n + 20}")
    assert count() == few


def test_worker_sees_own_expense_but_not_others(as_member, owner, farm, worker):
    mine = submit(worker, farm)
    theirs = submit(make_member(owner, "worker", farms=[farm]), farm)
    client = as_member(worker)
    assert client.get(reverse("money:expense", args=[mine.pk])).status_code == 200
    assert client.get(reverse("money:expense", args=[theirs.pk])).status_code == 404


def test_animal_sale_marks_it_sold_and_void_brings_it_back(as_member, owner, farm):
    make_contact(owner, "Kiambu Butchery")
    cow = make_animal(owner, farm, tag="SELL-1")
    client = as_member(owner)
    data = {"key": uuid.uuid4().hex, "kind": "animal", "purpose": "slaughter", "farm": farm.pk, "date": TODAY.isoformat(),
            "buyer": make_contact(owner, "Another buyer").pk, "animal": cow.pk, "live_weight": "420", "unit_price": "65000"}
    assert client.post(reverse("money:sale_create"), data).status_code == 302
    sale = Sale.objects.get()
    assert Animal.objects.get(pk=cow.pk).status == "sold" and sale.total == Decimal("65000.00")
    # A sale is an exit like any other: on the cow's timeline and announced to integrations.
    (exit_,) = AnimalEvent.objects.filter(animal=cow, kind="disposal")
    assert (exit_.exit_status, exit_.on, exit_.note) == ("sold", TODAY, "Sold to Another buyer")
    assert "left the herd" in client.get(reverse("herd:detail", args=[cow.pk])).text
    assert OutboxMessage.objects.filter(kind="event", payload__type="animal.disposed").exists()
    client.post(reverse("money:sale_void", args=[sale.pk]))
    assert Animal.objects.get(pk=cow.pk).status == "active"
    assert not AnimalEvent.objects.filter(animal=cow, kind="disposal").exists()


def test_selling_an_animal_twice_is_refused(as_member, owner, farm):
    buyer = make_contact(owner)
    cow = make_animal(owner, farm, tag="SELL-2", status="sold", status_on=TODAY)
    data = {"key": uuid.uuid4().hex, "kind": "animal", "purpose": "alive", "farm": farm.pk, "date": TODAY.isoformat(), "buyer": buyer.pk,
            "animal": cow.pk, "unit_price": "1000"}
    response = as_member(owner).post(reverse("money:sale_create"), data)
    assert response.status_code == 400 or "already sold" in response.content.decode()
    assert not Sale.objects.exists()


def test_milk_sale_to_invoice_to_payment(as_member, owner, farm):
    client = as_member(owner)
    buyer = make_contact(owner)
    client.post(reverse("money:sale_create"), {"key": uuid.uuid4().hex, "kind": "milk", "farm": farm.pk, "date": TODAY.isoformat(),
                                               "buyer": buyer.pk, "quantity": "400", "unit": "L", "unit_price": "52"})
    sale = Sale.objects.get()
    response = client.post(reverse("money:sale_invoice", args=[sale.pk]))
    invoice = Invoice.objects.get()
    assert response["Location"] == reverse("money:invoice", args=[invoice.pk]) and invoice.total == Decimal("20800.00")
    client.post(reverse("money:invoice_issue", args=[invoice.pk]))
    invoice.refresh_from_db()
    assert invoice.status == "issued" and invoice.number.startswith("INV-")
    pay = {"key": uuid.uuid4().hex, "date": TODAY.isoformat(), "amount": "20800", "method": "mobile", "reference": "QX12"}
    client.post(reverse("money:payment_create", args=[invoice.pk]), pay)
    client.post(reverse("money:payment_create", args=[invoice.pk]), pay)  # a double tap
    invoice.refresh_from_db()
    assert invoice.status == "paid" and Payment.objects.count() == 1


def test_overpayment_via_the_page_shows_a_message(as_member, owner):
    invoice = issued_invoice(owner)
    client = as_member(owner)
    client.post(reverse("money:payment_create", args=[invoice.pk]),
                {"key": uuid.uuid4().hex, "date": TODAY.isoformat(), "amount": "999999", "method": "cash"})
    page = client.get(reverse("money:invoice", args=[invoice.pk])).content.decode()
    assert "balance due is" in page and not Payment.objects.exists()


def test_invoice_page_polls_until_the_pdf_is_ready(as_member, owner):
    invoice = issued_invoice(owner)
    client = as_member(owner)
    page = client.get(reverse("money:invoice", args=[invoice.pk])).content.decode()
    assert "Preparing the PDF" in page and 'hx-trigger="every 1s"' in page
    Invoice.objects.filter(pk=invoice.pk).update(pdf_status="ready", pdf="invoices/x.pdf")
    fragment = client.get(reverse("money:invoice", args=[invoice.pk]), **HTMX).content.decode()
    assert "Download PDF" in fragment and "every 1s" not in fragment


def test_email_invoice_with_pdf_attached(as_member, owner, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    invoice = issued_invoice(owner)
    with django_capture_on_commit_callbacks(execute=True):
        as_member(owner).post(reverse("money:invoice_send", args=[invoice.pk]), {"to": "coop@example.test"})
    message = mail.outbox[-1]
    assert message.to == ["coop@example.test"] and invoice.number in message.subject
    assert message.attachments[0][0] == f"{invoice.number}.pdf" and message.attachments[0][1][:4] == b"%PDF"


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "pdf"])
def test_accountant_downloads_profit_and_loss(as_member, owner, farm, accountant, file_format):
    submit(owner, farm, "1200")
    client = as_member(accountant)
    response = client.post(reverse("money:reports"), {"kind": "pnl", "since": TODAY.replace(day=1).isoformat(),
                                                      "until": TODAY.isoformat(), "file_format": file_format})
    assert response.status_code == 200
    body = response.content
    assert {"csv": b"Profit and loss", "xlsx": b"PK", "pdf": b"%PDF"}[file_format] in body[:200]


def test_pnl_numbers(owner, farm):
    from apps.finance.reports import profit_and_loss

    submit(owner, farm, "1200", category=category(owner, "feed"))
    submit(owner, farm, "300", category=category(owner, "veterinary"))
    report = profit_and_loss(owner, TODAY.replace(day=1), TODAY)
    assert report.headers[2:] == ["Sales revenue", "Feed", "Veterinary", "Total expenses", "Net"]
    assert report.rows[0][2:] == [Decimal("0"), Decimal("1200.00"), Decimal("300.00"), Decimal("1500.00"), Decimal("-1500.00")]


def test_long_report_runs_in_the_background_with_progress(as_member, owner, farm, accountant, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    client = as_member(accountant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("money:reports"), {"kind": "expenses", "since": "2025-01-01", "until": TODAY.isoformat(), "file_format": "xlsx"})
    job = ReportJob.objects.get()
    assert response["Location"] == reverse("money:report_job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == "ready" and job.progress == 100
    assert "Download XLSX" in client.get(reverse("money:report_job", args=[job.pk]), **HTMX).content.decode()
    assert client.get(reverse("money:report_download", args=[job.pk])).status_code == 200


def test_a_get_on_the_reports_page_starts_no_work(as_member, accountant):
    response = as_member(accountant).get(reverse("money:reports"), {"kind": "expenses", "since": "2020-01-01", "until": TODAY.isoformat(),
                                                                      "file_format": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert not ReportJob.objects.exists()


def test_report_with_reversed_dates_is_refused(as_member, accountant):
    response = as_member(accountant).post(reverse("money:reports"), {"kind": "pnl", "since": "2026-05-01", "until": "2026-04-01", "file_format": "csv"})
    assert response.status_code == 400


def test_notification_bell_counts_unread(as_member, owner, farm, worker):
    expense = submit(worker, farm)
    client = as_member(owner)
    client.post(reverse("money:expense_decide", args=[expense.pk]), {"decision": "approve"})
    page = as_member(worker).get(reverse("home")).content.decode()
    assert 'data-testid="unread">1<' in page
    inbox = as_member(worker).get(reverse("notify:inbox")).content.decode()
    assert "approved" in inbox


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_submits_of_one_form_have_one_effect(postgres, owner, farm):
    import threading

    from django.db import connection
    from django_scopes import scope

    from apps.finance.services import Duplicate, expense_submit

    once = uuid.uuid4().hex
    feed = category(owner)
    outcomes = []
    barrier = threading.Barrier(20)

    def attempt():
        try:
            barrier.wait()
            with scope(tenant=owner.tenant_id):
                expense_submit(membership=owner, key=once, farm=farm, date=TODAY, category=feed, amount=Decimal("75"), description="Fuel")
            outcomes.append("made")
        except Duplicate:
            outcomes.append("duplicate")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("made") == 1 and outcomes.count("duplicate") == 19
    assert Expense.objects.filter(tenant_id=owner.tenant_id).count() == 1


def test_settings_limit_is_for_owners_and_categories_can_be_added(as_member, owner, manager):
    from apps.accounts.policies import approval_limit_of
    from apps.finance.models import ExpenseCategory

    client = as_member(owner)
    assert client.post(reverse("money:settings"), {"limit": "7500"}).status_code == 302
    assert approval_limit_of(owner) == Decimal("7500")
    assert client.post(reverse("money:settings"), {"name": "Insurance"}).status_code == 302
    assert ExpenseCategory.objects.filter(tenant_id=owner.tenant_id, name="Insurance").exists()
    dup = client.post(reverse("money:settings"), {"name": "insurance"})
    assert dup.status_code == 400 and "already a category" in dup.content.decode()
    refused = as_member(manager).post(reverse("money:settings"), {"limit": "999999"})
    assert refused.status_code == 400 and "Only an owner" in refused.content.decode()
    assert approval_limit_of(owner) == Decimal("7500")


def test_a_receipt_named_like_a_web_page_is_served_as_what_it_is(as_member, owner, farm, worker):
    client = as_member(worker)
    sneaky = SimpleUploadedFile("page.html", b"%PDF-1.4 <script>alert(1)</script>", content_type="text/html")
    client.post(reverse("money:expense_submit"), expense_data(owner, farm, receipt=sneaky))
    expense = Expense.objects.get()
    assert expense.receipt.name.endswith(".pdf")
    response = client.get(reverse("money:expense_receipt", args=[expense.pk]))
    assert response["Content-Type"] == "application/pdf" and response["Content-Security-Policy"] == "sandbox"


def test_milk_report_per_farm_and_month(owner, farm):
    import uuid as _uuid

    from apps.finance.services import sale_record
    from apps.milk.report import milk_report
    from apps.milk.services import milking_record_save
    from tests.milk.conftest import make_cows

    cows = make_cows(owner, farm, 2)
    milking_record_save(membership=owner, farm=farm, animal=cows[0], date=TODAY, session="morning", quantity=Decimal("10"),
                        fat=Decimal("4.0"), protein=Decimal("3.0"))
    milking_record_save(membership=owner, farm=farm, animal=cows[1], date=TODAY, session="morning", quantity=Decimal("6"),
                        discarded=True, discard_reason="mastitis")
    sale_record(membership=owner, key=_uuid.uuid4().hex, kind="milk", farm=farm, date=TODAY, buyer=make_contact(owner),
                unit_price=Decimal("50"), quantity=Decimal("8"), unit="L")
    report = milk_report(owner, TODAY.replace(day=1), TODAY)
    assert report.headers[2:5] == ["Produced (L)", "Discarded (L)", "Saleable (L)"]
    (row,) = report.rows
    assert row[2:5] == [Decimal("16.00"), Decimal("6.00"), Decimal("10.00")]
    assert row[5] == Decimal("4.00") and row[6] == Decimal("3.00")
    assert row[7] == (Decimal("16") * Decimal("1.03") * Decimal("7") / 100).quantize(Decimal("0.1"))
    assert row[8] == Decimal("8") and row[9] == Decimal("50.00") and row[10] == Decimal("400.00")


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "pdf"])
def test_accountant_downloads_the_milk_report(as_member, owner, farm, accountant, file_format):
    response = as_member(accountant).post(reverse("money:reports"), {"kind": "milk", "since": TODAY.replace(day=1).isoformat(),
                                                                      "until": TODAY.isoformat(), "file_format": file_format})
    assert response.status_code == 200
    assert {"csv": b"Milk", "xlsx": b"PK", "pdf": b"%PDF"}[file_format] in response.content[:200]


def test_purchase_invoices_count_as_costs_in_profit_and_loss(owner, farm):
    from apps.finance.reports import profit_and_loss
    from apps.finance.services import credit_note_create, invoice_issue, invoice_save_draft

    supplier = make_contact(owner, name="Unga Feeds", kind="supplier")
    line = [{"description": "Dairy meal", "quantity": Decimal("10"), "unit_price": Decimal("100"), "tax_rate": Decimal("0")}]
    bill = invoice_save_draft(membership=owner, kind="purchase", contact=supplier, due_date=None, notes="", lines=line, farm=farm)
    bill = invoice_issue(membership=owner, invoice=bill)
    submit(owner, farm, "200", category=category(owner, "feed"))
    report = profit_and_loss(owner, TODAY.replace(day=1), TODAY)
    assert report.headers[-4:] == ["Feed", "Purchase invoices", "Total expenses", "Net"]
    assert report.rows[0][-3:] == [Decimal("1000.00"), Decimal("1200.00"), Decimal("-1200.00")]
    half = [{**line[0], "quantity": Decimal("5")}]
    note = credit_note_create(membership=owner, invoice=bill)
    note = invoice_save_draft(membership=owner, invoice=note, kind="purchase", contact=supplier, due_date=None, notes="",
                              lines=half, farm=farm)
    invoice_issue(membership=owner, invoice=note)
    assert profit_and_loss(owner, TODAY.replace(day=1), TODAY).rows[0][-3] == Decimal("500.00")


def test_approve_selected_goes_with_the_last_expense_approved_in_place(as_member, owner, farm, worker):
    expense = submit(worker, farm)
    client = as_member(owner)
    assert "Approve selected" in client.get(reverse("money:queue")).content.decode()
    content = client.post(reverse("money:expense_decide", args=[expense.pk]), {"decision": "approve"}, **HTMX).content.decode()
    assert '<div id="bulk-approve-button" hx-swap-oob="true"></div>' in content
    assert "Approve selected" not in client.get(reverse("money:queue")).content.decode()


def test_an_invoice_line_from_a_sale_is_written_in_the_organisations_language(as_member, owner, farm):
    """The line goes on the organisation's invoice and its PDF: in its language, whoever makes it (here in English)."""
    from apps.finance.models import InvoiceLine

    owner.tenant.language = "sw"
    owner.tenant.save(update_fields=["language"])
    client = as_member(owner)
    buyer = make_contact(owner)
    client.post(reverse("money:sale_create"), {"key": uuid.uuid4().hex, "kind": "milk", "farm": farm.pk,
                                               "date": "2026-01-05", "buyer": buyer.pk, "quantity": "400", "unit": "L",
                                               "unit_price": "52"}, HTTP_ACCEPT_LANGUAGE="en")
    client.post(reverse("money:sale_invoice", args=[Sale.objects.get().pk]))
    assert InvoiceLine.objects.get().description.endswith(", 5 Januari 2026")
