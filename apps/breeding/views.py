import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.permissions import can
from apps.accounts.selectors import farm_list, farms_visible_to, team_of
from apps.core import drawn_later
from apps.core.access import member_required
from apps.core.forms import add_service_errors
from apps.core.fragments import clock_step
from apps.core.http import id_param
from apps.core.words import amount, day, listing
from apps.farms.selectors import external_farms
from apps.herd.lifecycle import event_record
from apps.herd.selectors import active_animal_choices, get_animal_for, groups_visible_to, outside_sires
from apps.milk.selectors import open_lactation_of
from apps.milk.services import lactation_dry_off

from . import fertility, inbreeding, selectors, services
from .forms import (
    BirthForm,
    BirthVoidForm,
    CheckForm,
    FertilityForm,
    HeatForm,
    HireForm,
    QuickBirthForm,
    ServiceForm,
    TaskForm,
    offspring_formset,
)
from .models import PregnancyCheck


@member_required("herd.view")
def today(request):
    """What is due on the member's farms this morning, each line with the one action that clears it."""
    membership = request.membership
    farms = farm_list(membership)
    wanted = id_param(request.GET, "farm") if "farm" in request.GET else request.session.get("farm_id")
    farm = next((f for f in farms if f.pk == wanted), None)
    can_record, can_vaccinate = can(membership, "herd.manage"), can(membership, "health.record")

    def draw() -> str:
        return drawn_later.render(request, "breeding/today.html#body", {
            "due": selectors.today_for(membership, farm_id=farm.pk if farm else None), "today": timezone.localdate(),
            "can_record": can_record, "check_methods": PregnancyCheck.Method.choices, "farms": farms, "farm": farm})

    # Kept until the herd or its breeding changes; "withdrawals ending" moves with the clock, so at most ten minutes.
    body = selectors.today_drawn(membership, vary_on=(
        farm.pk if farm else None, [f.pk for f in farms], can_record, can_vaccinate, timezone.localdate(), clock_step(),
        timezone.get_current_timezone_name(), get_language()), draw=draw)
    return render(request, "breeding/today.html", {"body": drawn_later.fill(request, body)})


def _act(membership, action: str, pk: int, data) -> tuple[object, str]:
    """Do one Today action; returns (the animal or task, what was done). Raises Http404 for what the member cannot see."""
    if action in ("task_done", "task_skip"):
        task = selectors.tasks_for(membership).filter(pk=pk).first()
        if task is None:
            raise Http404
        following = services.task_close(membership=membership, task=task, state="done" if action == "task_done" else "skipped")
        state = _("done") if action == "task_done" else _("skipped")
        if following:
            return task, _("%(task)s: %(state)s; next on %(day)s.") % {"task": task.title, "state": state,
                                                                      "day": day(following.due_on, year=False)}
        return task, _("%(task)s: %(state)s.") % {"task": task.title, "state": state}
    if not can(membership, "herd.manage"):
        raise PermissionDenied  # a task's assignee may close it; the rest is for those who manage the herd
    if action == "check":
        service = selectors.services_for(membership).filter(pk=pk).select_related("animal__farm").first()
        if service is None:
            raise Http404
        check = services.pregnancy_check_record(membership=membership, service=service, checked_on=service.farm.local_today(),
                                                method=data.get("method") or "", result=data.get("result") or "")
        result = check.get_result_display().lower()
        if check.expected_birth_on:
            return service.animal, _("%(tag)s: %(result)s, due %(day)s.") % {"tag": service.animal.tag, "result": result,
                                                                             "day": day(check.expected_birth_on)}
        return service.animal, _("%(tag)s: %(result)s.") % {"tag": service.animal.tag, "result": result}
    animal = get_animal_for(membership, pk)
    on = animal.farm.local_today()
    if action == "heat":
        services.heat_record(membership=membership, animal=animal, observed_on=on, signs="",
                             observed_time=animal.farm.local_now().time().replace(second=0, microsecond=0))
        return animal, _("%(tag)s seen in heat today.") % {"tag": animal.tag}
    if action == "dry_off":
        lactation = open_lactation_of(animal)
        if lactation is None:
            raise ValidationError(_("%(tag)s is not in milk.") % {"tag": animal.tag})
        lactation_dry_off(membership=membership, lactation=lactation, dried_off_on=on)
        return animal, _("%(tag)s dried off.") % {"tag": animal.tag}
    if action == "wean":
        event_record(membership=membership, animal=animal, kind="weaning", on=on)
        return animal, _("%(tag)s weaned.") % {"tag": animal.tag}
    if action == "birth":
        form = QuickBirthForm(data)
        if not form.is_valid():
            raise ValidationError(" ".join(e for errors in form.errors.values() for e in errors))
        young = form.cleaned_data
        birth = services.birth_record(membership=membership, animal=animal, born_on=on, ease=young["ease"], offspring=[
            {"sex": young["sex"], "outcome": young["outcome"], "tag": young["tag"], "weight": young["weight"]}])
        born = [y["tag"] for y in birth.offspring if y.get("animal_id")]
        if born:
            return animal, _("%(tag)s gave birth: %(young)s joined the herd.") % {"tag": animal.tag, "young": listing(born)}
        return animal, _("%(tag)s gave birth.") % {"tag": animal.tag}
    raise Http404


