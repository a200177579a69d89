from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from apps.accounts.permissions import can
from apps.accounts.policies import approval_limit_of, approval_limit_set
from apps.accounts.selectors import farms_visible_to
from apps.core.access import member_required
from apps.core.forms import add_service_errors
from apps.core.http import id_param, redirect_back
from apps.core.middleware import allow_camera
from apps.core.uploads import serve_upload

from .. import selectors, services
from ..forms import ApprovalLimitForm, CategoryForm, ExpenseForm, MilkPriceForm, RejectForm
from .common import run_once


@member_required()
def home(request):
    membership = request.membership
    context = {
        "overview": selectors.money_overview(membership) if can(membership, "finance.view") else None,
        "counts": selectors.queue_counts(membership) if can(membership, "finance.approve_expense") else None,
        "mine": selectors.my_expenses(membership)[:10],
    }
    return render(request, "finance/home.html", context)


def _expense_form(request):
    membership = request.membership
    return ExpenseForm(
        request.POST or None, request.FILES or None,
        initial={"date": timezone.localdate(), "farm": request.session.get("farm_id")},
        farms=farms_visible_to(membership), categories=selectors.categories_of(membership),
        suppliers=selectors.contacts_of(membership, "supplier"),
    )


@member_required("finance.submit_expense")
@allow_camera
def expense_submit(request):
    form = _expense_form(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        expense, repeat = run_once(form, lambda: services.expense_submit(
            membership=request.membership, key=data["key"], farm=data["farm"], date=data["date"], category=data["category"],
            amount=data["amount"], description=data["description"], supplier=data["supplier"],
            supplier_name=data["supplier_name"], receipt=data["receipt"],
        ))
        if repeat:
            return repeat
        if expense:
            messages.success(request, _("Expense approved.") if expense.status == "approved" else _("Expense sent for approval."))
            return redirect("money:expense", pk=expense.pk)
    return render(request, "finance/expense_form.html", {"form": form}, status=400 if form.errors else 200)


@member_required()
def expense_detail(request, pk: int):
    expense = selectors.get_expense_for(request.membership, pk)
    context = {
        "expense": expense, "transitions": expense.transitions.select_related("by__user"),
        "problem": services.approval_problem(request.membership, expense), "reject_form": RejectForm(),
    }
    return render(request, "finance/expense_detail.html", context)


@member_required()
def expense_receipt(request, pk: int):
    expense = selectors.get_expense_for(request.membership, pk)
    if not expense.receipt:
        raise Http404
    return serve_upload(expense.receipt)


@member_required()
def expense_receipt_thumb(request, pk: int):
    expense = selectors.get_expense_for(request.membership, pk)
    if not expense.receipt_thumb:
        raise Http404
    return serve_upload(expense.receipt_thumb)


@member_required("finance.approve_expense")
def queue(request):
    membership = request.membership
    farm_id, category_id = id_param(request.GET, "farm"), id_param(request.GET, "category")
    farm = farms_visible_to(membership).filter(pk=farm_id).first() if farm_id else None
    category = selectors.categories_of(membership).filter(pk=category_id).first() if category_id else None
    pending = list(selectors.approval_queue(membership, farm=farm, category=category)[:100])
    for expense in pending:
        expense.problem = services.approval_problem(membership, expense)
    context = {
        "pending": pending, "counts": selectors.queue_counts(membership), "reject_form": RejectForm(),
        "farms": farms_visible_to(membership), "categories": selectors.categories_of(membership), "farm": farm, "category": category,
    }
    return render(request, "finance/queue.html", context)


@member_required("finance.approve_expense")
@require_POST
def expense_decide(request, pk: int):
    """Approve or reject in place: answer with the decided row and the counts (out of band)."""
    membership = request.membership
    expense = selectors.get_expense_for(membership, pk)
    approve = request.POST.get("decision") == "approve"
    form = RejectForm(request.POST) if not approve else None
    error = None
    try:
        if approve or form.is_valid():
            expense = services.expense_decide(membership=membership, expense=expense, approve=approve,
                                              note="" if approve else form.cleaned_data["reason"])
        else:
            error = "Say why the expense is rejected."
    except (ValidationError, PermissionDenied) as problem:
        error = " ".join(getattr(problem, "messages", None) or [str(problem)])
    if not request.htmx:
        messages.error(request, error) if error else messages.success(request, _("Expense %(status)s.") % {"status": expense.get_status_display().lower()})
        return redirect_back(request, "money:queue")
    expense.problem = services.approval_problem(membership, expense)
    context = {"expense": expense, "error": error, "counts": selectors.queue_counts(membership), "reject_form": form or RejectForm(), "oob": True}
    return render(request, "finance/queue.html#decided", context, status=422 if error else 200)


@member_required("finance.approve_expense")
@require_POST
def queue_approve_many(request):
    ids = [int(i) for i in request.POST.getlist("expense") if i.isdigit()]
    expenses = list(selectors.approval_queue(request.membership).filter(pk__in=ids))
    approved, problems = services.expenses_approve_many(membership=request.membership, expenses=expenses)
    if approved:
        messages.success(request, ngettext("%(count)s expense approved.", "%(count)s expenses approved.", approved) % {
            "count": approved})
    for problem in problems:
        messages.warning(request, problem)
    return redirect("money:queue")


@member_required("finance.manage")
def settings_page(request):
    """The manager approval limit and the organisation's own expense categories."""
    membership = request.membership
    limit_form = ApprovalLimitForm(request.POST if "limit" in request.POST else None,
                                   initial={"limit": approval_limit_of(membership)})
    category_form = CategoryForm(request.POST if "name" in request.POST else None)
    price_form = MilkPriceForm(request.POST if "price" in request.POST else None, initial={"price": membership.tenant.milk_price})
    try:
        if price_form.is_bound and price_form.is_valid():
            services.tenant_set_milk_price(membership=membership, price=price_form.cleaned_data["price"])
            messages.success(request, _("Milk price saved."))
            return redirect("money:settings")
        if limit_form.is_bound and limit_form.is_valid():
            approval_limit_set(membership=membership, limit=limit_form.cleaned_data["limit"])
            messages.success(request, _("Approval limit saved."))
            return redirect("money:settings")
        if category_form.is_bound and category_form.is_valid():
            services.category_create(membership=membership, name=category_form.cleaned_data["name"])
            messages.success(request, _("Category added."))
            return redirect("money:settings")
    except ValidationError as error:
        add_service_errors(next(f for f in (limit_form, price_form, category_form) if f.is_bound), error)
    except PermissionDenied:
        limit_form.add_error(None, "Only an owner can change the approval limit.")
    context = {"limit_form": limit_form, "category_form": category_form, "price_form": price_form,
               "categories": selectors.categories_of(membership)}
    errors = limit_form.errors or category_form.errors or price_form.errors
    return render(request, "finance/settings.html", context, status=400 if errors else 200)
