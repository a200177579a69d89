import json
import logging
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.core.access import member_required
from apps.core.forms import add_service_errors

from . import gateways, limits, services
from .forms import PaymentMethodForm, PlanChoiceForm
from .models import PlatformInvoice

log = logging.getLogger(__name__)


def _page(request, *, change_form=None, method_form=None, status=200):
    membership = request.membership
    subscription = services.subscription_of(membership.tenant_id)
    if subscription is None:
        return render(request, "billing/home.html", {"subscription": None, "nav_section": "billing"})
    have = limits.counts(membership.tenant_id)
    plans = []
    for plan, monthly, yearly in services.offered_plans(subscription.currency):
        preview = services.change_preview(subscription=subscription, plan=plan, period=subscription.period, have=have)
        plans.append({"plan": plan, "monthly": monthly, "yearly": yearly, "preview": preview,
                      "current": plan.pk == subscription.plan_id})
    invoices = list(subscription.invoices.order_by("-issued_on", "-pk")[:24])
    price = services.price_of(subscription.next_plan or subscription.plan, subscription.currency,
                              subscription.next_period or subscription.period)
    context = {
        "subscription": subscription, "usage": limits.usage_now(membership.tenant_id, subscription.plan, have),
        "plans": plans, "invoices": invoices, "next_price": price,
        "open_invoice": next((i for i in invoices if i.status == PlatformInvoice.Status.OPEN), None),
        "change_form": change_form or PlanChoiceForm(initial={"plan": subscription.plan, "period": subscription.period}),
        "method_form": method_form or PaymentMethodForm(initial={"provider": subscription.provider or "bank",
                                                                 "mobile_number": subscription.mobile_number}),
        "stripe": gateways.stripe_enabled(), "bank_details": settings.BILLING_BANK_DETAILS,
        "mobile_details": settings.BILLING_MOBILE_DETAILS, "nav_section": "billing",
    }
    return render(request, "billing/home.html", context, status=status)


@member_required("tenant.manage")
def home(request):
    return _page(request)


@member_required("tenant.manage")
@require_POST
def change(request):
    form = PlanChoiceForm(request.POST)
    if form.is_valid():
        try:
            subscription = services.subscription_change(membership=request.membership, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if subscription.next_plan_id:
                messages.success(request, _("From %(day)s you will be on %(plan)s.") % {
                    "day": date_format(subscription.current_period_end, "DATE_FORMAT"), "plan": subscription.next_plan.name})
            else:
                messages.success(request, _("You are on %(plan)s now.") % {"plan": subscription.plan.name})
            return redirect("billing:home")
    return _page(request, change_form=form, status=400)


@member_required("tenant.manage")
@require_POST
def cancel(request):
    try:
        subscription = services.subscription_cancel(membership=request.membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Cancelled. Everything works until %(day)s; after that records can be read and exported, "
                                    "not added.") % {"day": date_format(subscription.current_period_end, "DATE_FORMAT")})
    return redirect("billing:home")


@member_required("tenant.manage")
@require_POST
def resume(request):
    try:
        services.subscription_resume(membership=request.membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your subscription will renew as before."))
    return redirect("billing:home")


@member_required("tenant.manage")
@require_POST
def payment_method(request):
    form = PaymentMethodForm(request.POST)
    if form.is_valid():
        try:
            services.payment_method_set(membership=request.membership, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Payment method saved."))
            return redirect("billing:home")
    return _page(request, method_form=form, status=400)


@member_required("tenant.manage")
@require_POST
def card_start(request):
    done = request.build_absolute_uri(reverse("billing:card_done"))
    try:
        url = services.card_setup_url(membership=request.membership, success_url=done,
                                      cancel_url=request.build_absolute_uri(reverse("billing:home")))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("billing:home")
    return redirect(url)


@member_required("tenant.manage")
def card_done(request):
    session_id = request.GET.get("session_id", "")
    if not session_id.startswith("cs_") or len(session_id) > 255:
        messages.error(request, _("The card was not saved: the answer from Stripe is missing."))
        return redirect("billing:home")
    try:
        subscription = services.card_saved(membership=request.membership, session_id=session_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(card)s saved: renewals are charged to it.") % {"card": subscription.card_label})
    return redirect("billing:home")


@member_required("tenant.manage")
def invoice_pdf(request, pk: int):
    from .documents import platform_invoice_pdf

    invoice = get_object_or_404(PlatformInvoice, pk=pk, tenant_id=request.membership.tenant_id)
    response = HttpResponse(platform_invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
    return response


# -- provider webhooks (no session, no tenant: each is verified by its signature) ---------------------

def _refused(request, what: str, status: int = 400):
    from apps.accounts.security import abuse_record
    from apps.core.middleware import client_ip

    abuse_record(ip=client_ip(request), kind="refused", detail=f"payment webhook: {what}")
    log.warning("payment webhook refused: %s", what)
    return JsonResponse({"error": what}, status=status)


@csrf_exempt
@require_POST
def stripe_webhook(request):
    if not settings.STRIPE_WEBHOOK_SECRET:
        return JsonResponse({"error": "Stripe is not set up."}, status=404)
    try:
        event = gateways.stripe_event(request.body, request.headers.get("Stripe-Signature", ""))
    except ValueError:
        return _refused(request, "bad Stripe signature")
    return JsonResponse({"outcome": services.stripe_event_handle(event)})


@csrf_exempt
@require_POST
def payment_webhook(request):
    """A bank or mobile money provider (or its bridge) tells us of a payment: Standard Webhooks signed JSON,
    {"id", "provider": "bank"|"mobile", "reference": invoice number, "amount": "…", "currency": "KES"}."""
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError

    if not settings.PAYMENT_WEBHOOK_SECRET:
        return JsonResponse({"error": "Payment webhooks are not set up."}, status=404)
    try:
        Webhook(settings.PAYMENT_WEBHOOK_SECRET).verify(request.body, dict(request.headers))
    except WebhookVerificationError:
        return _refused(request, "bad payment webhook signature")
    try:
        body = json.loads(request.body)
        amount = Decimal(str(body["amount"]))
        event_id, reference, currency = str(body["id"]), str(body["reference"]), str(body["currency"])
        provider = body.get("provider", "bank")
    except (ValueError, KeyError, TypeError, InvalidOperation):
        return _refused(request, "payment webhook body is not {id, reference, amount, currency}")
    if provider not in ("bank", "mobile") or not event_id or amount <= 0:
        return _refused(request, "payment webhook with an unknown provider, no id or no amount")
    try:
        outcome = services.payment_record(provider=provider, event_id=request.headers.get("webhook-id", event_id),
                                          reference=reference, amount=amount, currency=currency)
    except ValidationError as error:
        return _refused(request, " ".join(error.messages), status=422)
    return JsonResponse({"outcome": outcome})
