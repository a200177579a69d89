import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.permissions import can, farm_ids_of
from apps.accounts.selectors import farm_list, farms_visible_to
from apps.core import drawn_later, exports
from apps.core.access import member_required
from apps.core.forms import add_service_errors
from apps.core.fragments import clock_step, drawn
from apps.core.http import id_param, parse_id
from apps.core.words import listing
from apps.herd.selectors import HERD, active_animal_choices, groups_visible_to
from apps.stock import selectors as stock_selectors

from . import book, selectors, services, vitals
from .forms import BookForm, DoseForm, HealthCheckForm, TreatmentForm, VaccinationForm, VoidForm


@member_required("health.view")
def health_home(request):
    membership = request.membership
    # Drawn as at the start of a ten-minute step and kept through it, unless a treatment, an animal or the stock
    # changes first: a withdrawal that ends within the step shows as running until the step is over (the safe side).
    now = clock_step()
    sees_stock = can(membership, "stock.view")

    def draw() -> str:
        return drawn_later.render(request, "health/home.html#body", {
            "withdrawals": selectors.withdrawals_now(membership, at=now),
            "treatments": selectors.treatments_for(membership).order_by("-first_given_at", "-id")[:30],
            "vaccinations_due": selectors.vaccinations_due(membership)[:50],
            "low": stock_selectors.low_stock(membership) if sees_stock else [],
            "expiring": stock_selectors.expiring(membership)[:20] if sees_stock else [],
            "now": now, "today": timezone.localdate()})

    body = drawn("health:home", sources=[(HERD, (membership.tenant_id,)), (stock_selectors.STOCK, (membership.tenant_id,))],
                 vary_on=(membership.tenant_id, membership.pk, farm_ids_of(membership), sees_stock,
                          can(membership, "health.record"), now, timezone.get_current_timezone_name(), get_language()),
                 draw=draw)
    return render(request, "health/home.html", {"body": drawn_later.fill(request, body)})


@member_required("health.record")
def treatment_create(request):
    membership = request.membership
    animals = active_animal_choices(membership)
    form = TreatmentForm(
        request.POST or None,
        animals=animals, groups=groups_visible_to(membership),
        batches=stock_selectors.usable_batches(membership),
        initial={"animal": id_param(request.GET, "animal"), "given_at": timezone.localtime().replace(second=0, microsecond=0)},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        group, animal = data.pop("group"), data.pop("animal")
        try:
            if group is not None:
                treated = services.treatment_record_many(
                    membership=membership, animals=[a for a in animals if a.group_id == group.pk], **data)
            else:
                treated = [services.treatment_record(membership=membership, animal=animal, **data)]
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Treatment recorded for %(tags)s.") % {"tags": listing(t.animal.tag for t in treated)})
            if len(treated) == 1:
                return redirect("health:treatment", pk=treated[0].pk)
            return redirect("health:home")
    return render(request, "health/treatment_form.html", {"form": form}, status=400 if form.errors else 200)


@member_required("health.view")
def treatment_detail(request, pk: int):
    treatment = selectors.get_treatment_for(request.membership, pk)
    context = {
        "treatment": treatment,
        "administrations": selectors.administrations_of(treatment),
        "dose_form": DoseForm(initial={"given_at": timezone.localtime().replace(second=0, microsecond=0)}),
        "void_form": VoidForm(),
        "can_record": can(request.membership, "health.record", treatment),
    }
    return render(request, "health/treatment_detail.html", context)


@member_required("health.record")
@require_POST
def treatment_dose(request, pk: int):
    treatment = selectors.get_treatment_for(request.membership, pk)
    form = DoseForm(request.POST)
    if form.is_valid():
        batch = selectors.last_batch_id_of(treatment)
        try:
            services.administration_record(
                membership=request.membership, treatment=treatment, given_at=form.cleaned_data["given_at"],
                batch=stock_selectors.get_batch_for(request.membership, batch) if batch else None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
    else:
        messages.success(request, _("Dose recorded."))
    return redirect("health:treatment", pk=treatment.pk)


@member_required("health.record")
@require_POST
def treatment_void(request, pk: int):
    treatment = selectors.get_treatment_for(request.membership, pk)
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            services.treatment_void(membership=request.membership, treatment=treatment, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
    else:
        messages.success(request, _("Treatment void; its stock is back and its withdrawal lifted."))
    return redirect("health:treatment", pk=treatment.pk)


@member_required("health.view")
def medicine_book(request):
    """The medicine book for a farm and period: on the page, or as PDF, XLSX or CSV for an inspector."""
    membership = request.membership
    today = timezone.localdate()
    data = request.GET.copy()
    data.setdefault("since", (today - dt.timedelta(days=90)).isoformat())
    data.setdefault("until", today.isoformat())
    form = BookForm(data, farms=farms_visible_to(membership))
    sheet = None
    if form.is_valid():
        sheet = book.medicine_book(membership, **form.cleaned_data)
        file_format = request.GET.get("format")
        if file_format in exports.FORMATS:
            return exports.response(sheet, file_format, f"medicine-book-{form.cleaned_data['since']}-{form.cleaned_data['until']}")
    return render(request, "health/book.html", {"form": form, "sheet": sheet}, status=400 if form.errors else 200)


@member_required("health.record")
def vaccinate(request):
    """A vaccination campaign: one dose for each animal ticked (or of a group), drawn from one batch."""
    membership = request.membership
    animals = active_animal_choices(membership)
    form = VaccinationForm(
        request.POST or None, animals=animals, groups=groups_visible_to(membership),
        batches=stock_selectors.usable_batches(membership, kinds=("vaccine",)),
        initial={"animals": [pk for pk in map(parse_id, request.GET.getlist("animal")) if pk],
                 "given_at": timezone.localtime().replace(second=0, microsecond=0)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = list(data["animals"])
        if data["group"] is not None:
            chosen += [a for a in animals if a.group_id == data["group"].pk and a not in chosen]
        try:
            done = services.vaccination_record(membership=membership, animals=chosen, batch=data["batch"], dose=data["dose"],
                                               dose_unit=data["dose_unit"], route=data["route"], given_at=data["given_at"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, ngettext("%(count)s animal vaccinated with %(name)s.", "%(count)s animals vaccinated with "
                                                "%(name)s.", len(done)) % {"count": len(done), "name": data["batch"].item.name})
            return redirect("health:home")
    return render(request, "health/vaccinate.html", {"form": form, "farms": farm_list(membership)},
                  status=400 if form.errors else 200)


@member_required("health.record")
def health_check_create(request):
    membership = request.membership
    form = HealthCheckForm(
        request.POST or None,
        animals=active_animal_choices(membership),
        initial={"animal": id_param(request.GET, "animal"), "checked_at": timezone.localtime().replace(second=0, microsecond=0)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            check = services.health_check_record(membership=membership, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            out = vitals.out_of_range(check.animal.species, form.cleaned_data)
            if out:
                messages.success(request, _("Check of %(tag)s recorded. Out of the normal range: %(names)s.") % {
                    "tag": check.animal.tag, "names": listing(form.fields[name].label for name in out)})
            else:
                messages.success(request, _("Check of %(tag)s recorded.") % {"tag": check.animal.tag})
            return redirect("herd:detail", pk=check.animal_id)
    return render(request, "health/check_form.html", {"form": form}, status=400 if form.errors else 200)
