import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.permissions import can
from apps.accounts.selectors import farms_visible_to
from apps.core.access import member_required
from apps.core.forms import add_service_errors
from apps.core.http import id_param
from apps.deliveries.selectors import month_end

from . import iofc, selectors, services
from .forms import FeedingForm, PeriodForm, RationForm


@member_required("herd.view")
def home(request):
    membership = request.membership
    farms = farms_visible_to(membership)
    first = farms.first()
    context = {"farms_exist": first is not None, "rations": list(selectors.rations_for(membership).order_by("farm__name", "name")),
               "feedings": list(selectors.feedings_for(membership)[:10])}
    if first is None:
        return render(request, "feeding/home.html", context)
    farm = next((f for f in farms if f.pk == request.session.get("farm_id")), first)
    today = farm.local_today()
    form = PeriodForm(request.GET if "farm" in request.GET else None, farms=farms,
                      initial={"farm": farm.pk, "month": today.replace(day=1), "by": "yield"})
    month, by = today.replace(day=1), "yield"
    if form.is_bound and form.is_valid():
        farm, month, by = form.cleaned_data["farm"], form.cleaned_data["month"].replace(day=1), form.cleaned_data["by"]
        today = farm.local_today()
    since, until = month, min(month_end(month), today)
    if since <= until and can(membership, "finance.view"):
        days = selectors.iofc_days(membership, farm, since, until)
        context.update({"days": days, "total": iofc.total(days), "groups": selectors.iofc_groups(membership, farm, since, until,
                                                                                               by=by, days=days)})
    context.update({"form": form, "farm": farm, "since": since, "until": until})
    return render(request, "feeding/home.html", context, status=400 if form.errors else 200)


@member_required("herd.manage")
def feeding_create(request):
    membership = request.membership
    farms = farms_visible_to(membership)
    ration = selectors.rations_for(membership).filter(pk=id_param(request.GET, "ration")).first() if "ration" in request.GET else None
    quantities, initial = None, {"farm": request.session.get("farm_id"), "date": timezone.localdate()}
    if ration is not None:
        quantities = dict((item.pk, quantity) for item, quantity in services.ration_quantities(
            ration, services.head_of(ration.farm, ration.group)))
        initial = {"farm": ration.farm_id, "group": ration.group_id, "date": ration.farm.local_today()}
    form = FeedingForm(request.POST or None, farms=farms, groups=selectors.groups_of(membership), feeds=selectors.feeds_of(membership),
                       quantities=quantities, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            feeding = services.feeding_record(membership=membership, farm=values["farm"], group=values["group"], date=values["date"],
                                              lines=form.lines(), ration=None)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            short = [line for line in feeding.lines.all() if line.shortfall]
            if short:
                messages.warning(request, _("Recorded. The stock held less than was fed of: %(feeds)s. Receive the feed "
                                            "or count the stock.") % {"feeds": ", ".join(line.item.name for line in short)})
            else:
                messages.success(request, _("The feeding is recorded and its feed drawn from stock."))
            return redirect("feeding:home")
    return render(request, "feeding/feeding_form.html", {"form": form, "ration": ration}, status=400 if form.errors else 200)


@member_required("herd.manage")
def ration_edit(request, pk: int | None = None):
    membership = request.membership
    ration = selectors.get_ration_for(membership, pk) if pk else None
    initial, per_head, per_day = {"starts_on": timezone.localdate()}, None, None
    if ration:
        initial = {"name": ration.name, "farm": ration.farm_id, "group": ration.group_id, "standing": ration.standing,
                   "starts_on": ration.starts_on, "ends_on": ration.ends_on}
        per_head = {line.item_id: line.per_head for line in ration.lines.all()}
        per_day = {line.item_id: line.per_day for line in ration.lines.all()}
    form = RationForm(request.POST or None, farms=farms_visible_to(membership), groups=selectors.groups_of(membership),
                      feeds=selectors.feeds_of(membership), per_head=per_head, per_day=per_day, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k in ("name", "farm", "group", "standing", "starts_on", "ends_on")}
        try:
            ration = services.ration_save(membership=membership, ration=ration, lines=form.lines(), **values)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The ration %(name)s is saved.") % {"name": ration.name})
            return redirect("feeding:home")
    return render(request, "feeding/ration_form.html", {"form": form, "ration": ration}, status=400 if form.errors else 200)


@member_required("milk.view")
def iofc_card(request):
    """The milk dashboard's card: income over feed cost by week, the last four weeks, farm by farm."""
    membership = request.membership
    weeks = []
    if can(membership, "finance.view"):
        for farm in farms_visible_to(membership):
            today = farm.local_today()
            days = selectors.iofc_days(membership, farm, today - dt.timedelta(days=27), today)
            if not any(day.saleable or day.feed_cost for day in days):
                continue
            groups = selectors.iofc_groups(membership, farm, days[0].date, today, days=days)
            weeks.append((farm, [iofc.total(days[n:n + 7]) for n in range(0, 28, 7)], groups))
    return render(request, "feeding/home.html#card", {"weeks": weeks})
