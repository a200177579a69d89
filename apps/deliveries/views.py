from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.permissions import can
from apps.accounts.selectors import farms_visible_to, get_farm_for
from apps.core.access import member_required
from apps.core.forms import add_service_errors
from apps.core.http import id_param
from apps.core.words import amount, day

from . import documents, selectors, services
from .forms import BuyerForm, DeliveryForm, DoNotShipForm, PaymentForm, ScheduleForm, StatementForm, TestsForm
from .pay import bands_text
from .services import SCHEDULE_FIELDS, TEST_FIELDS


def _status(form) -> int:
    return 400 if form.errors else 200


@member_required("milk.view")
def home(request):
    membership = request.membership
    deliveries = list(selectors.deliveries_for(membership)[:30])
    context = {"deliveries": selectors.with_expected_pay(deliveries), "buyers": list(selectors.buyers_of(membership)),
               "statements": list(selectors.statements_for(membership)[:12]) if can(membership, "finance.view") else []}
    return render(request, "deliveries/home.html", context)


@member_required("milk.record")
def delivery_create(request):
    membership = request.membership
    farm_id = id_param(request.GET, "farm") or request.session.get("farm_id")
    initial = {"farm": farm_id, "date": request.GET.get("date"), "sessions": request.GET.getlist("session")}
    form = DeliveryForm(request.POST or None, farms=farms_visible_to(membership), buyers=selectors.buyers_of(membership),
                        initial=initial)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            delivery = services.delivery_record(
                membership=membership, farm=values["farm"], buyer=values["buyer"], date=values["date"], sessions=values["sessions"],
                quantity=values["quantity"], over_reason=values["over_reason"], **form.tests())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(quantity)s %(unit)s delivered to %(buyer)s on %(date)s.") % {
                "quantity": amount(delivery.quantity), "unit": delivery.buyer.get_measures_display(), "buyer": delivery.buyer.name,
                "date": day(delivery.date)})
            return redirect("deliveries:detail", delivery.pk)
    return render(request, "deliveries/delivery_form.html", {"form": form, "has_buyers": form.fields["buyer"].queryset.exists()},
                  status=_status(form))


@member_required("milk.view")
def delivery_detail(request, pk: int):
    membership = request.membership
    delivery = selectors.get_delivery_for(membership, pk)
    form = TestsForm(request.POST or None, initial={name: getattr(delivery, name) for name in TEST_FIELDS})
    if request.method == "POST":
        if not can(membership, "milk.record", delivery.farm):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.delivery_slip(membership=membership, delivery=delivery, **form.tests())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The buyer's slip is saved."))
                return redirect("deliveries:detail", delivery.pk)
    schedule = selectors.schedule_on(delivery.buyer, delivery.date)
    context = {"delivery": delivery, "form": form, "schedule": schedule, "pay": selectors.expected_pay(delivery, schedule)}
    return render(request, "deliveries/delivery.html", context, status=_status(form))


@require_POST
@member_required("milk.record")
def delivery_void(request, pk: int):
    delivery = selectors.get_delivery_for(request.membership, pk)
    services.delivery_void(membership=request.membership, delivery=delivery)
    messages.success(request, _("The delivery is cancelled."))
    return redirect("deliveries:home")


@member_required("milk.view")
def do_not_ship(request):
    """The cows whose milk must not go in a session, the declaration for the driver and its PDF."""
    membership = request.membership
    farms = farms_visible_to(membership)
    form = DoNotShipForm(request.GET if "farm" in request.GET else None, farms=farms, initial={"farm": request.session.get("farm_id")})
    if not form.is_bound:
        first = farms.first()
        if first is None:
            return render(request, "deliveries/do_not_ship.html", {"form": form})
        farm = get_farm_for(membership, request.session.get("farm_id") or first.pk)
        today = farm.local_now()
        values = {"farm": farm, "date": today.date(), "session": farm.milkings.session_of(today)[1]}
    elif form.is_valid():
        values = form.cleaned_data
    else:
        return render(request, "deliveries/do_not_ship.html", {"form": form}, status=400)
    farm, date, session = values["farm"], values["date"], values["session"]
    if session not in farm.milkings.sessions:
        session = farm.milkings.sessions[0]
    kept = selectors.do_not_ship(membership, farm, date, session)
    declaration = selectors.last_declaration(membership, farm, date, session)
    if request.GET.get("format") == "pdf":
        return documents.do_not_ship_pdf(farm, date, session, kept, declaration)
    form = DoNotShipForm(initial={"farm": farm.pk, "date": date, "session": session}, farms=farms)
    context = {"form": form, "farm": farm, "date": date, "session": session, "kept": kept, "declaration": declaration,
               "query": f"farm={farm.pk}&date={date.isoformat()}&session={session}"}
    return render(request, "deliveries/do_not_ship.html", context)


