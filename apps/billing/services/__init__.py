"""Subscriptions: the trial, plan changes, billing runs, charges and payments.

Money moves in two steps. In one transaction the run writes the period's invoice (unique per
subscription period), a charge row (unique key per attempt) and an outbox message; after commit a
worker calls the provider with the charge's key as its Idempotency-Key and records the answer. A
second run finds the invoice and stops; a worker killed mid-call is replaced by the sweeper, whose
call with the same key is the same charge at the provider.
"""

from .charges import charge_decided, charge_run
from .common import (
    RETRY_DAYS,
    TRIAL_DAYS,
    currency_for,
    hold_reason,
    hold_text,
    offered_plans,
    price_of,
    subscription_of,
    today_utc,
)
from .payments import payment_record, stripe_event_handle
from .runs import billing_run, subscription_bill, trial_reminders, usage_measure, usage_measure_all
from .subscriptions import (
    card_saved,
    card_setup_url,
    change_preview,
    payment_method_set,
    subscription_cancel,
    subscription_change,
    subscription_resume,
    subscription_start_trial,
)

__all__ = [
    "RETRY_DAYS", "TRIAL_DAYS", "billing_run", "card_saved", "card_setup_url", "change_preview", "charge_decided",
    "charge_run", "currency_for", "hold_reason", "hold_text", "offered_plans", "payment_method_set", "payment_record",
    "price_of", "stripe_event_handle", "subscription_bill", "subscription_cancel", "subscription_change",
    "subscription_of", "subscription_resume", "subscription_start_trial", "today_utc", "trial_reminders",
    "usage_measure", "usage_measure_all",
]
