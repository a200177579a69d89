from functools import cache

from apps.notify.selectors import unread_count

from .middleware import SESSION_FARM
from .selectors import farm_list, memberships_of


def tenancy(request):
    """The organisation, member and pickers for the layout; each query runs only if a template asks."""
    from apps.core.replicas import degraded

    membership = getattr(request, "membership", None)
    if membership is None:
        return {"database_degraded": degraded()}

    def farms():
        return farm_list(membership)

    @cache
    def current_farm():
        farm_id = request.session.get(SESSION_FARM)
        return next((f for f in farms() if f.pk == farm_id), None)

    # The section the page belongs to, for the navigation (none on a page no URL matched, like a 404).
    match = getattr(request, "resolver_match", None)
    return {
        "nav_section": (match.namespace or match.url_name) if match else "",
        "membership": membership,
        "tenant": request.tenant,
        "memberships": getattr(request, "memberships", None) or cache(lambda: list(memberships_of(request.user))),
        "farm_choices": farms,
        "current_farm": current_farm,
        "unread_notifications": cache(lambda: unread_count(membership)),
        "database_degraded": degraded(),
    }
