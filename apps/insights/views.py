from django.shortcuts import render

from apps.accounts.permissions import can
from apps.accounts.selectors import farm_list
from apps.core.access import member_required

from .selectors import health_overview, herd_counts, money_overview, recent_activity


@member_required()
def home(request):
    membership = request.membership
    context = {
        "herd": herd_counts(membership),
        "activity": recent_activity(membership),
        "has_farms": bool(farm_list(membership)),
        "money": money_overview(membership) if can(membership, "finance.view") else None,
        "health": health_overview(membership) if can(membership, "health.view") else None,
    }
    return render(request, "insights/home.html", context)