@member_required("herd.view")
@require_POST
def today_act(request, action: str, pk: int):
    """A Today line's action, in place: htmx swaps the line for what was done (or why not)."""
    try:
        target, said = _act(request.membership, action, pk, request.POST)
    except ValidationError as error:
        problem = " ".join(error.messages)
        if request.htmx:
            return render(request, "breeding/_today_done.html", {"message": problem, "error": True}, status=422)
        messages.error(request, problem)
    else:
        if request.htmx:
            return render(request, "breeding/_today_done.html", {"message": said, "target": target})
        messages.success(request, said)
    return redirect("breeding:today")


def _page(request, animal, *, heat_form=None, service_form=None, check_form=None, birth_form=None, offspring=None,
          status=200):
    membership = request.membership
    services, births = list(selectors.services_of(animal)), list(selectors.births_of(animal))
    pregnancy = selectors.pregnancy_of(services, births)
    # The form of the step that comes next in the cow's cycle is open; one refused is open with its errors.
    refused = next((name for name, form in (("heat", heat_form), ("service", service_form), ("check", check_form),
                                            ("birth", birth_form)) if form is not None and form.errors), None)
    if offspring is not None and offspring.total_error_count():
        refused = "birth"
    if refused:
        step = refused
    elif pregnancy:
        step = "birth"
    elif services and not services[0].checks.all():
        step = "check"
    else:
        step = "heat"
    context = {
        "animal": animal,
        "services": services,
        "pregnancy": pregnancy,
        "step": step,
        "heat_form": heat_form or HeatForm(initial={"observed_on": timezone.localdate()}),
        "service_form": service_form or _service_form(membership, animal),
        "check_form": check_form or CheckForm(initial={"checked_on": timezone.localdate()}),
        "birth_form": birth_form or BirthForm(initial={"born_on": timezone.localdate(), "ease": 1}),
        "offspring": offspring or offspring_formset(animal.species),
        "can_record": can(membership, "herd.manage", animal),
        "births": births,
        "heats": selectors.heats_of(animal)[:10],
        "void_form": BirthVoidForm(),
    }
    return render(request, "breeding/animal.html", context, status=status)


def _service_form(membership, animal, data=None):
    return ServiceForm(data, initial={"served_on": timezone.localdate()}, males=selectors.breeding_males(membership),
                       outside_sires=outside_sires(membership, animal.species), hires=selectors.open_hires(membership, animal.species),
                       females=selectors.breeding_females(membership, animal))


@member_required("herd.view")
def animal_breeding(request, pk: int):
    return _page(request, get_animal_for(request.membership, pk))


