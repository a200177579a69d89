import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from apps.accounts.permissions import can, farm_ids_of
from apps.accounts.selectors import farm_list, farms_visible_to, get_farm_for
from apps.core import drawn_later, exports
from apps.core.access import member_required
from apps.core.forms import add_service_errors, choices_from
from apps.core.http import parse_id
from apps.core.uploads import serve_upload
from apps.core.words import day
from apps.farms.forms import ExternalFarmForm
from apps.farms.selectors import external_farms
from apps.farms.services import external_farm_save
from apps.farms.views import farm_page

from . import bull_lists, imports, lifecycle, selectors, services
from .filters import AnimalFilter
from .forms import (
    AnimalForm,
    AsOfForm,
    BullListForm,
    EventForm,
    GroupActionForm,
    GroupForm,
    ImportForm,
    OutsideSireForm,
    QuickAddFarmForm,
    QuickAddFormSet,
)
from .models import AnimalEvent, Sex
from .tables import WIDE_ONLY, AnimalTable

EXPORT_FORMATS = ("csv", "xlsx")


@member_required("herd.view")
def animal_list(request):
    membership = request.membership
    data = request.GET.copy()
    if "farm" not in data and request.session.get("farm_id"):
        data["farm"] = str(request.session["farm_id"])
    if not data.get("status") and "status" not in request.GET:
        data["status"] = "active"
    if request.GET.get("scan") and (animal := selectors.animal_scanned(membership, request.GET.get("q", ""))):
        return redirect("herd:detail", animal.pk)  # a tag reader's number (or a tag and Enter) names one animal
    export_format = request.GET.get("_export")
    if export_format in EXPORT_FORMATS:
        if not can(membership, "herd.export"):
            raise PermissionDenied
        table = AnimalTable(_animal_filter(membership, data).qs)
        sheet = exports.sheet_from_table(table, _("Herd register"), f"{membership.tenant.name}, {day(timezone.localdate())}")
        return exports.response(sheet, export_format, f"herd-{timezone.localdate():%Y-%m-%d}")
    can_manage = can(membership, "herd.manage")
    partials = ("results",) if request.htmx else ("filters", "results")

    def draw() -> dict:
        animal_filter = _animal_filter(membership, data)
        if "filters" in partials:
            choices_from(animal_filter.form.fields["farm"], farm_list(membership))
            choices_from(animal_filter.form.fields["group"], selectors.group_choices(membership))
        table = AnimalTable(animal_filter.qs)
        RequestConfig(request, paginate={"per_page": 50}).configure(table)
        context = {
            "filter": animal_filter,
            "table": table,
            "animals": [row.record for row in table.page.object_list],
            "wide_only": WIDE_ONLY,
            "can_manage": can_manage,
            # One reverse() for the page instead of one per row.
            "detail_base": reverse("herd:detail", args=[0]).removesuffix("0/"),
        }
        return {name: render_to_string(f"herd/list.html#{name}", context, request) for name in partials}

    # Everything the two parts are drawn from: the query, the member's scope and rights, the day (ages) and language.
    drawn = selectors.herd_drawn(membership, "list", (
        sorted(request.GET.lists()), sorted(data.items()), partials, can_manage, can(membership, "herd.export"),
        farm_ids_of(membership), timezone.localdate(), get_language(),
    ), draw)
    if request.htmx:
        return HttpResponse(drawn["results"])
    return render(request, "herd/list.html", {"drawn": drawn, "can_manage": can_manage})


def _animal_filter(membership, data) -> AnimalFilter:
    return AnimalFilter(
        data,
        queryset=selectors.herd_list_for(membership),
        farms=farms_visible_to(membership),
        groups=selectors.groups_visible_to(membership),
    )


def _animal_form(request, membership, instance=None):
    return AnimalForm(
        request.POST or None,
        request.FILES or None,
        instance=instance,
        initial=None if instance else {"farm": request.session.get("farm_id")},
        farms=farms_visible_to(membership),
        groups=selectors.groups_visible_to(membership),
        breeds=selectors.breeds(),
        females=selectors.parent_choices(membership, Sex.FEMALE, keep=(instance.dam_id, instance.genetic_dam_id) if instance else ()),
        males=selectors.parent_choices(membership, Sex.MALE, keep=(instance.sire_id,) if instance else ()),
        outside_sires=selectors.outside_sires(membership),
    )


