from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.decorators import member_required
from apps.accounts.selectors import roles_of
from apps.core.forms import add_service_errors
from apps.farms.selectors import farms_visible_to

from . import selectors, services
from .forms import ApiKeyForm


@member_required("tenant.manage")
def integrations(request):
    """API keys, and how to use them."""
    membership = request.membership
    form = ApiKeyForm(request.POST or None, roles=roles_of(membership), farms=farms_visible_to(membership))
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            key, secret = services.api_key_create(membership=membership, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Key {key.name} made. Copy the secret now: it is not shown again.")
            form = ApiKeyForm(roles=roles_of(membership), farms=farms_visible_to(membership))
    return render(request, "api/integrations.html", {
        "form": form, "keys": selectors.keys_of(membership), "secret": secret,
        "base_url": request.build_absolute_uri("/api/v1/"), "now": timezone.now(),
    }, status=400 if form.errors else 200)


@member_required("tenant.manage")
@require_POST
def key_revoke(request, pk: int):
    key = selectors.get_key_for(request.membership, pk)
    services.api_key_revoke(membership=request.membership, key=key)
    messages.success(request, f"Key {key.name} revoked: it no longer works.")
    return redirect("api:integrations")
