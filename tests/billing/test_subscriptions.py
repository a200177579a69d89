"""The subscription's life: trial, choice of plan, billing runs (twice, or with a worker killed), charges
through each provider, the retry schedule, upgrades, downgrades, cancellation and the read-only state."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django_scopes import scope, scopes_disabled

from apps.accounts.models import Tenant
from apps.billing import gateways, services
from apps.billing.models import Charge, Plan, PlatformInvoice, PlatformInvoiceSequence, Subscription
from apps.notify.models import Notification
from tests.billing.conftest import deliver_pending, set_subscription, subscription_of, trial_ending_on
from tests.factories import make_farm, make_tenant
from tests.stripe_server import DECLINED

D = dt.date
Status = Subscription.Status


def run_on(day: dt.date, deliver: bool = True) -> dict:
    """The daily billing run on `day` (the clock stopped at 02:15 UTC), and the workers after it."""
    with time_machine.travel(dt.datetime.combine(day, dt.time(2, 15), tzinfo=dt.UTC), tick=False):
        done = services.billing_run()
        if deliver:
            deliver_pending()
    return done


def plan(key: str) -> Plan:
    return Plan.objects.get(key=key)


def invoices_of(membership):
    with scopes_disabled():
        return list(PlatformInvoice.objects.filter(tenant_id=membership.tenant_id).order_by("pk"))


def charges_of(membership):
    with scopes_disabled():
        return list(Charge.objects.filter(tenant_id=membership.tenant_id).order_by("pk"))


def read_only_reason(membership) -> str:
    """Why the organisation is read-only, as an English reader sees it ("" when it is not)."""
    return services.hold_text(Tenant.objects.get(pk=membership.tenant_id).read_only_reason)


def pick(owner, key: str, period: str = "month", **kwargs):
    with scope(tenant=owner.tenant_id):
        return services.subscription_change(membership=owner, plan=plan(key), period=period, **kwargs)


def pay_by(owner, provider: str, number: str = ""):
    with scope(tenant=owner.tenant_id):
        return services.payment_method_set(membership=owner, provider=provider, mobile_number=number)


def test_a_new_organisation_tries_the_middle_plan_for_30_days(owner):
    subscription = subscription_of(owner)
    assert subscription.plan.key == "family" and subscription.status == Status.TRIALING
    assert subscription.trial_ends_on == services.today_utc() + dt.timedelta(days=30)
    assert subscription.currency == "KES"  # priced in the organisation's currency
    assert read_only_reason(owner) == ""


def test_an_organisation_in_a_currency_without_prices_is_billed_in_dollars(db):
    from apps.accounts.services import tenant_create
    from tests.factories import make_user

    tenant, membership = tenant_create(owner=make_user(), name="Nile Farm", country="ZM", currency="ZMW", milk_unit="L",
                                       time_zone="Africa/Lusaka")
    assert subscription_of(membership).currency == "USD"


def test_trial_reminders_go_3_days_and_1_day_before_the_end_once_each(owner):
    today = D(2026, 5, 10)
    trial_ending_on(owner, today + dt.timedelta(days=3))
    assert services.trial_reminders(today=today) == 1
    assert services.trial_reminders(today=today) == 1  # a second run tells no one again
    with scopes_disabled():
        sent = list(Notification.objects.filter(tenant_id=owner.tenant_id, kind="trial_ending").values_list("title", flat=True))
    assert sent == ["Your iFarm trial ends in 3 days"]
    services.trial_reminders(today=today + dt.timedelta(days=2))
    with scopes_disabled():
        assert Notification.objects.filter(tenant_id=owner.tenant_id, kind="trial_ending").count() == 2


def test_a_trial_that_ends_without_a_way_to_pay_makes_the_organisation_read_only(owner):
    end = D(2026, 5, 13)
    trial_ending_on(owner, end)
    assert run_on(end - dt.timedelta(days=1)) == {}
    assert run_on(end) == {"trial ended": 1}
    assert subscription_of(owner).status == Status.TRIAL_ENDED
    assert read_only_reason(owner).startswith("Your trial has ended.")
    assert invoices_of(owner) == []  # nothing is billed for a trial nobody chose to continue


def test_a_chosen_plan_starts_at_the_trials_end_with_an_invoice_paid_against_its_number(owner):
    end = D(2026, 1, 31)
    trial_ending_on(owner, end)
    pick(owner, "commercial", "year")
    pay_by(owner, "bank")
    assert subscription_of(owner).plan.key == "commercial"  # during the trial, at once and free
    assert invoices_of(owner) == []
    run_on(end)
    [invoice] = invoices_of(owner)
    assert invoice.number == f"IF-{end.year}-000001"
    assert (invoice.amount, invoice.currency, invoice.period_start, invoice.period_end) == (
        Decimal("78000.000"), "KES", end, D(2027, 1, 31))
    [charge] = charges_of(owner)
    assert charge.status == Charge.Status.AWAITING and "quoting IF-2026-000001" in charge.answer
    subscription = subscription_of(owner)
    assert subscription.status == Status.PAST_DUE and subscription.next_retry_on == end + dt.timedelta(days=1)
    assert any("IF-2026-000001" in m.subject for m in mail.outbox)
    outcome = services.payment_record(provider="bank", event_id="bank-ref-77", reference="if-2026-000001",
                                      amount=Decimal("78000"), currency="KES", today=end + dt.timedelta(days=2))
    assert outcome == "paid invoice IF-2026-000001"
    subscription = subscription_of(owner)
    assert subscription.status == Status.ACTIVE and subscription.next_retry_on is None
    invoice.refresh_from_db()
    assert invoice.status == PlatformInvoice.Status.PAID and invoice.paid_on == end + dt.timedelta(days=2)
    charge.refresh_from_db()
    assert charge.status == Charge.Status.SUCCEEDED and charge.provider_ref == "bank-ref-77"
    # The same payment told again changes nothing.
    assert services.payment_record(provider="bank", event_id="bank-ref-77", reference="IF-2026-000001",
                                   amount=Decimal("78000"), currency="KES") == "already recorded"


@pytest.mark.parametrize(("reference", "amount", "currency", "field"), [
    ("IF-2099-000404", "78000", "KES", "reference"),
    ("IF-2026-000001", "100", "KES", "amount"),
    ("IF-2026-000001", "78000", "USD", "currency"),
])
def test_a_payment_that_does_not_match_an_invoice_is_refused_and_logged(owner, reference, amount, currency, field):
    from apps.billing.models import PaymentEvent

    trial_ending_on(owner, D(2026, 1, 31))
    pick(owner, "commercial", "year")
    pay_by(owner, "bank")
    run_on(D(2026, 1, 31))
    with pytest.raises(ValidationError) as refused:
        services.payment_record(provider="bank", event_id=f"evt-{field}", reference=reference, amount=Decimal(amount),
                                currency=currency)
    assert field in refused.value.message_dict
    assert PaymentEvent.objects.get(event_id=f"evt-{field}").outcome.startswith("refused")
    assert invoices_of(owner)[0].status == PlatformInvoice.Status.OPEN


def test_the_billing_run_twice_issues_one_invoice_and_one_charge_per_period(owner, stripe_api):
    end = D(2026, 3, 31)
    trial_ending_on(owner, end, provider="stripe", stripe_customer="cus_1", stripe_payment_method="pm_card_visa")
    run_on(end, deliver=False)
    run_on(end)  # the same day's run again, before and after the workers
    run_on(end)
    assert len(invoices_of(owner)) == 1 and len(charges_of(owner)) == 1
    assert len(stripe_api.charges) == 1 and stripe_api.charges[0]["amount"] == 195000  # KES in cents
    assert subscription_of(owner).status == Status.ACTIVE
    assert invoices_of(owner)[0].status == PlatformInvoice.Status.PAID


def test_a_worker_killed_after_the_card_was_charged_charges_no_one_twice(owner, stripe_api):
    end = D(2026, 3, 31)
    trial_ending_on(owner, end, provider="stripe", stripe_customer="cus_1", stripe_payment_method="pm_card_visa")
    run_on(end, deliver=False)
    [charge] = charges_of(owner)
    # The worker called Stripe, then died before writing the answer down: the charge is still pending.
    gateways.charge(provider="stripe", amount=charge.amount, currency=charge.currency, reference=charge.invoice.number,
                    idempotency_key=charge.idempotency_key, customer="cus_1", payment_method="pm_card_visa")
    assert Charge.objects.unscoped().get(pk=charge.pk).status == Charge.Status.PENDING
    # The sweeper hands the message to another worker, which asks again with the same key.
    deliver_pending()
    assert len(stripe_api.charges) == 1
    charge.refresh_from_db()
    assert charge.status == Charge.Status.SUCCEEDED and charge.provider_ref == stripe_api.charges[0]["id"]


def test_a_provider_that_cannot_be_reached_leaves_the_charge_for_the_next_try(owner, stripe_api):
    end = D(2026, 3, 31)
    trial_ending_on(owner, end, provider="stripe", stripe_customer="cus_1", stripe_payment_method="pm_card_visa")
    run_on(end, deliver=False)
    stripe_api.fail_next = 1000
    deliver_pending(rounds=1)
    [charge] = charges_of(owner)
    assert charge.status == Charge.Status.PENDING  # not failed: nobody said no
    stripe_api.fail_next = 0
    run_on(end + dt.timedelta(days=1))  # the next run asks again, with the same key
    charge.refresh_from_db()
    assert charge.status == Charge.Status.SUCCEEDED and len(stripe_api.charges) == 1


def test_a_declined_card_is_tried_again_on_days_1_3_and_7_with_an_email_each_time_then_read_only(owner, stripe_api):
    start = D(2026, 1, 31)
    trial_ending_on(owner, start, provider="stripe", stripe_customer="cus_1", stripe_payment_method=DECLINED)
    run_on(start)
    tries, mails = [start], [len([m for m in mail.outbox if "did not go through" in m.subject])]
    for day in range(1, 9):
        today = start + dt.timedelta(days=day)
        before = len(charges_of(owner))
        run_on(today)
        if len(charges_of(owner)) > before:
            tries.append(today)
    assert tries == [start, D(2026, 2, 1), D(2026, 2, 3), D(2026, 2, 7)]
    assert [c.status for c in charges_of(owner)] == [Charge.Status.FAILED] * 4
    assert len({c.idempotency_key for c in charges_of(owner)}) == 4
    assert [c.answer for c in charges_of(owner)][0] == "Your card was declined."
    subscription = subscription_of(owner)
    assert subscription.status == Status.UNPAID and subscription.failures == 4
    assert read_only_reason(owner).startswith("Invoice IF-2026-000001 is unpaid.")
    failed = [m for m in mail.outbox if "IF-2026-000001" in m.body and "not paid" in m.body]
    assert len(failed) == 4 and mails == [1]  # one email per failure: the first, days 1, 3 and 7
    assert "read-only" in mail.outbox[-1].subject
    assert stripe_api.charges == []


def test_a_card_saved_while_unpaid_pays_the_invoice_and_lifts_the_read_only_state(owner, stripe_api):
    start = D(2026, 1, 31)
    trial_ending_on(owner, start, provider="stripe", stripe_customer="cus_0001", stripe_payment_method=DECLINED)
    for day in (0, 1, 3, 7):
        run_on(start + dt.timedelta(days=day))
    assert subscription_of(owner).status == Status.UNPAID
    with scope(tenant=owner.tenant_id):
        url = services.card_setup_url(membership=owner, success_url="http://testserver/billing/card/done/",
                                      cancel_url="http://testserver/billing/")
    session_id = url.rsplit("/", 1)[1]
    stripe_api.sessions[session_id].update(status="complete", setup_intent="seti_1", payment_method="pm_card_visa")
    with scope(tenant=owner.tenant_id):
        services.card_saved(membership=owner, session_id=session_id)
    deliver_pending()
    subscription = subscription_of(owner)
    assert subscription.card_label == "Visa ending 4242" and subscription.status == Status.ACTIVE
    assert read_only_reason(owner) == ""
    assert len(stripe_api.charges) == 1


def test_a_transfer_unpaid_after_day_7_makes_the_organisation_read_only(owner):
    start = D(2026, 4, 30)
    trial_ending_on(owner, start)
    pay_by(owner, "mobile", "+254712345678")
    for day in range(0, 8):
        run_on(start + dt.timedelta(days=day))
    subscription = subscription_of(owner)
    assert subscription.status == Status.UNPAID
    with scopes_disabled():
        reminders = Notification.objects.filter(tenant_id=owner.tenant_id, kind="payment_failed").count()
    assert reminders == 3  # days 1, 3 and 7
    [invoice] = invoices_of(owner)
    services.payment_record(provider="mobile", event_id="MPESA-QX1", reference=invoice.number, amount=invoice.amount,
                            currency="KES")
    assert subscription_of(owner).status == Status.ACTIVE and read_only_reason(owner) == ""


def test_renewals_at_month_ends_follow_the_anchor_day(owner):
    set_subscription(owner, status=Status.ACTIVE, provider="bank", current_period_start=D(2026, 1, 31),
                     current_period_end=D(2026, 2, 28), anchor_day=31, trial_ends_on=None)
    for day in (D(2026, 2, 28), D(2026, 3, 31), D(2026, 4, 30)):
        run_on(day)
        invoice = invoices_of(owner)[-1]
        services.payment_record(provider="bank", event_id=f"p-{day}", reference=invoice.number, amount=invoice.amount,
                                currency="KES")
    assert [(i.period_start, i.period_end) for i in invoices_of(owner)] == [
        (D(2026, 2, 28), D(2026, 3, 31)), (D(2026, 3, 31), D(2026, 4, 30)), (D(2026, 4, 30), D(2026, 5, 31))]


def test_an_upgrade_takes_effect_at_once_with_a_prorated_charge(owner):
    set_subscription(owner, status=Status.ACTIVE, provider="bank", current_period_start=D(2026, 1, 31),
                     current_period_end=D(2026, 2, 28), anchor_day=31, trial_ends_on=None)
    subscription = pick(owner, "commercial", today=D(2026, 2, 18))
    assert subscription.plan.key == "commercial" and subscription.next_plan is None
    [invoice] = invoices_of(owner)
    assert invoice.kind == PlatformInvoice.Kind.PRORATION and invoice.amount == Decimal("2089.29")  # 5850 x 10/28
    assert (invoice.period_start, invoice.period_end) == (D(2026, 2, 18), D(2026, 2, 28))
    assert len(charges_of(owner)) == 1
    with pytest.raises(ValidationError, match="This is your plan already"):
        pick(owner, "commercial", today=D(2026, 2, 18))


def test_a_downgrade_waits_for_the_period_end_and_states_what_goes_over_first(owner, farm):
    set_subscription(owner, status=Status.ACTIVE, provider="bank", current_period_start=D(2026, 1, 1),
                     current_period_end=D(2026, 2, 1), anchor_day=1, trial_ends_on=None)
    make_farm(owner, name="Second farm")
    for _ in range(31):
        with scopes_disabled():
            from apps.herd.models import Animal

            Animal.objects.create(tenant_id=owner.tenant_id, farm=farm, tag=f"D{_}", species="cattle", sex="female",
                                  date_of_birth=D(2020, 1, 1))
    with pytest.raises(ValidationError) as refused:
        pick(owner, "smallholder", today=D(2026, 1, 10))
    message = refused.value.message_dict["confirm_over_limits"][0]
    assert "you have 31 animals; Smallholder holds 30" in message and "you have 2 farms; Smallholder holds 1" in message
    assert subscription_of(owner).next_plan is None  # nothing changed
    subscription = pick(owner, "smallholder", today=D(2026, 1, 10), confirm_over_limits=True)
    assert subscription.plan.key == "family" and subscription.next_plan.key == "smallholder"
    run_on(D(2026, 2, 1))
    subscription = subscription_of(owner)
    assert subscription.plan.key == "smallholder" and subscription.next_plan is None
    assert invoices_of(owner)[-1].amount == Decimal("650.000")
    with scopes_disabled():
        assert Animal.objects.filter(tenant_id=owner.tenant_id).count() == 31  # nothing deleted


def test_cancelling_keeps_access_to_the_period_end_then_read_only(owner):
    set_subscription(owner, status=Status.ACTIVE, provider="bank", current_period_start=D(2026, 1, 1),
                     current_period_end=D(2026, 2, 1), anchor_day=1, trial_ends_on=None)
    with scope(tenant=owner.tenant_id):
        services.subscription_cancel(membership=owner)
    run_on(D(2026, 1, 31))
    assert subscription_of(owner).status == Status.ACTIVE and read_only_reason(owner) == ""
    run_on(D(2026, 2, 1))
    assert subscription_of(owner).status == Status.ENDED
    assert read_only_reason(owner).startswith("The subscription ended on 1 Feb 2026.")
    assert invoices_of(owner) == []
    # Choosing a plan again starts a new period today, billed at once.
    pick(owner, "family", today=D(2026, 2, 10))
    assert subscription_of(owner).status == Status.ACTIVE and read_only_reason(owner) == ""
    assert invoices_of(owner)[0].period_start == D(2026, 2, 10)


def test_invoice_numbers_are_one_gapless_sequence_across_organisations(owner):
    other = make_tenant()
    for membership, day in ((owner, D(2026, 6, 1)), (other, D(2026, 6, 2)), (owner, D(2026, 7, 1))):
        set_subscription(membership, status=Status.ACTIVE, provider="bank", current_period_start=day - dt.timedelta(days=30),
                         current_period_end=day, anchor_day=day.day, trial_ends_on=None)
        run_on(day)
    with scopes_disabled():
        numbers = list(PlatformInvoice.objects.order_by("pk").values_list("tenant_id", "number"))
    assert numbers == [(owner.tenant_id, "IF-2026-000001"), (other.tenant_id, "IF-2026-000002"),
                       (owner.tenant_id, "IF-2026-000003")]
    assert PlatformInvoiceSequence.objects.get(year=2026).last_number == 3


def test_owners_only_choose_plans(owner):
    from django.core.exceptions import PermissionDenied

    from tests.factories import make_member

    manager = make_member(owner, "manager")
    with scope(tenant=owner.tenant_id), pytest.raises(PermissionDenied):
        services.subscription_change(membership=manager, plan=plan("commercial"), period="month")


def test_the_platform_invoice_pdf_comes_from_the_farm_invoice_renderer(owner):
    from apps.billing.documents import platform_invoice_pdf

    trial_ending_on(owner, D(2026, 1, 31))
    pay_by(owner, "bank")
    run_on(D(2026, 1, 31))
    [invoice] = invoices_of(owner)
    with scope(tenant=owner.tenant_id):
        pdf = platform_invoice_pdf(invoice)
    assert pdf.startswith(b"%PDF")
    from io import BytesIO

    from pypdf import PdfReader

    text = PdfReader(BytesIO(pdf)).pages[0].extract_text()
    # Amounts grouped as the money pages write them (1,950.00), not 1950.00.
    assert "IF-2026-000001" in text and "Green Acres" in text and "1,950.00" in text and "1950.00" not in text

