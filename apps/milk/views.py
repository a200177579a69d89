import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from apps.accounts.permissions import can
from apps.accounts.selectors import farm_list, farms_visible_to, get_farm_for
from apps.core import drawn_later, exports
from apps.core.access import member_required
from apps.core.dates import date_problem
from apps.core.forms import add_service_errors, choices_from
from apps.core.fragments import drawn
from apps.core.http import id_param, redirect_back
from apps.core.words import listing
from apps.herd.selectors import get_animal_for, get_animals_for

from . import charts, selectors, services
from .cow_session import CowSession, RowSaved
from .forms import (
    BulkLactationForm,
    BulkTankForm,
    DryOffForm,
    EntryPickerForm,
    LactationStartForm,
    MilkRowForm,
    RecordFilterForm,
)
from .rows import QUALITY_CHOICES, rows_html
from .tables import MilkRecordTable


def _farm(membership, farm_id: int | None):
    """The request's farm: from the member's farm list (no query), else read (an archived farm) or a 404."""
    found = next((farm for farm in farm_list(membership) if farm.pk == farm_id), None) if farm_id else None
    return found or get_farm_for(membership, farm_id or 0)


def _pick(request, membership):
    """Farm, date and session for the entry page, from the query or sensible defaults."""
    farms = farm_list(membership)
    farm_id = id_param(request.GET, "farm") or request.session.get("farm_id")
    farm = next((farm for farm in farms if farm.pk == farm_id), None) if farm_id else None
    farm = farm or (farms[0] if farms else None)
    if farm is None:
        return None, None
    now = farm.local_now()
    day, session = farm.milkings.session_of(now)  # the session under way, or the one just milked
    data = {"date": day, "session": session}
    data.update({key: value for key, value in request.GET.items() if value})
    data["farm"] = farm.pk
    picker = EntryPickerForm(data, farms=farms_visible_to(membership))
    choices_from(picker.fields["farm"], farms)
    return farm, picker


@member_required("milk.record")
def entry(request):
    membership = request.membership
    farm, picker = _pick(request, membership)
    if farm is None:
        messages.info(request, _("Add a farm before recording milk."))
        return redirect("farms:list")
    context = {"picker": picker, "farm": farm}
    if picker.is_valid():
        day, session = picker.cleaned_data["date"], picker.cleaned_data["session"]
        problem = None
        if session not in services.farm_sessions(farm):
            problem = ngettext("%(farm)s milks once a day; pick its session.", "%(farm)s milks %(count)s times a day; pick one of its sessions.",
                               farm.milking_sessions_per_day) % {"farm": farm.name, "count": farm.milking_sessions_per_day}
        else:
            problem = date_problem(day, today=farm.local_today())
        if problem:
            context["problem"] = problem
        else:
            rows = selectors.entry_rows(membership, farm, day, session)
            context.update(_entry_context(request, farm, day, session, rows))
    return render(request, "milk/entry.html", context, status=200 if "problem" not in context and picker.is_valid() else 400)


def _entry_context(request, farm, day, session, rows):
    membership = request.membership
    return {
        "rows": rows,
        "day": day,
        "session": session,
        "cows_count": len(rows),
        "totals": selectors.session_totals(membership, farm, day, session, cows=len(rows)),
        "tank_form": BulkTankForm(initial={"farm": farm.pk, "date": day, "session": session}),
        "save_url": reverse("milk:row_save"),
        "quality_url": reverse("milk:row_quality"),
        "unit": request.tenant.milk_unit,
        "milkers": selectors.milkers_of(membership, farm),
    }


@member_required("milk.record")
def row_quality(request):
    """The quality fields of one row, fetched when the milker opens them."""
    membership = request.membership
    farm = _farm(membership, id_param(request.GET, "farm"))
    day, session = _day_and_session(request.GET)
    if day is None or session is None:
        selectors.get_cow_for(membership, id_param(request.GET, "animal") or 0)  # 404 outside the member's farms
        return HttpResponse("Bad request: date or session missing.", status=400)
    animal, known = selectors.cow_session_for(membership, id_param(request.GET, "animal") or 0, farm=farm, day=day, session=session)
    record = selectors.record_of(membership, animal, day, session)
    context = {"animal": animal, "record": record, "form": None, "withheld": known.withdrawal_ends, **QUALITY_CHOICES}
    return render(request, "milk/entry.html#quality", context)


