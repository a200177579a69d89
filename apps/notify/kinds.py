"""The kinds of notification, each with its own templates (templates/notify/kinds/<kind>.html:
partials `subject`, `text`, `html` and `short`), whether it is urgent (quiet hours do not hold it),
and the channels it uses until the member chooses."""

from __future__ import annotations

from dataclasses import dataclass

APP, EMAIL, SMS, PUSH = "app", "email", "sms", "push"
CHANNELS = {APP: "In the app", EMAIL: "Email", SMS: "SMS", PUSH: "Push"}


@dataclass(frozen=True)
class Kind:
    label: str
    urgent: bool = False
    channels: tuple[str, ...] = (APP,)


KINDS: dict[str, Kind] = {
    "expense_decided": Kind("An expense of mine was approved or rejected", channels=(APP, EMAIL)),
    "approval_waiting": Kind("An expense waits for my approval", channels=(APP, EMAIL)),
    "milk_alert": Kind("A milk quality alert (high cell count, blood, a drop in yield)", channels=(APP, PUSH)),
    "withdrawal_ending": Kind("A withdrawal period ends", channels=(APP,)),
    "calving_due": Kind("A calving is due", channels=(APP, PUSH)),
    "task_due": Kind("A task or the day's list is due", channels=(APP,)),
    "delegation": Kind("Someone handed me their permissions", channels=(APP, EMAIL)),
    "security_alert": Kind("A security alert for the organisation", urgent=True, channels=(APP, EMAIL)),
    "trial_ending": Kind("The trial is ending", channels=(APP, EMAIL)),
    "trial_ended": Kind("The trial has ended", urgent=True, channels=(APP, EMAIL)),
    "invoice_issued": Kind("A subscription invoice to pay", channels=(APP, EMAIL)),
    "payment_failed": Kind("A subscription payment failed", urgent=True, channels=(APP, EMAIL)),
    "payment_received": Kind("A subscription payment arrived", channels=(APP, EMAIL)),
    "subscription_ended": Kind("The subscription ended", urgent=True, channels=(APP, EMAIL)),
    "webhook_disabled": Kind("A webhook was turned off", channels=(APP, EMAIL)),
    "general": Kind("Other news about my organisation", channels=(APP,)),
}


def choices() -> list[tuple[str, str]]:
    return [(key, kind.label) for key, kind in KINDS.items()]
