"""The Supabase Storage backend against a local server that speaks the storage endpoints it calls."""

import urllib.request

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from apps.core.storage import StorageUnavailable, SupabaseStorage, spool_path
from tests.storage_server import KEY, supabase_storage

PDF = b"%PDF-1.4 a small invoice"


@pytest.fixture
def store(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    with supabase_storage() as (url, state):
        backend = SupabaseStorage(url=url, key=KEY, timeout=1)
        yield backend, state, url


def test_files_go_to_the_bucket_of_their_kind_under_the_tenant(store):
    backend, state, url = store
    name = backend.save("receipts/42/2026/11/receipt.pdf", ContentFile(PDF))
    assert name == "receipts/42/2026/11/receipt.pdf"
    assert state.objects[("receipts", "42/2026/11/receipt.pdf")] == (PDF, "application/pdf")
    assert backend.exists(name) and not backend.exists("receipts/42/2026/11/other.pdf")
    assert backend.open(name).read() == PDF and backend.size(name) == len(PDF)
    backend.save("invoices/42/INV-0001.pdf", ContentFile(PDF))
    assert ("invoice-pdfs", "42/INV-0001.pdf") in state.objects
    # The same name again gets a name of its own (no overwrite).
    assert backend.save(name, ContentFile(b"%PDF again")) != name
    backend.delete(name)
    assert not backend.exists(name)


def test_a_signed_url_opens_the_file_for_a_short_while(store, settings):
    backend, state, url = store
    backend.save("animals/7/2026/11/cow.jpg", ContentFile(b"jpeg bytes"))
    signed = backend.url("animals/7/2026/11/cow.jpg")
    assert signed.startswith(url) and "token=" in signed
    with urllib.request.urlopen(signed) as answer:
        assert answer.read() == b"jpeg bytes"
    tampered = signed.replace("/7/2026/", "/8/2026/")
    assert tampered != signed
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(tampered)


def test_server_errors_are_tried_again_then_named(store):
    backend, state, url = store
    state.fail_next = 2
    backend.save("reports/1/r.csv", ContentFile(b"a,b"))  # the third attempt goes through
    assert ("reports", "1/r.csv") in state.objects
    state.fail_next = 10
    with pytest.raises(StorageUnavailable, match="not answering"):
        backend.open("reports/1/r.csv")


def test_a_store_that_times_out_is_named_too(store):
    backend, state, url = store
    backend.save("reports/1/slow.csv", ContentFile(b"a,b"))
    state.stall_seconds = 1.5
    with pytest.raises(StorageUnavailable):
        backend.exists("reports/1/slow.csv")


def test_an_upload_the_store_refuses_is_kept_and_sent_later(db, store):
    backend, state, url = store
    state.fail_next = 6  # the name check and the upload each try three times
    name = backend.save("receipts/9/2026/11/kept.jpg", ContentFile(b"kept bytes"))
    assert name.startswith("receipts/9/2026/11/kept_") and not state.objects
    assert spool_path(name).read_bytes() == b"kept bytes"
    assert backend.open(name).read() == b"kept bytes" and backend.exists(name)  # served from the spool meanwhile
    assert backend.send_spooled(name)
    assert state.objects[("receipts", name.removeprefix("receipts/"))][0] == b"kept bytes"
    assert not spool_path(name).exists()


@pytest.mark.usefixtures("owner_scope")
def test_a_receipt_download_checks_the_tenant_then_redirects_to_a_signed_url(as_member, owner, farm, outsider,
                                                                               monkeypatch, store):
    from apps.finance.models import Expense
    from tests.finance.conftest import submit

    backend, state, url = store
    monkeypatch.setattr(default_storage, "_wrapped", backend)
    expense = submit(owner, farm, "120")
    stored = backend.save(f"receipts/{owner.tenant_id}/2026/11/r.pdf", ContentFile(PDF))
    Expense.objects.filter(pk=expense.pk).update(receipt=stored)
    response = as_member(owner).get(reverse("money:expense_receipt", args=[expense.pk]))
    assert response.status_code == 302 and response["Location"].startswith(url) and "token=" in response["Location"]
    with urllib.request.urlopen(response["Location"]) as answer:
        assert answer.read() == PDF
    assert as_member(outsider).get(reverse("money:expense_receipt", args=[expense.pk])).status_code == 404


@pytest.mark.usefixtures("owner_scope")
def test_the_person_whose_upload_waits_in_the_spool_is_told_and_the_record_is_kept(as_member, owner, farm, monkeypatch,
                                                                                   store):
    from apps.finance.models import Expense
    from tests.finance.test_money_views import expense_data, photo

    backend, state, url = store
    monkeypatch.setattr(default_storage, "_wrapped", backend)
    state.fail_next = 6  # the store answers 500 to the name check and the upload, each tried three times
    client = as_member(owner)
    response = client.post(reverse("money:expense_submit"), expense_data(owner, farm, receipt=photo()), follow=True)
    assert response.status_code == 200
    assert "your file is kept here and is sent to it within minutes" in response.text
    expense = Expense.objects.get()
    assert backend.open(expense.receipt.name).read().startswith(b"\xff\xd8")  # the receipt is kept, not lost
    assert "kept here" not in client.get(reverse("money:home")).text  # said once
