"""Payment providers behind one small interface.

Bank transfer and mobile money: the invoice says how to pay and quotes its number; it is paid when
staff or the provider's webhook records the payment against that reference. Stripe: the owner saves a
card once through Stripe Checkout (setup mode); renewals are PaymentIntents confirmed off-session,
each sent with the charge's Idempotency-Key so a worker that dies after the call charges no one twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from apps.core.money import places


@dataclass(frozen=True)
class Outcome:
    status: str  # "succeeded", "failed" or "awaiting"
    ref: str = ""
    answer: str = ""


class GatewayUnavailable(Exception):
    """The provider could not be reached or answered with an error of its own: try again later."""


def stripe_enabled() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def _client():
    import stripe

    kwargs = {"max_network_retries": 1}
    if settings.STRIPE_API_BASE:
        kwargs["base_addresses"] = {"api": settings.STRIPE_API_BASE}
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, **kwargs)


def minor_units(amount: Decimal, currency: str) -> int:
    """Stripe's integer amount: cents for KES, whole shillings for UGX."""
    return int(amount * (10 ** places(currency)))


def charge(*, provider: str, amount: Decimal, currency: str, reference: str, idempotency_key: str,
           customer: str = "", payment_method: str = "", metadata: dict | None = None) -> Outcome:
    if provider in ("bank", "mobile"):
        how = "bank transfer" if provider == "bank" else "mobile money"
        return Outcome("awaiting", reference, f"Waiting for a {how} quoting {reference}.")
    if provider != "stripe":
        return Outcome("failed", "", "No way to pay is set up.")
    if not (customer and payment_method):
        return Outcome("failed", "", "No card is saved.")
    import stripe

    try:
        intent = _client().v1.payment_intents.create(
            params={"amount": minor_units(amount, currency), "currency": currency.lower(), "customer": customer,
                    "payment_method": payment_method, "off_session": True, "confirm": True,
                    "description": reference, "metadata": {"reference": reference, **(metadata or {})}},
            options={"idempotency_key": idempotency_key},
        )
    except stripe.CardError as error:
        intent_id = ""
        body = error.json_body or {}
        intent_id = ((body.get("error") or {}).get("payment_intent") or {}).get("id", "")
        return Outcome("failed", intent_id, (error.user_message or str(error))[:500])
    except stripe.StripeError as error:
        raise GatewayUnavailable(str(error)) from error
    if intent.status == "succeeded":
        return Outcome("succeeded", intent.id, "Paid by card.")
    if intent.status == "processing":
        return Outcome("awaiting", intent.id, "The card payment is being processed.")
    return Outcome("failed", intent.id, f"The card payment was not completed ({intent.status}).")


def card_setup_start(*, customer: str, email: str, name: str, success_url: str, cancel_url: str,
                     metadata: dict) -> tuple[str, str]:
    """A Stripe customer (made once) and the address of the Checkout page that saves their card."""
    import stripe

    try:
        client = _client()
        if not customer:
            customer = client.v1.customers.create(params={"email": email, "name": name, "metadata": metadata}).id
        session = client.v1.checkout.sessions.create(params={
            "mode": "setup", "customer": customer, "currency": "usd", "payment_method_types": ["card"],
            "success_url": success_url + "?session_id={CHECKOUT_SESSION_ID}", "cancel_url": cancel_url,
            "metadata": metadata})
    except stripe.StripeError as error:
        raise GatewayUnavailable(str(error)) from error
    return customer, session.url


def card_setup_finish(session_id: str) -> tuple[str, str, str]:
    """The customer, the saved payment method and a label ("Visa ending 4242") of a completed Checkout."""
    import stripe

    try:
        client = _client()
        session = client.v1.checkout.sessions.retrieve(session_id, params={"expand": ["setup_intent"]})
        if session.status != "complete" or not session.setup_intent:
            raise GatewayUnavailable("The card was not saved.")
        method_id = session.setup_intent.payment_method
        method = client.v1.payment_methods.retrieve(method_id)
    except stripe.StripeError as error:
        raise GatewayUnavailable(str(error)) from error
    card = method.card
    label = f"{card.brand.title()} ending {card.last4}" if card else "Card"
    return session.customer, method_id, label


def stripe_event(payload: bytes, signature: str):
    """The verified event, or ValueError when the signature or the payload is wrong."""
    import stripe

    try:
        return stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
    except (stripe.SignatureVerificationError, ValueError) as error:
        raise ValueError(str(error)) from error
