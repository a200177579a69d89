from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.decorators import member_required

from . import selectors, services


@member_required()
def inbox(request):
    notifications = selectors.notifications_of(request.membership)
    return render(request, "notify/inbox.html", {"notifications": notifications})


@member_required()
@require_POST
def mark_all_read(request):
    services.notifications_mark_read(membership=request.membership)
    if request.htmx:
        return render(request, "notify/inbox.html#bell", {"unread": 0})
    return redirect("notify:inbox")
