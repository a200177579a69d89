from apps.farms.selectors import farms_visible_to
from apps.notify.selectors import unread_count

from .middleware import SESSION_FARM
from .selectors import memberships_of


class _Lazy:
    """Run a query only if the template asks for it, and only once."""

    def __init__(self, load):
        self._load, self._value = load, None

    def __call__(self):
        if self._value is None:
            self._value = self._load()
        return self._value


def tenancy(request):
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}
    memberships = _Lazy(lambda: list(memberships_of(request.user)))
    farms = _Lazy(lambda: list(farms_visible_to(membership)))

    def current_farm():
        farm_id = request.session.get(SESSION_FARM)
        return next((f for f in farms() if f.pk == farm_id), None)

    return {
        "membership": membership,
        "tenant": request.tenant,
        "memberships": memberships,
        "farm_choices": farms,
        "current_farm": _Lazy(current_farm),
        "unread_notifications": _Lazy(lambda: unread_count(membership)),
    }
