from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.selectors import farms_visible_to
from apps.core.access import member_required
from apps.core.forms import add_service_errors
from apps.core.http import id_param
from apps.core.words import amount
from apps.finance.selectors import contacts_of

from . import selectors, services
from .forms import LABEL_SPECIES, AdjustForm, ItemForm, MoveForm, ReceiveForm, UseForm


@member_required("stock.view")
def stock_home(request):
    membership = request.membership
    context = {
        "on_hand": selectors.stock_on_hand(membership),
        "low": selectors.low_stock(membership),
        "expiring": selectors.expiring(membership),
        "batches": selectors.batches_on_hand(membership),
        "today": timezone.localdate(),
    }
    return render(request, "stock/home.html", context)


@member_required("stock.manage")
def item_edit(request, pk: int | None = None):
    membership = request.membership
    item = selectors.get_item_for(membership, pk) if pk else None
    initial = None
    if item:
        initial = {f: getattr(item, f) for f in ("kind", "name", "unit", "reorder_level", "active_substance",
                                                  "lactating_allowed", "booster_days")}
        for period in item.withdrawals.all():
            initial[f"milk_{period.species}"], initial[f"meat_{period.species}"] = period.milk_hours, period.meat_days
    form = ItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if not k.startswith(("milk_", "meat_"))}
        try:
            item = services.item_save(membership=membership, item=item, withdrawals=form.withdrawals(),
                                      **{**values, "reorder_level": values["reorder_level"] or 0,
                                         "active_substance": values["active_substance"] or ""})
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": item.name})
            return redirect("stock:home")
    context = {"form": form, "item": item, "species": LABEL_SPECIES}
    return render(request, "stock/item_form.html", context, status=400 if form.errors else 200)


@member_required("stock.manage")
def receive(request):
    membership = request.membership
    expenses, invoices = selectors.bills_to_link(membership)
    form = ReceiveForm(request.POST or None, items=selectors.items_of(membership), farms=farms_visible_to(membership),
                       suppliers=contacts_of(membership, "supplier"),
                       expenses=expenses, invoices=invoices,
                       initial={"farm": request.session.get("farm_id"), "item": id_param(request.GET, "item")})
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.batch_receive(membership=membership, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(quantity)s %(unit)s of %(item)s received on %(farm)s.") % {
                "quantity": amount(batch.quantity), "unit": batch.item.unit, "item": batch.item.name, "farm": batch.farm.name})
            return redirect("stock:home")
    return render(request, "stock/receive.html", {"form": form}, status=400 if form.errors else 200)


@member_required("stock.manage")
def batch_adjust(request, pk: int):
    batch = selectors.get_batch_for(request.membership, pk)
    form = AdjustForm(request.POST or None, initial={"counted": batch.quantity})
    if request.method == "POST" and form.is_valid():
        try:
            services.stock_adjust(membership=request.membership, batch=batch, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s %(lot)s adjusted.") % {"name": batch.item.name, "lot": batch.lot})
            return redirect("stock:home")
    return render(request, "stock/adjust.html", {"form": form, "batch": batch}, status=400 if form.errors else 200)




@member_required("stock.manage")
def batch_move(request, pk: int):
    batch = selectors.get_batch_for(request.membership, pk)
    form = MoveForm(request.POST or None, farms=farms_visible_to(request.membership).exclude(pk=batch.farm_id))
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.stock_move(membership=request.membership, batch=batch, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(quantity)s %(unit)s of %(item)s moved to %(farm)s.") % {
                "quantity": amount(moved.quantity), "unit": batch.item.unit, "item": batch.item.name, "farm": moved.farm.name})
            return redirect("stock:home")
    return render(request, "stock/move.html", {"form": form, "batch": batch}, status=400 if form.errors else 200)


@member_required("stock.manage")
def batch_use(request, pk: int):
    """Record feed or supplies used from a batch."""
    batch = selectors.get_batch_for(request.membership, pk)
    form = UseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.stock_use(membership=request.membership, batch=batch, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(quantity)s %(unit)s of %(item)s used.") % {
                "quantity": amount(form.cleaned_data["quantity"]), "unit": batch.item.unit, "item": batch.item.name})
            return redirect("stock:home")
    return render(request, "stock/use.html", {"form": form, "batch": batch}, status=400 if form.errors else 200)