@member_required("herd.view")
def animal_detail(request, pk: int):
    membership = request.membership
    animal = selectors.get_animal_for(membership, pk)
    as_of_form = AsOfForm(request.GET or None)
    if as_of_form.is_bound:  # the page as it was on a date: drawn each time
        past = None
        if as_of_form.is_valid():
            day_end = dt.datetime.combine(as_of_form.cleaned_data["on"], dt.time.max, tzinfo=timezone.get_current_timezone())
            past = {"on": as_of_form.cleaned_data["on"], "animal": selectors.animal_as_of(animal, day_end)}
        return render(request, "herd/detail.html", _detail_context(request, animal, as_of_form=as_of_form, past=past))
    # Everything the page is drawn from besides the herd: the member's rights and scope, the day, zone and language.
    rights = (can(membership, "herd.manage", animal), *(can(membership, name) for name in ("finance.manage", "health.record", "milk.view")))
    body = selectors.herd_drawn(membership, "animal", (
        animal.pk, rights, farm_ids_of(membership), timezone.localdate(), timezone.get_current_timezone_name(), get_language(),
        request.tenant.currency,
    ), lambda: drawn_later.render(request, "herd/detail.html#body", _detail_context(request, animal)))
    return render(request, "herd/detail.html", {"animal": animal, "body": drawn_later.fill(request, body)})


def _detail_context(request, animal, *, as_of_form=None, past=None, event_form=None):
    membership = request.membership
    growth = selectors.growth_of(animal)
    can_edit = can(membership, "herd.manage", animal)
    offspring = list(selectors.offspring_of(animal))
    return {
        "animal": animal,
        "offspring": offspring,
        # A dam has lactations to show: her milk card's room is kept while it loads, so what follows does not jump.
        "milk_room": "milk-slot milk-slot-dam" if animal.sex == "female" and offspring else "milk-slot",
        "pedigree": selectors.pedigree_of(animal)[1:],  # the parents are shown above it
        "timeline": selectors.timeline_for(membership, animal),
        "growth": growth,
        "chart": selectors.growth_chart(growth),
        "as_of_form": as_of_form or AsOfForm(),
        "past": past,
        "can_edit": can_edit,
        "event_forms_html": _event_forms_html(request, animal, event_form) if animal.is_live and can_edit else "",
    }


EVENT_FIELDS = {
    AnimalEvent.Kind.WEIGHT: ("on", "weight_kg", "method", "note"),
    AnimalEvent.Kind.WEANING: ("on", "weight_kg", "note"),
    AnimalEvent.Kind.CASTRATION: ("on", "note"),
    AnimalEvent.Kind.MOVEMENT: ("on", "to_farm", "to_group", "note"),
    AnimalEvent.Kind.DISPOSAL: ("on", "exit_status", "reason", "note"),
}
EVENT_BUTTONS = {"weight": gettext_lazy("Weigh"), "weaning": gettext_lazy("Wean"), "castration": gettext_lazy("Castrate"), "movement": gettext_lazy("Move"),
                 "disposal": gettext_lazy("Record exit")}


def _event_form(request, data=None, kind: str = "weight"):
    membership = request.membership
    form = EventForm(data, initial={"on": timezone.localdate(), "kind": kind}, auto_id=f"{kind}_%s",
                     farms=farms_visible_to(membership), groups=selectors.groups_visible_to(membership))
    choices_from(form.fields["to_farm"], farm_list(membership))
    if kind == AnimalEvent.Kind.MOVEMENT:  # the one form that draws the groups
        choices_from(form.fields["to_group"], form.fields["to_group"].queryset)
    return form


EVENT_URL_MARK = "event-address-of-the-animal"


def _event_forms_html(request, animal, bound=None) -> str:
    """The animal page's event forms. Unrefused, they are the same for every animal of the member's but for the
    address they post to and castration (an entire male's only): drawn once per member and day and kept, with
    marks for the address and the CSRF token (the page puts in its own)."""
    url = reverse("herd:event_create", args=[animal.pk])
    if bound is not None:
        return render_to_string("herd/detail.html#event_forms", {"event_forms": _event_forms(request, animal, bound), "event_url": url}, request)
    membership = request.membership
    castration = animal.sex == Sex.MALE and not animal.castrated
    html = selectors.herd_drawn(membership, "event-forms", (castration, farm_ids_of(membership), timezone.localdate(), get_language()),
                                lambda: drawn_later.render(request, "herd/detail.html#event_forms",
                                                           {"event_forms": _event_forms(request, animal), "event_url": EVENT_URL_MARK}))
    return mark_safe(html.replace(EVENT_URL_MARK, url))  # noqa: S308  (drawn by our template)


def _event_forms(request, animal, bound=None) -> list[dict]:
    """One small form per kind of event (the one just refused keeps its values and errors)."""
    forms = []
    for kind, names in EVENT_FIELDS.items():
        if kind == AnimalEvent.Kind.CASTRATION and (animal.sex != Sex.MALE or animal.castrated):
            continue
        form = bound if bound is not None and bound.data.get("kind") == kind else _event_form(request, kind=kind)
        forms.append({"kind": kind, "label": EVENT_BUTTONS[kind], "form": form, "fields": [form[name] for name in names],
                      "open": form is bound})
    return forms


