"""Normal ranges of vitals per species, to mark what is out of range, and each species' scoring scale."""

from decimal import Decimal

# (low, high) for an adult at rest.
NORMAL = {
    "cattle": {"temperature": (Decimal("38.0"), Decimal("39.3")), "heart_rate": (48, 84), "respiratory_rate": (26, 50)},
    "goat": {"temperature": (Decimal("38.5"), Decimal("39.7")), "heart_rate": (70, 90), "respiratory_rate": (15, 30)},
    "sheep": {"temperature": (Decimal("38.3"), Decimal("39.9")), "heart_rate": (70, 80), "respiratory_rate": (16, 34)},
    "pig": {"temperature": (Decimal("38.7"), Decimal("39.8")), "heart_rate": (70, 120), "respiratory_rate": (32, 58)},
    "camel": {"temperature": (Decimal("36.0"), Decimal("38.0")), "heart_rate": (40, 50), "respiratory_rate": (10, 12)},
    "horse": {"temperature": (Decimal("37.2"), Decimal("38.3")), "heart_rate": (28, 44), "respiratory_rate": (10, 24)},
    "donkey": {"temperature": (Decimal("36.2"), Decimal("37.8")), "heart_rate": (36, 68), "respiratory_rate": (12, 28)},
    "rabbit": {"temperature": (Decimal("38.5"), Decimal("40.0")), "heart_rate": (130, 325), "respiratory_rate": (30, 60)},
}
# Body condition: cattle 1-5 in quarter points; small ruminants, pigs and camels 1-5 in half points.
CONDITION_STEP = {"cattle": Decimal("0.25")}
DEFAULT_CONDITION_STEP = Decimal("0.5")
# What a body could possibly show: beyond this a value is a typing mistake, refused.
POSSIBLE = {"temperature": (Decimal("30"), Decimal("45")), "heart_rate": (10, 300), "respiratory_rate": (2, 200)}


def out_of_range(species: str, values: dict) -> list[str]:
    """Names of the vitals outside the species' normal range."""
    ranges = NORMAL.get(species, {})
    return [name for name, (low, high) in ranges.items() if values.get(name) is not None and not low <= values[name] <= high]
