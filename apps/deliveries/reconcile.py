"""The buyer's statement set against the farm's deliveries, line by line, with the money at stake.

A day's milk is compared with the deliveries of that day: the quantity paid for (the farm's measure less
what the buyer rejected), the price the schedule gives for the tests, the amount, and the test results when the
statement gives them (fat, protein, somatic cells, bacteria) against those the farm recorded from the slip. Transport, check-off
and the fixed deduction are compared with what the schedule takes. Inputs bought on credit and other
deductions are listed, not judged: only the receipt says whether they are right. A difference is
flagged when it is a cent or more (a hundredth of a litre for quantities); its money at stake is the
statement's amount less the expected one (negative: the farm is paid less than it should be).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from .models import LineKind

ZERO = Decimal("0")
CENT = Decimal("0.01")
QUALITY = ("fat", "protein", "scc", "bacteria")


@dataclass
class DayRow:
    date: dt.date
    expected_quantity: Decimal | None = None
    expected_price: Decimal | None = None
    expected_amount: Decimal | None = None
    quantity: Decimal | None = None  # as the statement says
    price: Decimal | None = None
    amount: Decimal | None = None
    slip_quantity: Decimal | None = None
    tests: dict = field(default_factory=dict)  # the farm's record of the buyer's tests that day (first delivery with one)
    stated: dict = field(default_factory=dict)  # the tests the statement gives for the day

    @property
    def quality_differences(self) -> list[tuple[str, object, object]]:
        """(test, the statement's value, the farm's) for each test both give and they differ."""
        return [(name, value, self.tests[name]) for name, value in self.stated.items()
                if name in self.tests and value != self.tests[name]]

    @property
    def at_stake(self) -> Decimal:
        return (self.amount or ZERO) - (self.expected_amount or ZERO)

    @property
    def quantity_difference(self) -> Decimal:
        return (self.quantity or ZERO) - (self.expected_quantity or ZERO)

    @property
    def flagged(self) -> bool:
        return abs(self.at_stake) >= CENT or abs(self.quantity_difference) >= CENT or bool(self.quality_differences)

    @property
    def why(self) -> str:
        if self.expected_quantity is None:
            return "not_delivered"
        if self.quantity is None:
            return "missing"
        if abs(self.quantity_difference) >= CENT:
            return "quantity"
        if self.price is not None and self.expected_price is not None and self.price != self.expected_price:
            return "price"
        if abs(self.at_stake) >= CENT:
            return "amount"
        return "quality" if self.quality_differences else ""


@dataclass
class DeductionRow:
    kind: str
    description: str
    expected: Decimal | None  # None: not in the schedule (inputs, other)
    amount: Decimal

    @property
    def at_stake(self) -> Decimal:
        return ZERO if self.expected is None else self.expected - self.amount  # a deduction above the expected costs the farm

    @property
    def flagged(self) -> bool:
        return self.expected is not None and abs(self.at_stake) >= CENT


@dataclass
class Reconciliation:
    days: list[DayRow] = field(default_factory=list)
    deductions: list[DeductionRow] = field(default_factory=list)
    without_schedule: list[dt.date] = field(default_factory=list)

    @property
    def flagged(self) -> list:
        return [row for row in self.days if row.flagged] + [row for row in self.deductions if row.flagged]

    @property
    def milk_amount(self) -> Decimal:
        return sum((row.amount or ZERO for row in self.days), ZERO)

    @property
    def expected_milk_amount(self) -> Decimal:
        return sum((row.expected_amount or ZERO for row in self.days), ZERO)

    @property
    def deducted(self) -> Decimal:
        return sum((row.amount for row in self.deductions), ZERO)

    @property
    def net(self) -> Decimal:
        """What the statement says is due."""
        return self.milk_amount - self.deducted

    @property
    def expected_net(self) -> Decimal:
        """What is due by the farm's deliveries and the schedule, taking the unjudged deductions as written."""
        expected = sum((row.expected if row.expected is not None else row.amount for row in self.deductions), ZERO)
        return self.expected_milk_amount - expected

    @property
    def at_stake(self) -> Decimal:
        return self.net - self.expected_net


def reconcile(deliveries: list[tuple], lines: list, monthly_fee: Decimal | None) -> Reconciliation:
    """`deliveries`: (delivery, its expected Pay or None when no schedule covers its day); `lines`: the
    statement's lines (objects with kind, date, description, quantity, price, amount)."""
    result = Reconciliation()
    days: dict[dt.date, DayRow] = {}
    transport = checkoff = ZERO
    for delivery, paid in deliveries:
        row = days.setdefault(delivery.date, DayRow(delivery.date, ZERO, None, ZERO))
        if delivery.slip_quantity is not None:
            row.slip_quantity = (row.slip_quantity or ZERO) + delivery.slip_quantity
        for name in QUALITY:
            if getattr(delivery, name) is not None:
                row.tests.setdefault(name, getattr(delivery, name))
        if paid is None:
            result.without_schedule.append(delivery.date)
            row.expected_quantity += delivery.quantity - delivery.rejected_quantity
            continue
        row.expected_quantity += paid.paid_quantity
        row.expected_amount += paid.value
        row.expected_price = paid.price if row.expected_price in (None, paid.price) else None  # two prices in a day: none shown
        transport += paid.transport
        checkoff += paid.checkoff
    by_kind: dict[str, list] = {}
    for line in lines:
        if line.kind == LineKind.MILK:
            row = days.setdefault(line.date, DayRow(line.date))
            row.quantity, row.price, row.amount = line.quantity, line.price, line.amount
            row.stated = {name: getattr(line, name) for name in QUALITY if getattr(line, name, None) is not None}
        else:
            by_kind.setdefault(line.kind, []).append(line)
    result.days = [days[day] for day in sorted(days)]
    expected = {LineKind.TRANSPORT: transport, LineKind.CHECKOFF: checkoff, LineKind.FEE: monthly_fee or ZERO}
    for kind in (LineKind.TRANSPORT, LineKind.CHECKOFF, LineKind.FEE):
        written = by_kind.get(kind, [])
        if written or expected[kind]:
            description = "; ".join(line.description for line in written if line.description)
            result.deductions.append(DeductionRow(kind, description, expected[kind],
                                                  sum((line.amount for line in written), ZERO)))
    for kind in (LineKind.INPUT, LineKind.OTHER):
        for line in by_kind.get(kind, []):
            result.deductions.append(DeductionRow(kind, line.description, None, line.amount))
    return result
