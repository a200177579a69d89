"""The billing page, the payment webhooks (Stripe and transfers) and the plan admin, with the bad input each refuses."""

import datetime as dt
import hashlib
import hmac
import json
import time
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from standardwebhooks import Webhook

from apps.accounts.models import AbuseEvent
from apps.billing import services
from apps.billing.models import Charge, PaymentEvent, Plan, PlanPrice, PlatformInvoice, Subscription
from tests.billing.conftest import WEBHOOK_SECRET, deliver_pending, set_subscription, subscription_of, trial_ending_on
from tests.factories import make_member
from tests.formdata import form_data
from tests.stripe_server import DECLINED

D = dt.date
PAYMENT_SECRET = "whsec_" + "cGF5bWVudC13ZWJob29rLXNlY3JldC1mb3ItdGVzdHM="


# The page --------------------------------------------------------------------------------------------


def test_the_billing_page_shows_the_plan_usage_plans_and_invoices_in_a_fixed_number_of_queries(
        client, as_member, owner, farm, django_assert_max_num_queries):
    as_member(owner)
    client.get(reverse("billing:home"))
    with django_assert_max_num_queries(30):
        page = client.get(reverse("billing:home"))
    assert page.status_code == 200
    text = page.text
    assert "Family farm" in text and 'data-testid="trial"' in text and "Choose how you will pay" in text
    assert "<strong>KES\xa01,950.00</strong> a month" in text
    assert 'aria-valuenow="0"' in text  # the usage bars
    for key in ("smallholder", "family", "commercial"):
        assert f'data-testid="plan-{key}"' in text


def test_only_owners_see_billing(client, as_member, owner):
    as_member(make_member(owner, "manager"))
    assert client.get(reverse("billing:home")).status_code == 403


def test_an_owner_picks_a_plan_and_a_way_to_pay_with_what_the_browser_sends(client, as_member, owner):
    as_member(owner)
    page = client.get(reverse("billing:home")).text
    commercial = Plan.objects.get(key="commercial")
    data = form_data(page, action=reverse("billing:change"))  # the first plan form: a select always sends a value
    data.update(plan=str(commercial.pk), period="year")
    response = client.post(reverse("billing:change"), data)
    assert response.status_code == 302
    assert (subscription_of(owner).plan.key, subscription_of(owner).period) == ("commercial", "year")
    # Mobile money with a number that is not E.164: refused next to the field, nothing saved.
    data = form_data(page, action=reverse("billing:payment_method"), fill={"provider": "mobile", "mobile_number": "0712 345678"})
    response = client.post(reverse("billing:payment_method"), data)
    assert response.status_code == 400 and "international form" in response.text
    assert subscription_of(owner).provider == ""
    data["mobile_number"] = "+254 712 345 678"
    assert client.post(reverse("billing:payment_method"), data).status_code == 302
    subscription = subscription_of(owner)
    assert (subscription.provider, subscription.mobile_number) == ("mobile", "+254712345678")


def test_a_downgrade_over_the_limits_is_explained_and_needs_a_tick(client, as_member, owner, farm):
    from apps.herd.models import Animal

    set_subscription(owner, status=Subscription.Status.ACTIVE, provider="bank", trial_ends_on=None,
                     current_period_start=D(2026, 11, 1), current_period_end=D(2026, 12, 1), anchor_day=1)
    with scopes_disabled():
        Animal.objects.bulk_create(Animal(tenant_id=owner.tenant_id, farm=farm, tag=f"A{i}", species="cattle", sex="female")
                                   for i in range(31))
    as_member(owner)
    small = Plan.objects.get(key="smallholder")
    page = client.get(reverse("billing:home")).text
    assert "On Smallholder you have 31 animals; Smallholder holds 30." in page
    response = client.post(reverse("billing:change"), {"plan": small.pk, "period": "month"})
    assert response.status_code == 400 and "Nothing is deleted" in response.text
    assert subscription_of(owner).next_plan is None
    response = client.post(reverse("billing:change"), {"plan": small.pk, "period": "month", "confirm_over_limits": "on"})
    assert response.status_code == 302
    assert subscription_of(owner).next_plan == small


def test_a_plan_that_does_not_exist_or_is_not_offered_is_refused(client, as_member, owner):
    as_member(owner)
    hidden = Plan.objects.create(key="staff-only", name="Staff only", is_public=False)
    for value in ("999999", "abc", str(hidden.pk)):
        response = client.post(reverse("billing:change"), {"plan": value, "period": "month"})
        assert response.status_code == 400
    assert client.post(reverse("billing:change"), {"plan": Plan.objects.get(key="commercial").pk, "period": "weekly"}).status_code == 400
    assert subscription_of(owner).plan.key == "family"


