from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.selectors import farms_visible_to, roles_of
from apps.core.access import member_required
from apps.core.forms import add_service_errors

from . import selectors, services, webhooks
from .forms import ApiKeyForm, WebhookForm


@member_required("tenant.manage")
def integrations(request):
    """API keys and webhooks, and how to use them."""
    membership = request.membership
    posted_key = request.method == "POST" and "make_key" in request.POST
    form = ApiKeyForm(request.POST if posted_key else None, roles=roles_of(membership), farms=farms_visible_to(membership))
    webhook_form = WebhookForm(request.POST if request.method == "POST" and not posted_key else None)
    secret = webhook_secret = None
    if request.method == "POST" and not posted_key and webhook_form.is_valid():
        try:
            endpoint, webhook_secret = webhooks.endpoint_create(membership=membership, **webhook_form.cleaned_data)
        except ValidationError as error:
            add_service_errors(webhook_form, error)
        else:
            messages.success(request, _("Webhook to %(url)s added. Copy its signing secret now: it is not shown again.") % {"url": endpoint.url})
            webhook_form = WebhookForm()
    if posted_key and form.is_valid():
        try:
            key, secret = services.api_key_create(membership=membership, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Key %(name)s made. Copy the secret now: it is not shown again.") % {"name": key.name})
            form = ApiKeyForm(roles=roles_of(membership), farms=farms_visible_to(membership))
    return render(request, "api/integrations.html", {
        "form": form, "keys": selectors.keys_of(membership), "secret": secret, "webhook_form": webhook_form,
        "webhook_secret": webhook_secret, "endpoints": selectors.endpoints_of(membership),
        "base_url": request.build_absolute_uri("/api/v1/"), "now": timezone.now(),
    }, status=400 if form.errors or webhook_form.errors else 200)


@member_required("tenant.manage")
def endpoint_detail(request, pk: int):
    endpoint = selectors.get_endpoint_for(request.membership, pk)
    return render(request, "api/endpoint.html", {"endpoint": endpoint, "deliveries": selectors.deliveries_of(endpoint)})


@member_required("tenant.manage")
@require_POST
def endpoint_action(request, pk: int):
    """Send a test event, or turn the endpoint on or off."""
    endpoint = selectors.get_endpoint_for(request.membership, pk)
    action = request.POST.get("action")
    if action == "test":
        webhooks.send_test(membership=request.membership, endpoint=endpoint)
        messages.success(request, _("Test event on its way; its delivery shows below in a moment."))
    elif action in ("enable", "disable"):
        webhooks.endpoint_set_active(membership=request.membership, endpoint=endpoint, active=action == "enable")
        messages.success(request, _("Webhook turned on.") if action == "enable" else _("Webhook turned off."))
    return redirect("api:endpoint", pk=endpoint.pk)


@member_required("tenant.manage")
@require_POST
def delivery_resend(request, pk: int):
    delivery = selectors.get_delivery_for(request.membership, pk)
    webhooks.delivery_resend(membership=request.membership, delivery=delivery)
    messages.success(request, _("%(event)s sent again.") % {"event": delivery.event})
    return redirect("api:endpoint", pk=delivery.endpoint_id)


@member_required("tenant.manage")
@require_POST
def key_revoke(request, pk: int):
    key = selectors.get_key_for(request.membership, pk)
    services.api_key_revoke(membership=request.membership, key=key)
    messages.success(request, _("Key %(name)s revoked: it no longer works.") % {"name": key.name})
    return redirect("api:integrations")
