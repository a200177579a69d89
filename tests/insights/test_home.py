import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.accounts.models import Profile
from tests.factories import make_animal
from tests.finance.conftest import TODAY, issued_invoice, make_contact

pytestmark = pytest.mark.usefixtures("owner_scope")


def test_recent_activity_reads_as_sentences_with_names_and_links(as_member, owner, farm):
    from apps.finance.services import payment_record, sale_record

    Profile.objects.update_or_create(user=owner.user, defaults={"full_name": "Achieng Otieno"})
    owner.user.refresh_from_db()
    cow = make_animal(owner, farm, tag="K-7", name="Zawadi")
    buyer = make_contact(owner, name="Limuru Creamery")
    sale_record(membership=owner, key=uuid.uuid4().hex, kind="milk", farm=farm, date=TODAY, buyer=buyer,
                unit_price=Decimal("50"), quantity=Decimal("6"), unit="L")
    invoice = issued_invoice(owner, contact=buyer, farm=farm)
    payment_record(membership=owner, key=uuid.uuid4().hex, invoice=invoice, date=TODAY, amount=Decimal("100"), method="cash",
                   reference="")
    page = as_member(owner).get(reverse("home")).content.decode()
    assert "Achieng Otieno" in page and owner.user.email not in page.split("Recent activity")[1]
    assert f'<a href="{reverse("herd:detail", args=[cow.pk])}">added K-7 Zawadi to the herd</a>' in page
    assert "sold 6 l of milk to limuru creamery" in page.lower()
    assert f"recorded a payment of 100.00 on {invoice.number}" in page
    for code in ("payment.record", "sale.record", "Payment object", "invoice.save_draft"):
        assert code not in page


def test_home_query_count_does_not_grow_with_activity(as_member, owner, farm):
    client = as_member(owner)
    make_animal(owner, farm)
    client.get(reverse("home"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.herd.selectors import HERD

    HERD.changed(owner.tenant_id)  # both measures draw the herd and health parts again
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for _ in range(12):
        make_animal(owner, farm)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("home"))
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as kept:  # nothing changed since: the parts are kept
        client.get(reverse("home"))
    assert len(kept) < len(many)