def test_cancel_and_resume(client, as_member, owner):
    set_subscription(owner, status=Subscription.Status.ACTIVE, provider="bank", trial_ends_on=None,
                     current_period_start=D(2026, 11, 1), current_period_end=D(2026, 12, 1), anchor_day=1)
    as_member(owner)
    client.post(reverse("billing:cancel"))
    assert subscription_of(owner).cancel_at_period_end
    assert "Keep my subscription" in client.get(reverse("billing:home")).text
    client.post(reverse("billing:resume"))
    assert not subscription_of(owner).cancel_at_period_end


def test_the_invoice_pdf_is_the_owners_own(client, as_member, owner, outsider):
    trial_ending_on(owner, D(2026, 1, 31), provider="bank")
    services.billing_run(today=D(2026, 1, 31))
    with scopes_disabled():
        invoice = PlatformInvoice.objects.get(tenant_id=owner.tenant_id)
    as_member(owner)
    response = client.get(reverse("billing:invoice_pdf", args=[invoice.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    as_member(outsider)
    assert client.get(reverse("billing:invoice_pdf", args=[invoice.pk])).status_code == 404


def test_a_card_is_saved_through_stripe_checkout_and_a_bad_answer_is_refused(client, as_member, owner, stripe_api):
    as_member(owner)
    response = client.post(reverse("billing:card_start"))
    assert response.status_code == 302 and response["Location"].startswith(stripe_api.base + "/pay/cs_test_")
    session_id = response["Location"].rsplit("/", 1)[1]
    stripe_api.sessions[session_id].update(status="complete", setup_intent="seti_9", payment_method="pm_card_visa")
    response = client.get(reverse("billing:card_done") + f"?session_id={session_id}", follow=True)
    assert "Visa ending 4242 saved" in response.text
    assert subscription_of(owner).provider == "stripe"
    # Another organisation's finished Checkout is not ours to take.
    other_session = stripe_api.new_id("cs_test")
    stripe_api.sessions[other_session] = {"id": other_session, "object": "checkout.session", "status": "complete",
                                          "customer": "cus_someone_else", "setup_intent": "seti_x",
                                          "payment_method": "pm_card_visa", "url": "", "success_url": "", "cancel_url": ""}
    response = client.get(reverse("billing:card_done") + f"?session_id={other_session}", follow=True)
    assert "This card setup belongs to another customer." in response.text
    assert subscription_of(owner).card_label == "Visa ending 4242"
    for bad in ("", "nonsense", "cs_" + "x" * 300):
        response = client.get(reverse("billing:card_done") + f"?session_id={bad}", follow=True)
        assert response.status_code == 200 and "The card was not saved" in response.text


# Stripe's webhook ------------------------------------------------------------------------------------


def stripe_signature(payload: bytes, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    at = at or int(time.time())
    digest = hmac.new(secret.encode(), f"{at}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


def stripe_event(event_id: str, kind: str, intent: dict) -> bytes:
    return json.dumps({"id": event_id, "object": "event", "type": kind, "data": {"object": intent}}).encode()


def post_stripe(client, payload: bytes, signature: str):
    return client.post(reverse("billing:stripe_webhook"), payload, content_type="application/json",
                        HTTP_STRIPE_SIGNATURE=signature)


@pytest.fixture
def pending_card_charge(owner, stripe_api):
    """A renewal charged by card whose answer has not come back yet."""
    trial_ending_on(owner, D(2026, 3, 31), provider="stripe", stripe_customer="cus_1", stripe_payment_method=DECLINED)
    services.billing_run(today=D(2026, 3, 31))
    with scopes_disabled():
        charge = Charge.objects.get(tenant_id=owner.tenant_id)
        Charge.objects.filter(pk=charge.pk).update(provider_ref="pi_9001")
    return charge


def test_a_verified_stripe_event_settles_its_charge_once(client, owner, pending_card_charge):
    payload = stripe_event("evt_1", "payment_intent.succeeded", {"id": "pi_9001", "object": "payment_intent",
                                                                   "status": "succeeded", "metadata": {}})
    response = post_stripe(client, payload, stripe_signature(payload))
    assert response.status_code == 200 and response.json()["outcome"].endswith("succeeded")
    with scopes_disabled():
        charge = Charge.objects.get(pk=pending_card_charge.pk)
        assert charge.status == Charge.Status.SUCCEEDED
        assert PlatformInvoice.objects.get(tenant_id=owner.tenant_id).status == PlatformInvoice.Status.PAID
    # A replay of the same event changes nothing and says so.
    response = post_stripe(client, payload, stripe_signature(payload))
    assert response.json()["outcome"] == "replay: ignored"
    # And the worker's own answer arriving late does not undo it.
    deliver_pending()
    with scopes_disabled():
        assert Charge.objects.get(pk=pending_card_charge.pk).status == Charge.Status.SUCCEEDED


@pytest.mark.parametrize("signature", ["", "t=1,v1=00", "garbage", "wrong-secret", "too-old"])
def test_a_stripe_event_with_a_bad_signature_is_refused_logged_and_changes_nothing(client, pending_card_charge, signature):
    payload = stripe_event("evt_2", "payment_intent.succeeded", {"id": "pi_9001", "object": "payment_intent",
                                                                   "metadata": {}})
    if signature == "wrong-secret":
        signature = stripe_signature(payload, secret="whsec_someone_else")
    elif signature == "too-old":
        signature = stripe_signature(payload, at=int(time.time()) - 3600)
    response = post_stripe(client, payload, signature)
    assert response.status_code == 400
    with scopes_disabled():
        assert Charge.objects.get(pk=pending_card_charge.pk).status == Charge.Status.PENDING
    assert AbuseEvent.objects.filter(kind="refused", detail__contains="bad Stripe signature").exists()
    assert not PaymentEvent.objects.filter(event_id="evt_2").exists()


def test_a_stripe_event_for_an_unknown_payment_is_logged_and_ignored(client, pending_card_charge):
    payload = stripe_event("evt_3", "payment_intent.succeeded", {"id": "pi_unknown", "object": "payment_intent",
                                                                   "metadata": {}})
    response = post_stripe(client, payload, stripe_signature(payload))
    assert response.status_code == 200 and "unknown payment pi_unknown" in response.json()["outcome"]
    assert PaymentEvent.objects.get(event_id="evt_3").outcome == "unknown payment pi_unknown: ignored"
    with scopes_disabled():
        assert Charge.objects.get(pk=pending_card_charge.pk).status == Charge.Status.PENDING


def test_a_failed_payment_event_moves_the_retry_schedule(client, owner, pending_card_charge):
    payload = stripe_event("evt_4", "payment_intent.payment_failed", {
        "id": "pi_9001", "object": "payment_intent", "metadata": {},
        "last_payment_error": {"message": "Your card has insufficient funds."}})
    post_stripe(client, payload, stripe_signature(payload))
    subscription = subscription_of(owner)
    assert subscription.status == Subscription.Status.PAST_DUE and subscription.failures == 1
    with scopes_disabled():
        assert Charge.objects.get(pk=pending_card_charge.pk).answer == "Your card has insufficient funds."


# The transfer webhook (bank or mobile money) ----------------------------------------------------------


@pytest.fixture
def open_transfer_invoice(owner, settings):
    settings.PAYMENT_WEBHOOK_SECRET = PAYMENT_SECRET
    trial_ending_on(owner, D(2026, 1, 31), provider="mobile", mobile_number="+254712345678")
    services.billing_run(today=D(2026, 1, 31))
    with scopes_disabled():
        return PlatformInvoice.objects.get(tenant_id=owner.tenant_id)


def post_payment(client, body: dict, *, secret: str = PAYMENT_SECRET, message_id: str = "msg_1"):
    payload = json.dumps(body)
    at = dt.datetime.now(dt.UTC)
    headers = {"webhook-id": message_id, "webhook-timestamp": str(int(at.timestamp())),
               "webhook-signature": Webhook(secret).sign(msg_id=message_id, timestamp=at, data=payload)}
    return client.post(reverse("billing:payment_webhook"), payload, content_type="application/json",
                       headers=headers)


def test_a_signed_mobile_money_payment_pays_the_invoice_and_a_replay_does_nothing(client, owner, open_transfer_invoice):
    body = {"id": "MPESA-1", "provider": "mobile", "reference": open_transfer_invoice.number,
            "amount": str(open_transfer_invoice.amount), "currency": "KES"}
    response = post_payment(client, body)
    assert response.status_code == 200 and response.json()["outcome"] == f"paid invoice {open_transfer_invoice.number}"
    assert subscription_of(owner).status == Subscription.Status.ACTIVE
    assert post_payment(client, body).json()["outcome"] == "already recorded"
    with scopes_disabled():
        assert Charge.objects.filter(tenant_id=owner.tenant_id, status=Charge.Status.SUCCEEDED).count() == 1


@pytest.mark.parametrize(("body", "status"), [
    ({"id": "X1", "reference": "IF-2099-000001", "amount": "1950", "currency": "KES"}, 422),  # no such invoice
    ({"id": "X2", "reference": "{number}", "amount": "1", "currency": "KES"}, 422),  # too little
    ({"id": "X3", "reference": "{number}", "amount": "1950", "currency": "UGX"}, 422),  # another currency
    ({"id": "X4", "reference": "{number}", "amount": "-5", "currency": "KES"}, 400),
    ({"id": "X5", "reference": "{number}", "currency": "KES"}, 400),  # no amount
    ({"id": "X6", "reference": "{number}", "amount": "1950", "currency": "KES", "provider": "cash"}, 400),
])
def test_a_transfer_that_does_not_fit_is_refused_logged_and_changes_nothing(client, owner, open_transfer_invoice, body, status):
    body = {k: v.format(number=open_transfer_invoice.number) if isinstance(v, str) else v for k, v in body.items()}
    response = post_payment(client, body, message_id=body["id"])
    assert response.status_code == status
    open_transfer_invoice.refresh_from_db()
    assert open_transfer_invoice.status == PlatformInvoice.Status.OPEN
    assert AbuseEvent.objects.filter(kind="refused", detail__startswith="payment webhook").exists()


def test_a_transfer_with_a_bad_signature_is_refused(client, open_transfer_invoice):
    body = {"id": "MPESA-2", "reference": open_transfer_invoice.number, "amount": "1950", "currency": "KES"}
    response = post_payment(client, body, secret="whsec_" + "b3RoZXItc2VjcmV0LW5vdC1vdXJzLWF0LWFsbA==")
    assert response.status_code == 400
    open_transfer_invoice.refresh_from_db()
    assert open_transfer_invoice.status == PlatformInvoice.Status.OPEN


# The plan admin ---------------------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, django_user_model):
    staff = django_user_model.objects.create_superuser(email="staff@ifarm.test", password="staff-password-123")
    client.force_login(staff)
    return client


def admin_plan_data(**overrides):
    data = {"key": "pro", "name": "Pro", "description": "", "sort": "5", "is_public": "on", "max_animals": "500",
            "max_farms": "", "max_members": "", "max_storage_mb": "", "max_api_calls": "",
            "prices-TOTAL_FORMS": "1", "prices-INITIAL_FORMS": "0", "prices-MIN_NUM_FORMS": "0", "prices-MAX_NUM_FORMS": "1000",
            "prices-0-currency": "KES", "prices-0-monthly": "2500", "prices-0-yearly": "25000"}
    data.update(overrides)
    return data


def test_staff_add_a_plan_with_prices_in_the_admin(staff_client):
    response = staff_client.post(reverse("admin:billing_plan_add"), admin_plan_data())
    assert response.status_code == 302
    assert PlanPrice.objects.get(plan__key="pro").monthly == Decimal("2500")


@pytest.mark.parametrize("overrides", [{"prices-0-monthly": "-1"}, {"max_animals": "-5"}, {"prices-0-currency": "K1"},
                                       {"prices-0-monthly": "10.555"}, {"prices-0-currency": "UGX", "prices-0-yearly": "10.5"}])
def test_a_plan_with_a_negative_price_or_limit_is_refused_in_the_admin(staff_client, overrides, caplog):
    response = staff_client.post(reverse("admin:billing_plan_add"), admin_plan_data(**overrides))
    assert response.status_code == 200 and "errornote" in response.text
    assert not Plan.objects.filter(key="pro").exists()
    assert any("refused" in r.getMessage() for r in caplog.records)


def test_staff_record_a_bank_payment_against_an_invoice(staff_client, owner):
    trial_ending_on(owner, D(2026, 1, 31), provider="bank")
    services.billing_run(today=D(2026, 1, 31))
    with scopes_disabled():
        invoice = PlatformInvoice.objects.get(tenant_id=owner.tenant_id)
    url = reverse("admin:billing_record_payment", args=[invoice.pk])
    response = staff_client.post(url, {"amount": "100", "reference": "BANK-1", "provider": "bank"})
    assert response.status_code == 200 and "does not settle it" in response.text
    response = staff_client.post(url, {"amount": str(invoice.amount), "reference": "BANK-1b", "provider": "bank"})
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == PlatformInvoice.Status.PAID
    with scope(tenant=owner.tenant_id):
        assert "staff@ifarm.test" in invoice.charges.get(status=Charge.Status.SUCCEEDED).answer