@require_POST
@member_required("milk.record")
def declare(request):
    membership = request.membership
    form = DoNotShipForm(request.POST, farms=farms_visible_to(membership))
    if not form.is_valid():
        messages.error(request, _("Pick the farm, the date and the session."))
        return redirect("deliveries:do_not_ship")
    values = form.cleaned_data
    try:
        declaration = services.declaration_make(membership=membership, **values)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Declared: %(count)s cows kept out.") % {"count": len(declaration.cows)})
    query = f"?farm={values['farm'].pk}&date={values['date'].isoformat()}&session={values['session']}"
    return redirect(reverse("deliveries:do_not_ship") + query)


@member_required("finance.manage")
def buyer_edit(request, pk: int | None = None):
    membership = request.membership
    buyer = selectors.get_buyer_for(membership, pk) if pk else None
    initial = {f: getattr(buyer, f) for f in ("name", "collection_point", "measures", "is_active")} if buyer else None
    form = BuyerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            buyer = services.buyer_save(membership=membership, buyer=buyer, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": buyer.name})
            return redirect("deliveries:buyer_edit", buyer.pk)
    context = {"form": form, "buyer": buyer, "schedules": selectors.schedules_of(buyer) if buyer else []}
    return render(request, "deliveries/buyer.html", context, status=_status(form))


@member_required("finance.manage")
def schedule_edit(request, buyer_pk: int, pk: int | None = None):
    membership = request.membership
    buyer = selectors.get_buyer_for(membership, buyer_pk)
    schedule = next((s for s in selectors.schedules_of(buyer) if s.pk == pk), None) if pk else None
    if pk and schedule is None:
        return redirect("deliveries:buyer_edit", buyer.pk)
    initial = None
    if schedule:
        initial = {name: getattr(schedule, name) for name in SCHEDULE_FIELDS}
        initial["scc_bands"], initial["bacteria_bands"] = bands_text(schedule.scc_bands), bands_text(schedule.bacteria_bands)
    form = ScheduleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.schedule_save(membership=membership, buyer=buyer, schedule=schedule, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The price schedule of %(name)s is saved.") % {"name": buyer.name})
            return redirect("deliveries:buyer_edit", buyer.pk)
    return render(request, "deliveries/schedule.html", {"form": form, "buyer": buyer, "schedule": schedule}, status=_status(form))


@member_required("finance.manage")
def statement_create(request):
    membership = request.membership
    form = StatementForm(request.POST or None, request.FILES or None, farms=farms_visible_to(membership),
                         buyers=selectors.buyers_of(membership, active_only=False))
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        month = values["month"].replace(day=1)
        try:
            lines = services.statement_lines_read(values["text"], month)
            statement = services.statement_save(membership=membership, buyer=values["buyer"], farm=values["farm"], month=month,
                                                lines=lines)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The statement is entered."))
            return redirect("deliveries:statement", statement.pk)
    return render(request, "deliveries/statement_form.html", {"form": form}, status=_status(form))


@member_required("finance.view")
def statement_detail(request, pk: int):
    membership = request.membership
    statement = selectors.get_statement_for(membership, pk)
    form = PaymentForm(request.POST or None, initial={"amount": statement.paid_amount, "paid_on": statement.paid_on,
                                                      "method": statement.method, "reference": statement.reference})
    if request.method == "POST":
        if not can(membership, "finance.manage", statement.farm):
            raise PermissionDenied
        if form.is_valid():
            values = form.cleaned_data
            try:
                services.statement_paid(membership=membership, statement=statement, amount=values["amount"],
                                        paid_on=values["paid_on"], method=values["method"], reference=values["reference"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The payment is recorded."))
                return redirect("deliveries:statement", statement.pk)
    result = selectors.reconciliation_of(statement)
    file_format = request.GET.get("format")
    if file_format in ("pdf", "xlsx", "csv"):
        return documents.dispute_sheet(statement, result, file_format)
    context = {"statement": statement, "result": result, "form": form}
    return render(request, "deliveries/statement.html", context, status=_status(form))
