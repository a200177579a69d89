from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.access import member_required
from apps.core.forms import add_service_errors
from apps.core.http import id_param, redirect_back

from . import selectors, services
from .forms import (
    InvitationForm,
    InvitationSignupForm,
    MemberAccessForm,
    OrganisationFields,
    OrganisationForm,
    ProfileForm,
    RoleForm,
)
from .middleware import SESSION_FARM, SESSION_TENANT


@login_required
def onboarding(request):
    """A logged-in person without an organisation creates one (or follows an invitation)."""
    if request.membership is not None:
        return redirect("home")
    form = OrganisationFields(request.POST or None)
    if request.method == "POST" and form.is_valid():
        tenant, _membership = services.tenant_create(
            owner=request.user,
            name=form.cleaned_data["organisation_name"],
            country=form.cleaned_data["country"],
            currency=form.cleaned_data["currency"],
            milk_unit=form.cleaned_data["milk_unit"],
            time_zone=form.cleaned_data["time_zone"],
        )
        request.session[SESSION_TENANT] = tenant.pk
        messages.success(request, _("%(name)s is ready. Add your first farm.") % {"name": tenant.name})
        return redirect("farms:create")
    return render(request, "accounts/onboarding.html", {"form": form})


@login_required
@require_POST
def tenant_switch(request):
    # From the memberships read before the request was narrowed to its organisation: a query here would see
    # only this organisation's rows (row-level security), never the one being switched to.
    wanted = id_param(request.POST, "tenant") or 0
    chosen = next((m for m in request.memberships if m.tenant_id == wanted), None)
    if chosen is None:
        messages.error(request, _("You are not a member of that organisation."))
    else:
        request.session[SESSION_TENANT] = chosen.tenant_id
        request.session.pop(SESSION_FARM, None)
        messages.success(request, _("Switched to %(name)s.") % {"name": chosen.tenant.name})
    return redirect("home")


@member_required()
@require_POST
def farm_switch(request):
    farm_id = id_param(request.POST, "farm")
    if farm_id:
        farm = selectors.get_farm_for(request.membership, farm_id)
        request.session[SESSION_FARM] = farm.pk
    else:
        request.session.pop(SESSION_FARM, None)
    return redirect_back(request, "home")


@member_required("team.view")
def team(request):
    membership = request.membership
    roles = selectors.roles_assignable_by(membership)
    # The safest common case first: a worker, not an owner.
    form = InvitationForm(roles=roles, farms=selectors.farms_visible_to(membership), initial={"role": roles.filter(key="worker").first()})
    return render(request, "accounts/team.html", _team_context(membership, form))


def _team_context(membership, form):
    return {
        "members": selectors.team_of(membership),
        "invitations": selectors.pending_invitations_of(membership),
        "roles": selectors.roles_with_members(membership),
        "form": form,
    }