@member_required("herd.view")
def mating_preview(request, pk: int):
    """The planned calf's coefficient of inbreeding for the sire (and donor) picked in the service form,
    before the service is saved."""
    animal = get_animal_for(request.membership, pk)
    form = _service_form(request.membership, animal, request.GET)
    form.is_valid()  # only the sire fields are read; the others may be unfilled yet
    picked = {name: form.cleaned_data.get(name) for name in ("sire", "registered_sire", "genetic_dam", "hire")}
    registered = picked["registered_sire"] or getattr(picked["hire"], "outside_sire", None)
    percent = services.inbreeding_of(request.membership.tenant_id, dam=picked["genetic_dam"] or animal, sire=picked["sire"],
                                     registered_sire=registered)
    return render(request, "breeding/animal.html#mating", {"percent": percent, "flagged": inbreeding.flagged(percent, request.tenant)})


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
            messages.success(request, _("Heat of %(tag)s recorded.") % {"tag": animal.tag})
            return redirect("breeding:animal", pk=animal.pk)
    return _page(request, animal, heat_form=form, status=400)


@member_required("herd.manage")
@require_POST
def service_create(request, pk: int):
    animal = get_animal_for(request.membership, pk)
    form = _service_form(request.membership, animal, request.POST)
    if form.is_valid():
        try:
            service = services.service_record(membership=request.membership, animal=animal, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if inbreeding.flagged(service.inbreeding, request.tenant):
                messages.warning(request, _("Service of %(tag)s recorded. The calf's inbreeding would be %(percent)s %%: "
                                            "above %(limit)s %%.") % {"tag": animal.tag, "percent": amount(service.inbreeding),
                                                                      "limit": amount(request.tenant.inbreeding_warn_percent)})
            else:
                messages.success(request, _("Service of %(tag)s recorded.") % {"tag": animal.tag})
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
            result = check.get_result_display().lower()
            if check.expected_birth_on:
                messages.success(request, _("%(tag)s: %(result)s, due %(day)s.") % {
                    "tag": animal.tag, "result": result, "day": day(check.expected_birth_on)})
            else:
                messages.success(request, _("%(tag)s: %(result)s.") % {"tag": animal.tag, "result": result})
            return redirect("breeding:animal", pk=animal.pk)
    return _page(request, animal, check_form=form, status=400)


@member_required("herd.manage")
@require_POST
def birth_create(request, pk: int):
    animal = get_animal_for(request.membership, pk)
    form = BirthForm(request.POST)
    offspring = offspring_formset(animal.species, request.POST)
    if form.is_valid() and offspring.is_valid():
        young = [f.cleaned_data for f in offspring if f.cleaned_data]
        try:
            birth = services.birth_record(membership=request.membership, animal=animal, offspring=young, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            born = [y["tag"] for y in birth.offspring if y.get("animal_id")]
            if born:
                messages.success(request, _("Birth recorded for %(tag)s: %(young)s joined the herd.") % {
                    "tag": animal.tag, "young": listing(born)})
            else:
                messages.success(request, _("Birth recorded for %(tag)s.") % {"tag": animal.tag})
            return redirect("herd:detail", pk=animal.pk)
    return _page(request, animal, birth_form=form, offspring=offspring, status=400)


@member_required("herd.manage")
@require_POST
def birth_void(request, pk: int):
    birth = selectors.births_for(request.membership).filter(pk=pk).first()
    if birth is None:
        raise Http404
    form = BirthVoidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the birth is void."))
        return redirect("breeding:animal", pk=birth.animal_id)
    try:
        kept = services.birth_void(membership=request.membership, birth=birth, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if kept:
            messages.success(request, _("The birth of %(day)s is void. %(young)s stayed in the herd: other records were "
                                        "made on them.") % {"day": day(birth.born_on), "young": listing(kept)})
        else:
            messages.success(request, _("The birth of %(day)s is void.") % {"day": day(birth.born_on)})
    return redirect("breeding:animal", pk=birth.animal_id)


# Sire hire agreements -----------------------------------------------------------------------------


def _hire_form(membership, data=None, instance=None):
    return HireForm(data, instance=instance, farms=farms_visible_to(membership), other_farms=external_farms(membership),
                    outside_sires=outside_sires(membership), males=selectors.breeding_males(membership),
                    initial=None if instance else {"starts_on": timezone.localdate()})


@member_required("herd.view")
def hire_list(request):
    return render(request, "breeding/hires.html", {"hires": selectors.hires_for(request.membership)})


@member_required("herd.view")
def hire_detail(request, pk: int):
    hire = selectors.get_hire_for(request.membership, pk)
    quantity, price, unit = services.hire_amount(hire)
    return render(request, "breeding/hire_detail.html", {
        "hire": hire, "services": hire.services.select_related("animal").order_by("served_on"),
        "quantity": quantity, "amount": quantity * price, "unit": unit, "can_manage": can(request.membership, "herd.manage", hire),
    })


@member_required("herd.manage")
def hire_edit(request, pk: int | None = None):
    membership = request.membership
    hire = selectors.get_hire_for(membership, pk) if pk else None
    form = _hire_form(membership, request.POST or None, instance=hire)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.hire_save(membership=membership, hire=hire, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Hire agreement saved."))
            return redirect("breeding:hire", pk=saved.pk)
    return render(request, "breeding/hire_form.html", {"form": form, "hire": hire}, status=400 if form.errors else 200)


@member_required("herd.manage")
@require_POST
def hire_end(request, pk: int):
    hire = selectors.get_hire_for(request.membership, pk)
    try:
        invoice = services.hire_end(hire=hire, membership=request.membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Agreement ended: invoice %(number)s for %(total)s %(currency)s.") % {"number": invoice.number, "total": invoice.total, "currency": invoice.currency})
    return redirect("breeding:hire", pk=hire.pk)


# Tasks ------------------------------------------------------------------------------------------------


def _task_form(membership, data=None):
    return TaskForm(data, initial={"due_on": timezone.localdate(), "farm": None}, farms=farms_visible_to(membership),
                    animals=active_animal_choices(membership), groups=groups_visible_to(membership),
                    members=team_of(membership))


@member_required("herd.view")
def task_list(request):
    membership = request.membership
    form = _task_form(membership, request.POST or None)
    if request.method == "POST":
        if not can(membership, "herd.manage"):
            raise PermissionDenied
        if form.is_valid():
            try:
                task = services.task_save(membership=membership, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Task added: %(task)s, due %(day)s.") % {"task": task.title,
                                                                                    "day": day(task.due_on, year=False)})
                return redirect("breeding:tasks")
    return render(request, "breeding/tasks.html", {
        "form": form, "open": selectors.tasks_for(membership).order_by("due_on", "id")[:200],
        "closed": selectors.recently_closed(membership),
        "today": timezone.localdate(), "can_record": can(membership, "herd.manage"),
    }, status=400 if form.errors else 200)


# Fertility --------------------------------------------------------------------------------------------


@member_required("herd.view")
def fertility_report(request):
    membership = request.membership
    farms = farms_visible_to(membership)
    today = timezone.localdate()
    data = request.GET.copy() if request.GET else None
    initial = {"farm": request.session.get("farm_id") or getattr(farms.first(), "pk", None),
               "since": today - dt.timedelta(days=365), "until": today}
    form = FertilityForm(data, initial=initial, farms=farms)
    figures = None
    if data is None:
        form = FertilityForm({k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in initial.items() if v},
                             farms=farms)
    if form.is_valid():
        figures = fertility.figures_for(membership, form.cleaned_data["farm"], form.cleaned_data["since"],
                                        form.cleaned_data["until"])
    return render(request, "breeding/fertility.html", {"form": form, "figures": figures}, status=400 if form.errors else 200)
