import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from apps.core.models import OutboxMessage
from apps.finance.models import Invoice, Payment
from apps.finance.services import invoice_issue, invoice_save_draft, invoice_void, payment_record
from tests.finance.conftest import TODAY, draft_invoice, issued_invoice, key, make_contact

pytestmark = pytest.mark.usefixtures("owner_scope")


def pay(membership, invoice, amount, day=None):
    with scope(tenant=membership.tenant_id):
        return payment_record(membership=membership, key=key(), invoice=invoice, date=day or TODAY, amount=Decimal(amount), method="mobile")


def test_draft_totals_with_tax(owner):
    lines = [
        {"description": "Milk", "quantity": Decimal("100"), "unit": "L", "unit_price": Decimal("50"), "tax_rate": Decimal("0")},
        {"description": "Manure", "quantity": Decimal("2"), "unit": "t", "unit_price": Decimal("1000"), "tax_rate": Decimal("16")},
    ]
    invoice = draft_invoice(owner, lines=lines)
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (Decimal("7000.00"), Decimal("320.00"), Decimal("7320.00"))


def test_issuing_numbers_freezes_and_queues_the_pdf(owner):
    invoice = issued_invoice(owner)
    assert invoice.number == f"INV-{TODAY.year}-0001" and invoice.status == "issued"
    assert invoice.pdf_status == "preparing"
    assert OutboxMessage.objects.filter(kind="invoice.pdf", payload={"invoice_id": invoice.pk}).exists()
    second = issued_invoice(owner, contact=invoice.contact)
    assert second.number == f"INV-{TODAY.year}-0002"


def test_issued_invoice_cannot_be_edited_or_issued_again(owner):
    invoice = issued_invoice(owner)
    with scope(tenant=owner.tenant_id):
        with pytest.raises(ValidationError, match="cannot be changed"):
            invoice_save_draft(membership=owner, invoice=invoice, kind="sales", contact=invoice.contact, due_date=None, notes="",
                               lines=[{"description": "x", "quantity": Decimal("1"), "unit_price": Decimal("1")}])
        with pytest.raises(ValidationError, match="already issued"):
            invoice_issue(membership=owner, invoice=invoice)


def test_negative_quantity_line_is_refused(owner):
    bad = [{"description": "Milk", "quantity": Decimal("-3"), "unit": "L", "unit_price": Decimal("50"), "tax_rate": Decimal("0")}]
    with pytest.raises(ValidationError) as excinfo:
        draft_invoice(owner, lines=bad)
    assert "above zero" in str(excinfo.value)
    assert not Invoice.objects.exists()


def test_partial_then_full_payment(owner):
    invoice = issued_invoice(owner)  # 23,100
    pay(owner, invoice, "10000")
    invoice.refresh_from_db()
    assert invoice.status == "partly_paid" and invoice.balance == Decimal("13100.00")
    pay(owner, invoice, "13100")
    invoice.refresh_from_db()
    assert invoice.status == "paid" and invoice.balance == 0


def test_payment_larger_than_the_balance_is_refused(owner):
    invoice = issued_invoice(owner)
    with pytest.raises(ValidationError, match="balance due"):
        pay(owner, invoice, "23100.01")
    assert not Payment.objects.exists()


def test_payment_on_a_draft_is_refused(owner):
    invoice = draft_invoice(owner)
    with pytest.raises(ValidationError, match="issued"):
        pay(owner, invoice, "10")


def test_void_needs_no_payments(owner):
    invoice = issued_invoice(owner)
    pay(owner, invoice, "1")
    with scope(tenant=owner.tenant_id), pytest.raises(ValidationError, match="credit note"):
        invoice_void(membership=owner, invoice=invoice, reason="wrong buyer")


def test_pdf_is_a_valid_pdf_with_number_customer_and_total(owner):
    from pypdf import PdfReader

    from apps.finance.handlers import ensure_invoice_pdf

    invoice = issued_invoice(owner)
    invoice = Invoice.objects.select_related("tenant", "contact").get(pk=invoice.pk)
    ensure_invoice_pdf(invoice)
    invoice.refresh_from_db()
    data = invoice.pdf.open("rb").read()
    assert data.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert invoice.number in text and "Limuru Dairy Cooperative" in text and "23,100.00" in text  # grouped, as on the pages


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_issues_give_gapless_numbers(postgres, owner):
    import threading

    from django.db import connection

    contact = make_contact(owner)
    drafts = [draft_invoice(owner, contact=contact) for _ in range(20)]
    errors = []
    barrier = threading.Barrier(20)

    def issue(invoice):
        try:
            barrier.wait()
            with scope(tenant=owner.tenant_id):
                invoice_issue(membership=owner, invoice=invoice)
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(d,)) for d in drafts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(Invoice.objects.filter(tenant_id=owner.tenant_id).values_list("number", flat=True))
    assert numbers == [f"INV-{TODAY.year}-{n:04d}" for n in range(1, 21)]


def test_future_payment_date_is_refused(owner):
    invoice = issued_invoice(owner)
    with pytest.raises(ValidationError, match="future"):
        pay(owner, invoice, "5", day=TODAY + dt.timedelta(days=3))


def test_an_invoice_belongs_to_a_farm_the_member_has(owner, farm, other_farm):
    from tests.factories import make_member

    limited = make_member(owner, "manager", farms=[farm])
    contact = make_contact(owner)
    line = [{"description": "Milk", "quantity": Decimal("1"), "unit_price": Decimal("1")}]
    with scope(tenant=owner.tenant_id):
        with pytest.raises(ValidationError) as no_farm:
            invoice_save_draft(membership=owner, kind="sales", contact=contact, due_date=None, notes="", lines=line)
        with pytest.raises(ValidationError) as other:
            invoice_save_draft(membership=limited, kind="sales", contact=contact, due_date=None, notes="", lines=line,
                               farm=other_farm)
    assert "farm" in no_farm.value.message_dict and "farm" in other.value.message_dict
    assert not Invoice.objects.exists()


def test_the_pdf_is_written_in_the_organisations_language_whoever_renders_it(owner):
    from django.utils import translation
    from pypdf import PdfReader

    from apps.finance.documents import invoice_pdf_bytes

    owner.tenant.language = "fr"
    owner.tenant.save(update_fields=["language"])
    invoice = issued_invoice(owner)
    invoice = Invoice.objects.select_related("tenant", "contact").get(pk=invoice.pk)
    with translation.override("en"):
        data = invoice_pdf_bytes(invoice)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Facture" in text and "Bill to" not in text
