"""What the milk pages are drawn from, as cache sources (apps.core.fragments): a farm's milk, which the dashboard
cards show, and a farm's session context (its tank readings and lactations), which every row save shows with the
cows in milk (drawn from the herd too: apps.milk.selectors.session_context)."""

from __future__ import annotations

from apps.core.fragments import Source

FARM_MILK = Source("milk-farm", seconds=300)
SESSION_CONTEXT = Source("milk-session")


def touch_farm(tenant_id: int, farm_id: int) -> None:
    """A record, summary or alert of the farm changed: its dashboard cards are drawn again."""
    FARM_MILK.changed(tenant_id, farm_id)


def session_context_follow() -> None:
    """A save or delete of a tank reading or a lactation (through a service or the admin) changes its farm's session
    context."""
    from ..models import BulkTankReading, Lactation

    SESSION_CONTEXT.follow(BulkTankReading, ids=lambda row: (row.tenant_id, row.farm_id))
    SESSION_CONTEXT.follow(Lactation, ids=lambda row: (row.tenant_id, _farm_of(row)))


def _farm_of(lactation) -> int | None:
    """The farm of the lactation's cow: the one read with it (a service's save), or read now (the admin's). None
    when she is gone too (deleted with her lactations): the herd's own change has moved the context on then."""
    from apps.core.models import loaded
    from apps.herd.models import Animal

    animal = loaded(lactation, "animal")
    if animal is not None:
        return animal.farm_id
    return Animal.objects.unscoped().filter(pk=lactation.animal_id).values_list("farm_id", flat=True).first()