@member_required("milk.record")
@require_POST
def row_save(request):
    """Save one cow's session; answer with that row and the session totals (out of band)."""
    membership = request.membership
    form = MilkRowForm(request.POST)
    farm = _farm(membership, id_param(request.POST, "farm"))
    # Read the row's day and session before any error is attached (errors drop cleaned values).
    day, session = _day_and_session(request.POST)
    if day is None or session is None:
        animal, known = selectors.get_cow_for(membership, id_param(request.POST, "animal") or 0), None
    else:
        animal, known = selectors.cow_session_for(membership, id_param(request.POST, "animal") or 0, farm=farm, day=day,
                                                  session=session)
    if not can(membership, "milk.record", farm):
        raise PermissionDenied
    if request.htmx and known is not None and (lost := _offline_value_lost(membership, animal, known, request.POST)):
        return _row_response(request, farm, animal, known, form, None, note=lost)
    saved = None
    if form.is_valid():
        try:
            saved = _apply_row(membership, farm, animal, form, known, with_quality="quality" in request.POST)
        except ValidationError as error:
            add_service_errors(form, error)
    if not request.htmx:
        if form.errors:
            messages.error(request, f"{animal.tag}: " + " ".join(m for errs in form.errors.values() for m in errs))
        return _back_to_entry(request, farm)
    if known is None:
        return HttpResponse("Bad request: date or session missing.", status=400)
    return _row_response(request, farm, animal, known, form, saved)