@member_required("team.manage")
def role_edit(request, pk: int | None = None):
    membership = request.membership
    role = selectors.get_role_for(membership, pk) if pk else None
    initial = {"name": role.name, "permissions": role.permissions} if role else None
    form = RoleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            role = services.role_save(membership=membership, role=role, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The role %(name)s is saved.") % {"name": role.name})
            return redirect("accounts:team")
    return render(request, "accounts/role_form.html", {"role": role, "form": form}, status=400 if form.errors else 200)


@member_required("team.manage")
@require_POST
def role_delete(request, pk: int):
    role = selectors.get_role_for(request.membership, pk)
    try:
        services.role_delete(membership=request.membership, role=role)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("accounts:role_edit", pk=role.pk)
    messages.success(request, _("The role %(name)s was deleted.") % {"name": role.name})
    return redirect("accounts:team")


@member_required("team.manage")
@require_POST
def invitation_create(request):
    membership = request.membership
    form = InvitationForm(request.POST, roles=selectors.roles_assignable_by(membership), farms=selectors.farms_visible_to(membership))
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                membership=membership,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                all_farms=form.cleaned_data["all_farms"],
                farms=list(form.cleaned_data["farms"]),
                link_for=lambda token: request.build_absolute_uri(reverse("accounts:invitation_accept", args=[token])),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The invitation to %(email)s is on its way.") % {"email": invitation.email})
            return redirect("accounts:team")
    return render(request, "accounts/team.html", _team_context(membership, form), status=400)


@member_required("team.manage")
@require_POST
def invitation_revoke(request, pk: int):
    invitation = selectors.get_invitation_for(request.membership, pk)
    services.invitation_revoke(membership=request.membership, invitation=invitation)
    messages.success(request, _("The invitation for %(email)s was withdrawn.") % {"email": invitation.email})
    return redirect("accounts:team")


def invitation_accept(request, token: str):
    """The link from the invitation email: join at once, or create an account first."""
    invitation = services.invitation_from_token(token)
    if invitation is None:
        return render(request, "accounts/invitation.html", {"problem": "This invitation link is not valid."}, status=404)
    problem = None
    if invitation.accepted_at is not None:
        problem = "This invitation has already been used."
    elif invitation.revoked_at is not None:
        problem = "This invitation was withdrawn."
    elif not invitation.is_usable:
        problem = "This invitation has expired. Ask the owner for a new one."
    context = {"invitation": invitation, "problem": problem, "token": token}
    if problem:
        return render(request, "accounts/invitation.html", context, status=410)

    has_account = selectors.user_exists(invitation.email)
    signup_form = None
    if request.user.is_authenticated:
        if request.method == "POST":
            return _accept(request, token)
    elif not has_account:
        signup_form = InvitationSignupForm(request.POST or None, email=invitation.email)
        if request.method == "POST" and signup_form.is_valid():
            user = services.user_create_invited(
                email=invitation.email, full_name=signup_form.cleaned_data["full_name"], password=signup_form.cleaned_data["password"]
            )
            login(request, user, backend="apps.accounts.backends.ModelBackend")
            return _accept(request, token)
    context.update(signup_form=signup_form, has_account=has_account)
    return render(request, "accounts/invitation.html", context, status=400 if signup_form and signup_form.errors else 200)


def _accept(request, token):
    try:
        membership = services.invitation_accept(token=token, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("accounts:invitation_accept", token=token)
    request.session[SESSION_TENANT] = membership.tenant_id
    request.session.pop(SESSION_FARM, None)
    messages.success(request, _("Welcome to %(name)s.") % {"name": membership.tenant.name})
    return redirect("home")


@member_required("team.manage")
def member_edit(request, pk: int):
    membership = request.membership
    member = selectors.get_member_for(membership, pk)
    if member.is_owner and not membership.is_owner:
        raise PermissionDenied(_("Only an owner can change, remove or make an owner."))
    initial = {"role": member.role, "all_farms": member.all_farms, "farms": list(member.farms.all())}
    form = MemberAccessForm(
        request.POST or None, initial=initial, roles=selectors.roles_assignable_by(membership), farms=selectors.farms_visible_to(membership)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(
                membership=membership,
                member=member,
                role=form.cleaned_data["role"],
                all_farms=form.cleaned_data["all_farms"],
                farms=list(form.cleaned_data["farms"]),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(member)s is now %(role)s.") % {"member": member.user.display_name,
                                                                            "role": form.cleaned_data["role"]})
            return redirect("accounts:team")
    status = 400 if form.errors else 200
    return render(request, "accounts/member_edit.html", {"member": member, "form": form}, status=status)


@member_required("team.manage")
@require_POST
def member_remove(request, pk: int):
    member = selectors.get_member_for(request.membership, pk)
    try:
        services.membership_remove(membership=request.membership, member=member)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(display_name)s was removed.") % {"display_name": member.user.display_name})
    return redirect("accounts:team")


@member_required("tenant.manage")
def organisation(request):
    form = OrganisationForm(request.POST or None, instance=request.tenant)
    if request.method == "POST" and form.is_valid():
        services.tenant_update(membership=request.membership, **{k: form.cleaned_data[k] for k in form.Meta.fields})
        messages.success(request, _("Organisation settings saved."))
        return redirect("accounts:organisation")
    return render(request, "accounts/organisation.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def profile(request):
    instance = services.profile_for(request.user)
    form = ProfileForm(request.POST or None, request.FILES or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.profile_update(membership=request.membership, profile=instance,
                                **{name: form.cleaned_data[name] for name in form.changed_data})
        messages.success(request, _("Profile saved."))
        return redirect("accounts:profile")
    from .sso import connection_to_link

    return render(request, "accounts/profile.html", {"form": form, "sso_link": connection_to_link(request.user)},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def session_revoke(request, pk: int):
    """Sign one of the user's other sessions out (a lost phone, a shared computer)."""
    session = selectors.get_user_session_for(request.user, pk)
    if session.is_current():
        messages.error(request, _("Use Log out to end the session on this device."))
    else:
        session.end()
        messages.success(request, _("That session was signed out."))
    return redirect("usersessions_list")
