from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.selectors import farms_visible_to
from apps.core.access import member_required
from apps.core.forms import add_service_errors
from apps.core.http import id_param, redirect_back
from apps.herd.selectors import animals_visible_to

from .. import selectors, services
from ..forms import ContactForm, SaleForm
from .common import run_once


@member_required("finance.view")
def contacts(request):
    return render(request, "finance/contacts.html", {"contacts": selectors.contacts_of(request.membership)})


@member_required("finance.manage")
def contact_edit(request, pk: int | None = None):
    contact = selectors.get_contact_for(request.membership, pk) if pk else None
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_save(membership=request.membership, contact=contact, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{form.cleaned_data['name']} saved.")
            return redirect_back(request, "money:contacts")
    return render(request, "finance/contact_form.html", {"form": form, "contact": contact}, status=400 if form.errors else 200)


@member_required("finance.view")
def sales(request):
    return render(request, "finance/sales.html", {"sales": selectors.sales_for(request.membership)[:200]})


@member_required("finance.manage")
def sale_create(request):
    membership = request.membership
    form = SaleForm(
        request.POST or None,
        initial={"date": timezone.localdate(), "kind": request.GET.get("kind", "milk"), "animal": id_param(request.GET, "animal"),
                 "farm": id_param(request.GET, "farm") or request.session.get("farm_id")},
        farms=farms_visible_to(membership), buyers=selectors.contacts_of(membership, "customer"),
        animals=animals_visible_to(membership).filter(status="active").only("id", "tag", "name").order_by("tag"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sale, repeat = run_once(form, lambda: services.sale_record(
            membership=membership, key=data["key"], kind=data["kind"], farm=data["farm"], date=data["date"], buyer=data["buyer"],
            unit_price=data["unit_price"], quantity=data["quantity"], unit=data["unit"], animal=data["animal"],
            live_weight=data["live_weight"], product=data["product"], purpose=data["purpose"],
            withdrawal_acknowledged=data["withdrawal_acknowledged"],
        ))
        if repeat:
            return repeat
        if sale:
            messages.success(request, _("Sale recorded."))
            return redirect("money:sale", pk=sale.pk)
    return render(request, "finance/sale_form.html", {"form": form}, status=400 if form.errors else 200)


@member_required("finance.view")
def sale_detail(request, pk: int):
    return render(request, "finance/sale_detail.html", {"sale": selectors.get_sale_for(request.membership, pk)})


@member_required("finance.manage")
@require_POST
def sale_void(request, pk: int):
    sale = selectors.get_sale_for(request.membership, pk)
    try:
        services.sale_void(membership=request.membership, sale=sale)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if sale.animal_id:
            messages.success(request, _("Sale voided. %(tag)s is back in the herd.") % {"tag": sale.animal.tag})
        else:
            messages.success(request, _("Sale voided."))
    return redirect("money:sale", pk=sale.pk)


@member_required("finance.manage")
@require_POST
def sale_invoice(request, pk: int):
    sale = selectors.get_sale_for(request.membership, pk)
    try:
        invoice = services.invoice_from_sales(membership=request.membership, sales=[sale])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("money:sale", pk=sale.pk)
    messages.success(request, _("Draft invoice made from the sale; check it and issue it."))
    return redirect("money:invoice", pk=invoice.pk)
