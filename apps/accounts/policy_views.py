"""Pages for who may do what, when and how they sign in: policies, delegations, a member's effective
access, devices, single sign-on."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_POST

from apps.core.access import member_required
from apps.core.forms import add_service_errors
from apps.core.http import redirect_back
from apps.core.words import day

from . import policies, security, selectors, sso
from .access import PROTECTED
from .forms import DelegationForm, PolicyForm, SsoConnectionForm, SsoSignInForm
from .permissions import can, permissions_of


@member_required("team.view")
def policy_list(request):
    membership = request.membership
    rows = policies.policies_of(membership)
    return render(request, "accounts/policies.html", {
        "policies": rows,
        "delegations": policies.delegations_of(membership, everyone=True),
        "today": policies.today_of(membership),
    })


@member_required("team.manage")
def policy_edit(request, pk: int | None = None):
    membership = request.membership
    policy = policies.get_policy_for(membership, pk) if pk else None
    initial = None
    if policy is not None:
        initial = {"name": policy.name, "role": policy.role, "member": policy.membership,
                   "permissions": policy.permissions, "days": policy.days, "start_time": policy.start_time,
                   "end_time": policy.end_time, "amount_limit": policy.amount_limit, "farms": list(policy.farms.all()),
                   "ends_on": policy.ends_on}
    form = PolicyForm(request.POST or None, initial=initial, roles=selectors.roles_of(membership),
                      members=selectors.team_of(membership), farms=selectors.farms_visible_to(membership))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            policy = policies.policy_save(
                membership=membership, policy=policy, name=data["name"], role=data["role"], member=data["member"],
                permissions=data["permissions"], days=data["days"], start_time=data["start_time"],
                end_time=data["end_time"], amount_limit=data["amount_limit"], farms=list(data["farms"]),
                ends_on=data["ends_on"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The policy %(name)s is saved.") % {"name": policy.name})
            return redirect("accounts:policies")
    return render(request, "accounts/policy_form.html", {"policy": policy, "form": form},
                  status=400 if form.errors else 200)


@member_required("team.manage")
@require_POST
def policy_delete(request, pk: int):
    policy = policies.get_policy_for(request.membership, pk)
    policies.policy_delete(membership=request.membership, policy=policy)
    messages.success(request, _("The policy %(name)s was removed.") % {"name": policy.name})
    return redirect("accounts:policies")


@member_required("team.view")
def member_access(request, pk: int):
    """What a member may do now, where it comes from and what narrows it."""
    member = selectors.get_member_for(request.membership, pk)
    if member.pk == request.membership.pk:
        member = request.membership
    return render(request, "accounts/member_access.html",
                  {"member": member, "rows": policies.effective_access(member),
                   "delegations": policies.delegations_of(member), "today": policies.today_of(member)})


def _delegation_form(request, data=None):
    membership = request.membership
    held = permissions_of(membership) if membership.is_owner else permissions_of(membership) - PROTECTED
    members = selectors.team_of(membership).exclude(pk=membership.pk)
    return DelegationForm(data, members=members, held=held)


@member_required()
def delegations(request):
    """The member's own delegations: given, received, and a form to cover a holiday."""
    membership = request.membership
    form = _delegation_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            delegation = policies.delegation_create(
                membership=membership, delegate=data["delegate"], permissions=data["permissions"],
                starts_on=data["starts_on"], ends_on=data["ends_on"], note=data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(member)s covers for you from %(start)s to %(end)s.") % {
                "member": delegation.delegate, "start": day(delegation.starts_on), "end": day(delegation.ends_on)})
            return redirect("accounts:delegations")
    return render(request, "accounts/delegations.html", {
        "form": form, "delegations": policies.delegations_of(membership), "today": policies.today_of(membership),
        "can_manage": can(membership, "team.manage"),
    }, status=400 if form.errors else 200)


