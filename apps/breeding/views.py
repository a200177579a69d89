from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.decorators import member_required
from apps.accounts.permissions import can
from apps.core.forms import add_service_errors
from apps.herd.selectors import get_animal_for

from . import selectors, services
from .forms import BirthForm, CheckForm, HeatForm, OffspringFormSet, ServiceForm


@member_required("herd.view")
def today(request):
    """What is due on the member's farms this morning."""
    return render(request, "breeding/today.html", {"due": selectors.today_for(request.membership), "today": timezone.localdate()})


def _page(request, animal, *, heat_form=None, service_form=None, check_form=None, birth_form=None, offspring=None,
          status=200):
    membership = request.membership
    context = {
        "animal": animal,
        "services": selectors.services_of(animal),
        "heat_form": heat_form or HeatForm(initial={"observed_on": timezone.localdate()}),
        "service_form": service_form or ServiceForm(initial={"served_on": timezone.localdate()},
                                                    males=selectors.breeding_males(membership)),
        "check_form": check_form or CheckForm(initial={"checked_on": timezone.localdate()}),
        "birth_form": birth_form or BirthForm(initial={"born_on": timezone.localdate(), "ease": 1}),
        "offspring": offspring or OffspringFormSet(prefix="young"),
        "can_record": can(membership, "herd.manage", animal),
    }
    return render(request, "breeding/animal.html", context, status=status)


@member_required("herd.view")
def animal_breeding(request, pk: int):
    return _page(request, get_animal_for(request.membership, pk))


@member_required("herd.manage")
@require_POST
def heat_create(request, pk: int):
    animal = get_animal_for(request.membership, pk)
    form = HeatForm(request.POST)
    if form.is_valid():
        try:
            services.heat_record(membership=request.membership, animal=animal, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Heat of {animal.tag} recorded.")
            return redirect("breeding:animal", pk=animal.pk)
    return _page(request, animal, heat_form=form, status=400)


@member_required("herd.manage")
@require_POST
def service_create(request, pk: int):
    animal = get_animal_for(request.membership, pk)
    form = ServiceForm(request.POST, males=selectors.breeding_males(request.membership))
    if form.is_valid():
        try:
            service = services.service_record(membership=request.membership, animal=animal, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            note = f" The calf's inbreeding would be {service.inbreeding} %: above 6.25 %." if (
                service.inbreeding is not None and service.inbreeding > 6.25) else ""
            (messages.warning if note else messages.success)(request, f"Service of {animal.tag} recorded.{note}")
            return redirect("breeding:animal", pk=animal.pk)
    return _page(request, animal, service_form=form, status=400)


@member_required("herd.manage")
@require_POST
def check_create(request, pk: int):
    animal = get_animal_for(request.membership, pk)
    service = selectors.services_of(animal).first()
    if service is None:
        raise Http404
    form = CheckForm(request.POST)
    if form.is_valid():
        try:
            check = services.pregnancy_check_record(membership=request.membership, service=service, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            due = f" Due on {check.expected_birth_on:%d %b %Y}." if check.expected_birth_on else ""
            messages.success(request, f"{animal.tag}: {check.get_result_display().lower()}.{due}")
            return redirect("breeding:animal", pk=animal.pk)
    return _page(request, animal, check_form=form, status=400)


@member_required("herd.manage")
@require_POST
def birth_create(request, pk: int):
    animal = get_animal_for(request.membership, pk)
    form = BirthForm(request.POST)
    offspring = OffspringFormSet(request.POST, prefix="young")
    if form.is_valid() and offspring.is_valid():
        young = [f.cleaned_data for f in offspring if f.cleaned_data]
        try:
            birth = services.birth_record(membership=request.membership, animal=animal, offspring=young, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            born = [y["tag"] for y in birth.offspring if y.get("animal_id")]
            messages.success(request, f"Birth recorded for {animal.tag}" + (f": {', '.join(born)} joined the herd." if born else "."))
            return redirect("herd:detail", pk=animal.pk)
    return _page(request, animal, birth_form=form, offspring=offspring, status=400)
