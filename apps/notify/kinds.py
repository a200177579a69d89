"""The kinds of notification, each with its own templates (templates/notify/kinds/<kind>.html:
partials `subject`, `text`, `html` and `short`), whether it is urgent (quiet hours do not hold it),
and the channels it uses until the member chooses."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

APP, EMAIL, SMS, PUSH = "app", "email", "sms", "push"
CHANNELS = {APP: _("In the app"), EMAIL: _("Email"), SMS: _("SMS"), PUSH: _("Push")}


@dataclass(frozen=True)
class Kind:
    label: str
    urgent: bool = False
    channels: tuple[str, ...] = (APP,)


KINDS: dict[str, Kind] = {
    "expense_decided": Kind(_("An expense of mine was approved or rejected"), channels=(APP, EMAIL)),
    "approval_waiting": Kind(_("An expense waits for my approval"), channels=(APP, EMAIL)),
    "invoice_overdue": Kind(_("A sales invoice is overdue"), channels=(APP, EMAIL)),
    "milk_alert": Kind(_("A milk quality alert (high cell count, blood, a drop in yield)"), channels=(APP, PUSH)),
    "withdrawal_ending": Kind(_("A withdrawal period ends"), channels=(APP,)),
    "calving_due": Kind(_("A calving is due"), channels=(APP, PUSH)),
    "task_due": Kind(_("A task or the day's list is due"), channels=(APP,)),
    "delegation": Kind(_("Someone handed me their permissions"), channels=(APP, EMAIL)),
    "security_alert": Kind(_("A security alert for the organisation"), urgent=True, channels=(APP, EMAIL)),
    "trial_ending": Kind(_("The trial is ending"), channels=(APP, EMAIL)),
    "trial_ended": Kind(_("The trial has ended"), urgent=True, channels=(APP, EMAIL)),
    "invoice_issued": Kind(_("A subscription invoice to pay"), channels=(APP, EMAIL)),
    "payment_failed": Kind(_("A subscription payment failed"), urgent=True, channels=(APP, EMAIL)),
    "payment_received": Kind(_("A subscription payment arrived"), channels=(APP, EMAIL)),
    "subscription_ended": Kind(_("The subscription ended"), urgent=True, channels=(APP, EMAIL)),
    "webhook_disabled": Kind(_("A webhook was turned off"), channels=(APP, EMAIL)),
    "general": Kind(_("Other news about my organisation"), channels=(APP,)),
}


def choices() -> list[tuple[str, str]]:
    return [(key, kind.label) for key, kind in KINDS.items()]