def _offline_value_lost(membership, animal, known: CowSession, posted) -> str:
    """A value typed with no network is sent later with when it was typed (`typed_at`, ms since 1970) and the value the
    row showed then (`base`). The rule: a value saved on the server after it was typed, by another device, wins; the
    late one is not saved and its row says so, with both values, so nothing is lost silently. Empty: no conflict."""
    try:
        typed_at = dt.datetime.fromtimestamp(int(posted.get("typed_at", "")) / 1000, tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        return ""
    record = selectors.record_of(membership, animal, known.day, known.session)
    base = (posted.get("base") or "").strip()
    if record is None or record.updated_at <= typed_at or f"{record.quantity.normalize():f}" == base:
        return ""
    return _("Changed on another device to %(theirs)s; yours, %(yours)s typed offline, was not saved.") % {
        "theirs": f"{record.quantity.normalize():f}", "yours": (posted.get("quantity") or "").strip()[:10] or "—"}


def _row_response(request, farm, animal, known: CowSession, form, saved: RowSaved | None, note: str = ""):
    """The saved (or refused) row; after a save, the session totals swapped out of band too."""
    membership = request.membership
    day, session = known.day, known.session
    # After a save the stored record is the one just written; after a refusal or a lost offline value, read it back.
    refused = None if note else (form if form.errors else None)
    if note or refused:
        row = selectors.entry_row(membership, farm, animal, day, session, known=known)
    else:
        row = selectors.entry_row(membership, farm, animal, day, session, known=known, record=saved.record if saved else None)
    context = {"farm": farm, "day": day, "session": session, "unit": request.tenant.milk_unit}
    html = rows_html([row], **context, save_url=reverse("milk:row_save"), quality_url=reverse("milk:row_quality"),
                     csrf_token=get_token(request), form=refused, request=request, note=note)
    if note:
        return HttpResponse(html)
    if refused:
        return HttpResponse(html, status=422)
    totals = selectors.session_totals(membership, farm, day, session, **({"summary": saved.farm_summary} if saved else {}))
    context.update(totals=totals, cows_count=totals["cows"], oob=True)
    return HttpResponse(html + render_to_string("milk/entry.html#totals", context, request))


def _apply_row(membership, farm, animal, form, known: CowSession | None, *, with_quality: bool) -> RowSaved | None:
    """Save or delete the row's record; return what is now stored (None: nothing)."""
    day, session, quantity = form.cleaned_data["date"], form.cleaned_data["session"], form.cleaned_data["quantity"]
    if quantity is None:
        # An emptied value removes the record (the page asked for confirmation first).
        record = selectors.record_of(membership, animal, day, session)
        if record is not None:
            services.milking_record_delete(membership=membership, record=record)
        return None
    # The quality fields load only when a row's "Quality" is opened; without them, keep what is stored.
    quality = form.quality() if with_quality else {}
    milker_id = form.cleaned_data.get("milker")
    if milker_id == membership.pk:
        milker = membership  # the usual case: whoever records milked (no lookup)
    else:
        milker = selectors.get_member_of(membership, milker_id) if milker_id else None
    return services.milking_row_save(
        membership=membership, farm=farm, animal=animal, date=day, session=session, quantity=quantity, milker=milker,
        known=known, **quality
    )


def _back_to_entry(request, farm):
    query = urlencode({"farm": farm.pk, "date": request.POST.get("date", ""), "session": request.POST.get("session", "")})
    return redirect(f"{reverse('milk:entry')}?{query}")


def _day_and_session(data):
    from django.utils.dateparse import parse_date

    from .models import Session

    try:
        day = parse_date(data.get("date", ""))
    except ValueError:
        day = None
    if day is not None and date_problem(day):
        day = None
    session = data.get("session")
    return day, session if session in Session.values else None


@member_required("milk.record")
@require_POST
def bulk_tank_save(request):
    membership = request.membership
    form = BulkTankForm(request.POST)
    farm = _farm(membership, id_param(request.POST, "farm"))
    day, session = _day_and_session(request.POST)
    status = 200
    if form.is_valid():
        try:
            services.bulk_tank_save(
                membership=membership, farm=farm, date=form.cleaned_data["date"], session=form.cleaned_data["session"],
                quantity=form.cleaned_data["quantity"], scc=form.cleaned_data["scc"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        status = 422
    if not request.htmx or day is None or session is None:
        if form.errors:
            messages.error(request, " ".join(m for errs in form.errors.values() for m in errs))
        return _back_to_entry(request, farm)
    context = {
        "farm": farm, "day": day, "session": session, "unit": request.tenant.milk_unit,
        "totals": selectors.session_totals(membership, farm, day, session),
        "cows_count": selectors.cows_in_milk(membership, farm, day).count(),
        "tank_form": form if form.errors else BulkTankForm(initial={"farm": farm.pk, "date": day, "session": session}),
    }
    return render(request, "milk/entry.html#totals", context, status=status)


# Dashboard ----------------------------------------------------------------------------------------

CARDS = ("production", "chart", "producers", "alerts", "scc")
CARD_LABELS = {"production": gettext_lazy("Production"), "chart": gettext_lazy("Milk by session"), "producers": gettext_lazy("Producers, last 7 days"),
               "alerts": gettext_lazy("Quality alerts"), "scc": gettext_lazy("Bulk SCC (rolling 3-month geometric mean)")}


# Cards an app above this one adds to the dashboard, each drawn by a route of its own: name -> (label, route name).
CARDS_ABOVE: dict[str, tuple] = {}


def dashboard_card_register(name: str, label, route: str) -> None:
    CARDS_ABOVE[name] = (label, route)


@member_required("milk.view")
def dashboard(request):
    cards = [(name, CARD_LABELS[name], reverse("milk:dashboard_card", args=[name])) for name in CARDS]
    cards += [(name, label, reverse(route)) for name, (label, route) in CARDS_ABOVE.items()]
    return render(request, "milk/dashboard.html", {"cards": cards})


def dashboard_drawn(membership, card: str, vary_on: tuple, draw) -> str:
    """A card drawn from its data (`draw(data)`), kept until a record of one of the member's farms changes: kept
    with the farms' versions it was built at, and read with their current ones in one round trip. `vary_on` is
    what the drawing depends on besides the data (language, rights, unit, price)."""
    today = timezone.localdate()
    farm_ids = sorted(farm.pk for farm in farm_list(membership))
    return drawn(f"milk:card:{card}", sources=[(services.FARM_MILK, (membership.tenant_id, farm_id)) for farm_id in farm_ids],
                 vary_on=(membership.tenant_id, today, farm_ids, *vary_on),
                 draw=lambda: draw(_CARD_BUILDERS[card](membership, today)))


_CARD_BUILDERS = {
    "production": selectors.production,
    "chart": selectors.daily_series,
    "producers": selectors.producers,
    "alerts": selectors.open_alerts,
    "scc": selectors.bulk_scc,
}


@member_required("milk.view")
def dashboard_card(request, card: str):
    if card not in CARDS:
        return HttpResponse(status=404)
    membership, tenant = request.membership, request.tenant

    def draw(data) -> str:
        context = {"card": card, "data": data, "unit": tenant.milk_unit}
        if card == "chart":
            context["chart"] = charts.sessions_chart(data)
        if card == "production" and tenant.milk_price:
            context["lost"] = data["overall"]["week_discarded"] * tenant.milk_price
        return drawn_later.render(request, f"milk/dashboard.html#{card}", context)

    vary_on = (get_language(), timezone.get_current_timezone_name(), can(membership, "milk.record"), tenant.milk_unit,
               tenant.milk_price, tenant.currency)
    return HttpResponse(drawn_later.fill(request, dashboard_drawn(membership, card, vary_on, draw)))


# Records ------------------------------------------------------------------------------------------


@member_required("milk.view")
def records(request):
    membership = request.membership
    # Without a date range the list shows the last 30 days: paging two years of milkings to find
    # this week's is no use to anyone, and counting them all costs the most.
    data = request.GET.copy()
    if not data.get("since") and not data.get("until") and not data.get("animal"):
        data["since"] = (timezone.localdate() - dt.timedelta(days=29)).isoformat()
    form = RecordFilterForm(data, farms=farms_visible_to(membership))
    queryset = selectors.records_for(membership)
    if form.is_valid():
        data = form.cleaned_data
        if data["farm"]:
            queryset = queryset.filter(farm=data["farm"])
        if data["animal"]:
            queryset = queryset.filter(animal__tag__iexact=data["animal"].strip())
        if data["since"]:
            queryset = queryset.filter(date__gte=data["since"])
        if data["until"]:
            queryset = queryset.filter(date__lte=data["until"])
        if data["session"]:
            queryset = queryset.filter(session=data["session"])
    else:
        queryset = queryset.none()
    table = MilkRecordTable(queryset)
    export_format = request.GET.get("_export")
    if export_format in ("csv", "xlsx"):
        sheet = exports.sheet_from_table(table, _("Milk records"), request.tenant.name)
        return exports.response(sheet, export_format, f"milk-records-{timezone.localdate():%Y-%m-%d}")
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    context = {"form": form, "table": table, "unit": request.tenant.milk_unit, "animal_base": reverse("herd:detail", args=[0]).removesuffix("0/")}
    return render(request, "milk/records.html", context, status=400 if form.errors else 200)


# The animal page's milk section -------------------------------------------------------------------


@member_required("milk.view")
def animal_milk(request, pk: int):
    animal = get_animal_for(request.membership, pk)
    return render(request, "milk/animal.html", _animal_context(request, animal))


def _animal_context(request, animal, start_form=None, dry_form=None):
    data = selectors.animal_milk(animal, animal.farm.local_today())
    return {
        "animal": animal, "milk": data, "unit": request.tenant.milk_unit,
        "start_form": start_form or LactationStartForm(), "dry_form": dry_form or DryOffForm(),
        "can_manage": can(request.membership, "herd.manage", animal),
    }


@member_required("herd.manage")
@require_POST
def lactation_start(request, pk: int):
    animal = get_animal_for(request.membership, pk)
    form = LactationStartForm(request.POST)
    if form.is_valid():
        try:
            services.lactation_start(
                membership=request.membership, animal=animal, calving_date=form.cleaned_data["calving_date"],
                number=form.cleaned_data["number"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(tag)s is in milk.") % {"tag": animal.tag})
            return _back_to_animal(request, animal)
    return render(request, "milk/animal.html", _animal_context(request, animal, start_form=form), status=422)


@member_required("herd.manage")
@require_POST
def lactations_start_many(request):
    """Start lactations for the cows ticked on the herd list."""
    form = BulkLactationForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
        return redirect_back(request, reverse("herd:list"))
    animals = list(get_animals_for(request.membership, form.cleaned_data["animal"]))
    started, skipped = services.lactations_start_many(
        membership=request.membership, animals=animals, calving_date=form.cleaned_data["calving_date"]
    )
    if started:
        messages.success(request, ngettext("%(count)s cow in milk: %(tags)s.", "%(count)s cows in milk: %(tags)s.",
                                           len(started)) % {"count": len(started),
                                                            "tags": listing(lactation.animal.tag for lactation in started)})
    if skipped:
        messages.warning(request, _("Skipped %(list)s") % {"list": "; ".join(f"{tag}: {reason}" for tag, reason in skipped.items())})
    return redirect_back(request, reverse("herd:list"))


@member_required("herd.manage")
@require_POST
def lactation_dry_off(request, pk: int):
    lactation = selectors.get_lactation_for(request.membership, pk)
    animal = get_animal_for(request.membership, lactation.animal_id)
    form = DryOffForm(request.POST)
    if form.is_valid():
        try:
            services.lactation_dry_off(membership=request.membership, lactation=lactation, dried_off_on=form.cleaned_data["dried_off_on"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(tag)s is dried off.") % {"tag": animal.tag})
            return _back_to_animal(request, animal)
    return render(request, "milk/animal.html", _animal_context(request, animal, dry_form=form), status=422)


def _back_to_animal(request, animal):
    if request.htmx:
        return render(request, "milk/animal.html", _animal_context(request, animal))
    return redirect(animal)


@member_required("milk.record")
@require_POST
def alert_resolve(request, pk: int):
    alert = selectors.get_alert_for(request.membership, pk)
    services.alert_resolve(membership=request.membership, alert=alert)
    if request.htmx:
        return HttpResponse("")
    messages.success(request, _("Alert marked as dealt with."))
    return redirect_back(request, "milk:dashboard")