@member_required("herd.manage")
@require_POST
def event_create(request, pk: int):
    """Record a weighing, weaning, castration, move or exit from the animal page."""
    animal = selectors.get_animal_for(request.membership, pk)
    form = _event_form(request, request.POST, kind=request.POST.get("kind", "weight"))
    if form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            event = lifecycle.event_record(membership=request.membership, animal=animal, **values)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(tag)s %(done)s on %(day)s.") % {
                "tag": animal.tag, "done": selectors.EVENT_WORDS[event.kind], "day": day(event.on)})
            return redirect(animal)
    return render(request, "herd/detail.html", _detail_context(request, animal, event_form=form), status=400)


@member_required("herd.manage")
def group_action(request):
    """Weigh, move or wean the animals ticked on the herd list, all at once."""
    membership = request.membership
    source = request.POST if request.method == "POST" else request.GET
    ids = [pk for pk in (parse_id(v) for v in source.getlist("animal")) if pk]
    animals = list(selectors.get_animals_for(membership, ids).filter(status="active"))
    form = GroupActionForm(request.POST or None, initial={"on": timezone.localdate(), "kind": source.get("kind") or "weight"},
                           farms=farms_visible_to(membership), groups=selectors.groups_visible_to(membership))
    problems: dict[str, str] = {}
    weights: dict[int, object] = {}
    if request.method == "POST":
        for animal in animals:
            raw = request.POST.get(f"weight-{animal.pk}", "").strip()
            if raw:
                try:
                    weights[animal.pk] = Decimal(raw.replace(",", "."))
                    if not weights[animal.pk].is_finite():
                        raise ArithmeticError
                except ArithmeticError:
                    problems[animal.tag] = _("%(value)s is not a weight.") % {"value": raw}
            weights.setdefault(animal.pk, None)
        if form.is_valid() and not problems:
            data = form.cleaned_data
            extra = {"method": data["method"]} if data["kind"] == "weight" else {}
            if data["kind"] == "movement":
                extra = {"to_farm": data["to_farm"], "to_group": data["to_group"]}
            try:
                events = lifecycle.events_record_many(membership=membership, animals=animals, kind=data["kind"], on=data["on"],
                                                      weights={k: v for k, v in weights.items() if v is not None}, **extra)
            except lifecycle.GroupErrors as error:
                problems = error.errors
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                word = selectors.EVENT_WORDS[data["kind"]]
                messages.success(request, ngettext("%(count)s animal %(done)s.", "%(count)s animals %(done)s.", len(events))
                                 % {"count": len(events), "done": word})
                return redirect("herd:list")
    status = 400 if request.method == "POST" else 200
    return render(request, "herd/group_action.html", {"form": form, "animals": animals, "problems": problems,
                                                      "weights": weights}, status=status)


@member_required("herd.view")
def outside_register(request):
    """Outside farms and sires: where hired sires come from, and the AI bulls used."""
    membership = request.membership
    return render(request, "herd/outside.html", {
        "sires": selectors.outside_sires(membership), "farms": external_farms(membership),
        "sire_form": _sire_form(membership), "farm_form": ExternalFarmForm(),
    })


def _sire_form(membership, data=None, instance=None):
    return OutsideSireForm(data, instance=instance, breeds=selectors.breeds(), owners=external_farms(membership),
                           males=selectors.outside_sires(membership))


@member_required("herd.manage")
def bull_list_import(request):
    """A breed society's or AI centre's bull list: the bulls and their ancestors join the register."""
    form = BullListForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        rows, errors = bull_lists.parse(form.cleaned_data["upload"].read())
        if not errors:
            try:
                count = bull_lists.bull_list_import(membership=request.membership, rows=rows)
            except ValidationError as error:
                errors = {0: error.messages}
            else:
                messages.success(request, _("%(count)s bulls read into the outside register.") % {"count": count})
                return redirect("herd:outside")
        report = sorted(errors.items())
    return render(request, "herd/bull_list.html", {"form": form, "report": report},
                  status=400 if request.method == "POST" else 200)


