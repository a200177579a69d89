"""What a buyer's price schedule pays for a delivery: the rule, with no database.

The definitions, stated on the pages that show the figures:
- The milk paid for is the farm's measured quantity less what the buyer rejected; all of it when the
  schedule refuses the milk (a positive antibiotics test, added water above its limit).
- The price per litre (or kg) is the base price, plus or minus the fat and protein steps (one step per
  whole 0.1 % above or below the base, part of a step not counted), plus the change of the somatic cell
  band and of the bacteria band the tests fall in (no test result: no change); never below zero.
- The milk's value is the quantity paid for times the price, to the cent (half up); transport and
  check-off are taken per litre (or kg) paid for, each to the cent; the fixed deduction once a month.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
STEP = Decimal("0.1")
ZERO = Decimal("0")


@dataclass(frozen=True)
class Results:
    fat: Decimal | None = None
    protein: Decimal | None = None
    scc: int | None = None
    bacteria: int | None = None
    antibiotics: str = ""  # "", "negative", "positive"
    added_water: Decimal | None = None


@dataclass(frozen=True)
class Pay:
    paid_quantity: Decimal
    price: Decimal  # per litre or kg, after the quality changes
    value: Decimal
    transport: Decimal
    checkoff: Decimal
    refused: str = ""  # why the whole delivery is not paid for
    parts: list[tuple[str, Decimal]] = field(default_factory=list)  # (what, change per litre or kg)

    @property
    def net(self) -> Decimal:
        return self.value - self.transport - self.checkoff


def steps(value: Decimal | None, base: Decimal | None) -> int:
    """Whole 0.1 % steps from the base, toward zero: 3.67 against 3.50 is one step, 3.33 is minus one."""
    if value is None or base is None:
        return 0
    return int(((value - base) / STEP).to_integral_value(rounding=ROUND_DOWN))


def band_change(value: int | None, bands: list) -> Decimal:
    """The change of the first band whose upper limit the value does not pass; a band with no limit
    (None) takes everything above the others. No value, or one above every limited band with no open
    band: no change."""
    if value is None:
        return ZERO
    for limit, change in bands:
        if limit is None or value <= Decimal(str(limit)):
            return Decimal(str(change))
    return ZERO


def delivery_pay(schedule, quantity: Decimal, tests: Results, rejected: Decimal = ZERO) -> Pay:
    """What the schedule pays for a delivery of `quantity` with these test results."""
    refused = ""
    if tests.antibiotics == "positive" and schedule.reject_antibiotics:
        refused = "antibiotics"
    elif schedule.water_limit is not None and tests.added_water is not None and tests.added_water > schedule.water_limit:
        refused = "water"
    paid = ZERO if refused else max(quantity - rejected, ZERO)
    parts = []
    fat = steps(tests.fat, schedule.base_fat) * schedule.fat_step
    if fat:
        parts.append(("fat", fat))
    protein = steps(tests.protein, schedule.base_protein) * schedule.protein_step
    if protein:
        parts.append(("protein", protein))
    scc = band_change(tests.scc, schedule.scc_bands)
    if scc:
        parts.append(("scc", scc))
    bacteria = band_change(tests.bacteria, schedule.bacteria_bands)
    if bacteria:
        parts.append(("bacteria", bacteria))
    price = max(schedule.base_price + sum((change for _, change in parts), ZERO), ZERO)
    return Pay(
        paid_quantity=paid,
        price=price,
        value=(paid * price).quantize(CENT, ROUND_HALF_UP),
        transport=(paid * schedule.transport_per_unit).quantize(CENT, ROUND_HALF_UP),
        checkoff=(paid * schedule.checkoff_per_unit).quantize(CENT, ROUND_HALF_UP),
        refused=refused,
        parts=parts,
    )


def parse_bands(text: str) -> list:
    """Bands as a farmer types them, one a line: "200000 1.00" (up to 200,000: +1.00), "* -2.00" (above
    the rest). Raises ValueError naming the line that cannot be read."""
    bands = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip().replace(",", " ")
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2:
            raise ValueError(number)
        try:
            limit = None if parts[0] == "*" else int(parts[0])
            change = Decimal(parts[1])
        except (ValueError, ArithmeticError):
            raise ValueError(number) from None
        if (limit is not None and limit < 0) or not change.is_finite() or abs(change) > 100000:
            raise ValueError(number)
        bands.append([limit, str(change)])
    limited = [limit for limit, _ in bands if limit is not None]
    if limited != sorted(limited) or len(set(limited)) != len(limited) or [b for b in bands[:-1] if b[0] is None]:
        raise ValueError(0)
    return bands


def bands_text(bands: list) -> str:
    return "\n".join(f"{'*' if limit is None else limit} {change}" for limit, change in bands)
