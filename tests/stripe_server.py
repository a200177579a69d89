"""A local HTTP server answering the few Stripe API calls iFarm makes, for the suite.

It speaks Stripe's wire format (form-encoded requests, JSON objects, card errors as 402) so the real
`stripe` library talks to it. PaymentIntents honour the Idempotency-Key header as Stripe does: a
repeated key returns the first answer and charges nothing more. A hosted "Checkout" page in setup mode
saves a card and sends the browser back, as Stripe Checkout does.
"""

from __future__ import annotations

import itertools
import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

SECRET = "sk_test_local"
DECLINED = "pm_card_chargeDeclined"


class Stripe:
    def __init__(self):
        self.base = ""
        self.ids = itertools.count(1)
        self.customers: dict[str, dict] = {}
        self.sessions: dict[str, dict] = {}
        self.intents: dict[str, dict] = {}  # by id
        self.by_key: dict[str, tuple[int, dict]] = {}  # Idempotency-Key: the first answer
        self.charges: list[dict] = []  # money actually taken
        self.card_for_next_session = "pm_card_visa"
        self.fail_next = 0
        self.lock = threading.Lock()

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self.ids):04d}"


def _form(body: bytes) -> dict:
    flat = {}
    for key, values in parse_qs(body.decode(), keep_blank_values=True).items():
        flat[key] = values[-1]
    return flat


def handler_for(stripe: Stripe):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _answer(self, status: int, body, content_type: str = "application/json", headers: dict | None = None):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", "req_local")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _authorised(self) -> bool:
            if self.headers.get("Authorization") != f"Bearer {SECRET}":
                self._answer(401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided."}})
                return False
            return True

        def _body(self) -> dict:
            length = int(self.headers.get("Content-Length") or 0)
            return _form(self.rfile.read(length)) if length else {}

        def do_GET(self):
            parts = urlsplit(self.path)
            segments = [s for s in parts.path.split("/") if s]
            if segments[:1] == ["pay"]:
                session = stripe.sessions[segments[1]]
                page = (f"<!doctype html><html lang='en'><head><title>Stripe Checkout</title></head><body><main>"
                        f"<h1>Save a card</h1><form method='post'><label for='card'>Card number</label>"
                        f"<input id='card' name='card' value='4242 4242 4242 4242'>"
                        f"<button type='submit'>Save card</button></form><a href='{session['cancel_url']}'>Back</a>"
                        f"</main></body></html>")
                return self._answer(200, page.encode(), "text/html; charset=utf-8")
            if not self._authorised():
                return
            if segments[:3] == ["v1", "checkout", "sessions"]:
                session = dict(stripe.sessions[segments[3]])
                if "setup_intent" in parts.query and session.get("setup_intent"):
                    session["setup_intent"] = {"id": session["setup_intent"], "object": "setup_intent",
                                               "payment_method": session["payment_method"], "status": "succeeded"}
                return self._answer(200, session)
            if segments[:2] == ["v1", "payment_methods"]:
                return self._answer(200, {"id": segments[2], "object": "payment_method", "type": "card",
                                          "card": {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030}})
            return self._answer(404, {"error": {"type": "invalid_request_error", "message": "No such route."}})

        def do_POST(self):
            parts = urlsplit(self.path)
            segments = [s for s in parts.path.split("/") if s]
            body = self._body()
            if segments[:1] == ["pay"]:
                session = stripe.sessions[segments[1]]
                session.update(status="complete", setup_intent=stripe.new_id("seti"),
                               payment_method=stripe.card_for_next_session)
                self.send_response(303)
                self.send_header("Location", session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"]))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            if not self._authorised():
                return None
            with stripe.lock:
                if stripe.fail_next:
                    stripe.fail_next -= 1
                    return self._answer(500, {"error": {"type": "api_error", "message": "Something went wrong."}})
            if segments == ["v1", "customers"]:
                customer = {"id": stripe.new_id("cus"), "object": "customer", "email": body.get("email", "")}
                stripe.customers[customer["id"]] = customer
                return self._answer(200, customer)
            if segments == ["v1", "checkout", "sessions"]:
                session_id = stripe.new_id("cs_test")
                session = {"id": session_id, "object": "checkout.session", "mode": body.get("mode"), "status": "open",
                           "customer": body.get("customer"), "url": f"{stripe.base}/pay/{session_id}",
                           "success_url": body.get("success_url"), "cancel_url": body.get("cancel_url"),
                           "setup_intent": None}
                stripe.sessions[session_id] = session
                return self._answer(200, session)
            if segments == ["v1", "payment_intents"]:
                key = self.headers.get("Idempotency-Key", "")
                with stripe.lock:
                    if key and key in stripe.by_key:
                        status, answer = stripe.by_key[key]
                        return self._answer(status, answer, headers={"Idempotent-Replayed": "true"})
                    intent_id = stripe.new_id("pi")
                    intent = {"id": intent_id, "object": "payment_intent", "amount": int(body["amount"]),
                              "currency": body["currency"], "customer": body.get("customer"),
                              "payment_method": body.get("payment_method"), "metadata": {
                                  k[len("metadata["):-1]: v for k, v in body.items() if k.startswith("metadata[")}}
                    if body.get("payment_method") == DECLINED:
                        intent.update(status="requires_payment_method",
                                      last_payment_error={"code": "card_declined", "message": "Your card was declined."})
                        status, answer = 402, {"error": {"type": "card_error", "code": "card_declined",
                                                         "message": "Your card was declined.", "payment_intent": intent}}
                    else:
                        intent["status"] = "succeeded"
                        stripe.charges.append(intent)
                        status, answer = 200, intent
                    stripe.intents[intent_id] = intent
                    if key:
                        stripe.by_key[key] = (status, answer)
                return self._answer(status, answer)
            return self._answer(404, {"error": {"type": "invalid_request_error", "message": "No such route."}})

    return Handler


@contextmanager
def running_stripe():
    stripe = Stripe()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(stripe))
    stripe.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stripe
    finally:
        server.shutdown()
        server.server_close()