@member_required("herd.manage")
def bull_list_template(request):
    response = HttpResponse(bull_lists.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ifarm-bull-list.csv"'
    return response


@member_required("herd.manage")
def outside_sire_edit(request, pk: int | None = None):
    membership = request.membership
    sire = get_object_or_404(selectors.outside_sires(membership), pk=pk) if pk else None
    form = _sire_form(membership, request.POST or None, instance=sire)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.outside_sire_save(membership=membership, record=sire, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s saved in the outside register.") % {"name": saved.name})
            return redirect("herd:outside")
    return render(request, "herd/outside_form.html", {"form": form, "what": "sire", "object": sire},
                  status=400 if form.errors else 200)


@member_required("herd.manage")
def external_farm_edit(request, pk: int | None = None):
    membership = request.membership
    farm = get_object_or_404(external_farms(membership), pk=pk) if pk else None
    form = ExternalFarmForm(request.POST or None, instance=farm)
    if request.method == "POST" and form.is_valid():
        try:
            saved = external_farm_save(membership=membership, farm=farm, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s saved in the outside register.") % {"name": saved.name})
            return redirect("herd:outside")
    return render(request, "herd/outside_form.html", {"form": form, "what": "farm", "object": farm},
                  status=400 if form.errors else 200)


@member_required("herd.manage")
def animal_create(request):
    form = _animal_form(request, request.membership)
    if request.method == "POST" and form.is_valid():
        try:
            animal = services.animal_create(membership=request.membership, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(animal)s added to the herd.") % {"animal": animal})
            if "add_another" in request.POST:
                return redirect("herd:create")
            return redirect(animal)
    return render(request, "herd/form.html", {"form": form}, status=400 if form.errors else 200)


@member_required("herd.manage")
def animal_edit(request, pk: int):
    animal = selectors.get_animal_for(request.membership, pk)
    form = _animal_form(request, request.membership, instance=animal)
    if request.method == "POST" and form.is_valid():
        try:
            animal = services.animal_update(membership=request.membership, animal=animal, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(animal)s saved.") % {"animal": animal})
            return redirect(animal)
    return render(request, "herd/form.html", {"form": form, "animal": animal}, status=400 if form.errors else 200)


@member_required("herd.manage")
def animal_quick_add(request):
    membership = request.membership
    farm_form = QuickAddFarmForm(
        request.POST or None, farms=farms_visible_to(membership), initial={"farm": request.session.get("farm_id")}
    )
    formset = QuickAddFormSet(request.POST or None, prefix="animals")
    row_errors = {}
    if request.method == "POST" and farm_form.is_valid() and formset.is_valid():
        rows = [dict(f.cleaned_data, farm=farm_form.cleaned_data["farm"]) for f in formset if f.cleaned_data]
        try:
            created = services.animal_bulk_create(membership=membership, rows=rows)
        except services.RowErrors as error:
            row_errors = error.errors
        else:
            messages.success(request, _("%(count)s animals added.") % {"count": len(created)})
            return redirect("herd:list")
    status = 400 if request.method == "POST" else 200
    context = {"farm_form": farm_form, "formset": formset, "row_errors": row_errors}
    return render(request, "herd/quick_add.html", context, status=status)


@member_required("herd.import")
def animal_import(request):
    membership = request.membership
    form = ImportForm(request.POST or None, request.FILES or None, farms=farms_visible_to(membership))
    report = None
    if request.method == "POST" and form.is_valid():
        farm = form.cleaned_data["farm"]
        groups = {g.name.lower(): g for g in selectors.groups_visible_to(membership).filter(farm=farm)}
        rows, errors = imports.parse_rows(
            raw=form.cleaned_data["file"].read(), tenant_id=membership.tenant_id, farm=farm, groups_by_name=groups
        )
        if not errors:
            try:
                created = services.animal_bulk_create(membership=membership, rows=rows, action="animal.import")
            except services.RowErrors as error:
                errors = error.errors
            else:
                messages.success(request, _("Imported %(count)s animals into %(farm)s.") % {"count": len(created), "farm": farm})
                return redirect("herd:list")
        report = sorted(errors.items())
    status = 400 if request.method == "POST" else 200
    return render(request, "herd/import.html", {"form": form, "report": report}, status=status)


@member_required("herd.import")
def import_template(request):
    response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ifarm-herd-template.csv"'
    return response


@member_required("herd.view")
def animal_photo(request, pk: int):
    """Photos are private to the organisation, so they are served through the scope check."""
    animal = selectors.get_animal_for(request.membership, pk)
    if not animal.photo:
        raise Http404
    return serve_upload(animal.photo)


# The farm page's groups and pens --------------------------------------------------------------------------


def farm_groups_section(request, farm, form: GroupForm | None = None) -> str:
    """The farm page's section for its groups and pens, with the form that adds one."""
    return render_to_string("herd/farm_groups.html", {
        "farm": farm, "groups": selectors.groups_with_counts(farm), "group_form": form or GroupForm()}, request)


@member_required("herd.manage")
@require_POST
def group_create(request, pk: int):
    farm = get_farm_for(request.membership, pk)
    form = GroupForm(request.POST)
    if form.is_valid():
        try:
            group = services.animal_group_create(membership=request.membership, farm=farm, name=form.cleaned_data["name"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Group %(name)s added to %(name2)s.") % {"name": group.name, "name2": farm.name})
            return redirect(farm)
    return farm_page(request, farm, drawn={farm_groups_section: farm_groups_section(request, farm, form)}, status=400)
