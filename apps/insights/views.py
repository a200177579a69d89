from django.shortcuts import render

from apps.accounts.permissions import can
from apps.accounts.selectors import farms_visible_to
from apps.core.access import member_required
from apps.finance.selectors import money_overview
from apps.herd.selectors import herd_counts_by_farm

from .selectors import health_overview, recent_activity


@member_required()
def home(request):
    membership = request.membership
    context = {
        "herd": herd_counts_by_farm(membership),
        "activity": recent_activity(membership),
        "has_farms": farms_visible_to(membership).exists(),
        "money": money_overview(membership) if can(membership, "finance.view") else None,
        "health": health_overview(membership) if can(membership, "health.view") else None,
    }
    return render(request, "insights/home.html", context)
