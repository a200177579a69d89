from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.selectors import farms_visible_to, get_farm_for
from apps.core.access import member_required
from apps.core.forms import add_service_errors

from . import services
from .forms import FarmForm


@member_required("farms.view")
def farm_list(request):
    show_archived = request.GET.get("archived") == "1"
    farms = farms_visible_to(request.membership, include_archived=show_archived)
    return render(request, "farms/list.html", {"farms": farms, "show_archived": show_archived})


# Parts of the farm page drawn by the apps above this one (the herd's groups and pens), registered when
# they start: each is a function (request, farm) -> HTML.
FARM_PAGE_SECTIONS: list[Callable] = []


def farm_section_register(draw: Callable) -> None:
    if draw not in FARM_PAGE_SECTIONS:
        FARM_PAGE_SECTIONS.append(draw)


@member_required("farms.view")
def farm_detail(request, pk: int):
    return farm_page(request, get_farm_for(request.membership, pk))


def farm_page(request, farm, *, drawn: dict | None = None, status: int = 200):
    """The farm page: the farm's own details, then each registered section (`drawn` holds a section already
    drawn, such as a form sent back with its errors)."""
    drawn = drawn or {}
    sections = [drawn[draw] if draw in drawn else draw(request, farm) for draw in FARM_PAGE_SECTIONS]
    return render(request, "farms/detail.html", {"farm": farm, "sections": sections}, status=status)


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
    farm = get_farm_for(request.membership, pk)
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
    farm = get_farm_for(request.membership, pk)
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
