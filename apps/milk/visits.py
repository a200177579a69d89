"""A session's record made from its milking visits: robot milkings, or a parlour meter's.

The yield is the sum of the visits (kept to the ten-thousandth, rounded to the hundredth once summed). Fat, protein, lactose and cell count are averages weighted by each
visit's yield (what one sample of the session's pooled milk would measure); a visit without milk, such as
a kick-off, carries no weight. Durations add up; blood in any visit marks the session's milk as bloody.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from .models import Appearance, Method

WEIGHTED = ("fat", "protein", "lactose", "scc")
HUNDREDTH = Decimal("0.01")


def session_from_visits(visits, *, robot: bool) -> dict:
    """The record's values for a session made of `visits` (MilkingVisit, saved or not)."""
    quantity = sum((v.quantity for v in visits), Decimal("0")).quantize(HUNDREDTH, ROUND_HALF_UP)
    values = {"quantity": quantity, "method": Method.ROBOT if robot else Method.MACHINE, "visit_count": len(visits)}
    for name in WEIGHTED:
        carried = [(v.quantity, getattr(v, name)) for v in visits if getattr(v, name) is not None and v.quantity > 0]
        weight = sum((q for q, _ in carried), Decimal("0"))
        if not weight:
            values[name] = None
            continue
        mean = sum((q * Decimal(value) for q, value in carried), Decimal("0")) / weight
        values[name] = int(mean.to_integral_value(ROUND_HALF_UP)) if name == "scc" else mean.quantize(HUNDREDTH, ROUND_HALF_UP)
    seconds = [v.duration_seconds for v in visits if v.duration_seconds is not None]
    values["duration_minutes"] = min(120, round(sum(seconds) / 60)) if seconds else None
    if any(v.blood for v in visits):
        values["appearance"] = Appearance.BLOODY
    return values
