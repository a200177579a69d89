from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.decorators import member_required
from apps.core.forms import add_service_errors

from . import selectors, services
from .forms import FarmForm, GroupForm


@member_required("farms.view")
def farm_list(request):
    show_archived = request.GET.get("archived") == "1"
    farms = selectors.farms_visible_to(request.membership, include_archived=show_archived)
    return render(request, "farms/list.html", {"farms": farms, "show_archived": show_archived})


@member_required("farms.view")
def farm_detail(request, pk: int):
    farm = selectors.get_farm_for(request.membership, pk)
    return render(request, "farms/detail.html", _detail_context(farm, GroupForm()))


def _detail_context(farm, group_form):
    from apps.herd.selectors import groups_with_counts

    return {"farm": farm, "groups": groups_with_counts(farm), "group_form": group_form}


@member_required("herd.manage")
@require_POST
def group_create(request, pk: int):
    from apps.herd.services import animal_group_create

    farm = selectors.get_farm_for(request.membership, pk)
    form = GroupForm(request.POST)
    if form.is_valid():
        try:
            group = animal_group_create(membership=request.membership, farm=farm, name=form.cleaned_data["name"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Group %(name)s added to %(name2)s.") % {"name": group.name, "name2": farm.name})
            return redirect(farm)
    return render(request, "farms/detail.html", _detail_context(farm, form), status=400)


@member_required("farms.manage")
def farm_create(request):
    form = FarmForm(request.POST or None, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        try:
            farm = services.farm_create(membership=request.membership, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Farm %(name)s created.") % {"name": farm.name})
            return redirect(farm)
    return render(request, "farms/form.html", {"form": form}, status=400 if form.errors else 200)


@member_required("farms.manage")
def farm_edit(request, pk: int):
    farm = selectors.get_farm_for(request.membership, pk)
    form = FarmForm(request.POST or None, instance=farm)
    if request.method == "POST" and form.is_valid():
        try:
            services.farm_update(membership=request.membership, farm=farm, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Farm saved."))
            return redirect(farm)
    return render(request, "farms/form.html", {"form": form, "farm": farm}, status=400 if form.errors else 200)


@member_required("farms.manage")
@require_POST
def farm_archive(request, pk: int):
    farm = selectors.get_farm_for(request.membership, pk)
    try:
        if farm.is_archived:
            services.farm_restore(membership=request.membership, farm=farm)
            messages.success(request, _("%(name)s is active again.") % {"name": farm.name})
        else:
            services.farm_archive(membership=request.membership, farm=farm)
            messages.success(request, _("%(name)s was archived.") % {"name": farm.name})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(farm)