@member_required()
@require_POST
def delegation_revoke(request, pk: int):
    delegation = policies.get_delegation_for(request.membership, pk)
    try:
        policies.delegation_revoke(membership=request.membership, delegation=delegation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        messages.error(request, _("Only the two members or a team manager can revoke a delegation."))
    else:
        messages.success(request, _("The delegation was revoked."))
    return redirect_back(request, "accounts:delegations")


@login_required
def devices(request):
    return render(request, "accounts/devices.html", {"devices": security.devices_of(request.user),
                                                     "current": request.COOKIES.get(security.DEVICE_COOKIE, "")})


@login_required
@require_POST
def device_action(request, pk: int):
    device = security.devices_of(request.user).filter(pk=pk).first()
    if device is None:
        raise Http404
    action = request.POST.get("action", "")
    if action == "forget":
        security.device_forget(user=request.user, device_id=device.pk)
        messages.success(request, _("%(name)s forgotten.") % {"name": device.name})
    elif action in ("trust", "distrust"):
        security.device_set_trusted(user=request.user, device_id=device.pk, trusted=action == "trust")
        messages.success(request, _("%(name)s updated.") % {"name": device.name})
    else:
        messages.error(request, _("Pick Trust, Do not trust or Forget."))
    return redirect("accounts:devices")


# Single sign-on -----------------------------------------------------------------------------------


@member_required("tenant.manage")
def sso_settings(request):
    membership = request.membership
    form = SsoConnectionForm(request.POST or None, roles=selectors.roles_of(membership),
                             initial={"role": selectors.roles_of(membership).filter(key="worker").first()})
    if request.method == "POST" and form.is_valid():
        try:
            connection = sso.connection_create(membership=membership, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s is connected for @%(email_domain)s.") % {"name": connection.name, "email_domain": connection.email_domain})
            return redirect("accounts:sso_settings")
    connections = [(c, sso.login_url(c)) for c in sso.connections_of(membership)]
    return render(request, "accounts/sso_settings.html", {"form": form, "connections": connections},
                  status=400 if form.errors else 200)


@member_required("tenant.manage")
@require_POST
def sso_verify(request, pk: int):
    connection = sso.get_connection_for(request.membership, pk)
    try:
        sso.connection_verify(membership=request.membership, connection=connection)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("@%(domain)s is verified: %(name)s signs its people in.") % {
            "domain": connection.email_domain, "name": connection.name})
    return redirect("accounts:sso_settings")


@member_required("tenant.manage")
@require_POST
def sso_delete(request, pk: int):
    connection = sso.get_connection_for(request.membership, pk)
    sso.connection_delete(membership=request.membership, connection=connection)
    messages.success(request, _("%(name)s was disconnected.") % {"name": connection.name})
    return redirect("accounts:sso_settings")


# The form posts here and is redirected to the organisation's identity provider: browsers hold a form's
# redirects to its form-action, so this one page lets a form lead to any https address.
SSO_CSP = {**settings.SECURE_CSP, "form-action": [CSP.SELF, "https:", *(["http:"] if settings.SSO_ALLOW_HTTP else [])]}


@csp_override(SSO_CSP)
def sso_sign_in(request):
    """"Sign in with your organisation": the email's domain picks the organisation's identity provider."""
    # "Link" from the profile: the signed-in person's own address, and allauth's connect process.
    linking = request.user.is_authenticated and request.GET.get("process", request.POST.get("process")) == "connect"
    form = SsoSignInForm(request.POST or None, initial={"email": request.user.email} if linking else None)
    if request.method == "POST" and form.is_valid():
        connection = sso.connection_for_email(form.cleaned_data["email"])
        if connection is None:
            form.add_error("email", _("No organisation signs this address in with single sign-on. Use your password."))
        else:
            from allauth.socialaccount.adapter import get_adapter

            provider = get_adapter().get_provider(request, connection.app.provider_id if connection.protocol == "oidc"
                                                  else "saml", client_id=connection.app.client_id)
            return provider.redirect_from_request(request)
    return render(request, "accounts/sso_sign_in.html", {"form": form, "linking": linking}, status=400 if form.errors else 200)
