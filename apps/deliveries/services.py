"""Writes for deliveries: buyers and their price schedules, deliveries and their slips, the declaration
for the driver, and the buyer's monthly statement with the payment received."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.permissions import can
from apps.audit.services import Actor, audit_append, snapshot
from apps.core.dates import date_problem
from apps.core.events import event_emit
from apps.core.money import amount_problem
from apps.finance.models import Contact, ExpenseCategory
from apps.finance.services.base import currency_of
from apps.finance.services.expenses import expense_submit

from . import selectors
from .models import Buyer, Declaration, Delivery, LineKind, Measure, PriceSchedule, Statement, StatementLine

MAX_DELIVERY = Decimal("100000")
# A litre of cow's milk weighs about 1.03 kg (the usual dairy figure, 1.028-1.034 at 20 °C): a buyer who
# weighs is compared with the litres the farm milked at this density.
KG_PER_LITRE = Decimal("1.03")
RANGES = {"fat": (Decimal("0"), Decimal("15")), "protein": (Decimal("0"), Decimal("15")),
          "scc": (0, 10_000_000), "bacteria": (0, 100_000_000), "added_water": (Decimal("0"), Decimal("100"))}


# Buyers and schedules ------------------------------------------------------------------------------

@transaction.atomic
def buyer_save(*, membership, buyer: Buyer | None = None, name: str, collection_point: str = "",
               measures: str = Measure.LITRES, is_active: bool = True) -> Buyer:
    """Add or change a buyer; a new one becomes a customer in the books (or uses the contact of that name)."""
    if not can(membership, "finance.manage"):
        raise PermissionDenied
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("Give the buyer a name.")
    if measures not in Measure.values:
        errors["measures"] = _("Say whether the buyer measures in litres or kg.")
    if errors:
        raise ValidationError(errors)
    before = snapshot(buyer) if buyer else None
    if buyer is None:
        contact = Contact.objects.filter(tenant_id=membership.tenant_id, name=name).first() or Contact.objects.create(
            tenant_id=membership.tenant_id, kind=Contact.Kind.CUSTOMER, name=name)
        buyer = Buyer(tenant_id=membership.tenant_id, contact=contact)
    buyer.name, buyer.collection_point, buyer.measures, buyer.is_active = name, collection_point.strip(), measures, is_active
    try:
        with transaction.atomic():
            buyer.save()
    except IntegrityError:
        raise ValidationError({"name": _("There is already a buyer called %(name)s.") % {"name": name}}) from None
    audit_append(actor=Actor.of(membership), action="deliveries.buyer_save", obj=buyer, before=before, after=snapshot(buyer),
                 permission="finance.manage")
    return buyer


OPTIONAL_TERMS = {"valid_to", "base_fat", "base_protein", "water_limit"}  # the others are zero when not given
SCHEDULE_FIELDS = ["valid_from", "valid_to", "base_price", "base_fat", "fat_step", "base_protein", "protein_step", "scc_bands",
                   "bacteria_bands", "water_limit", "reject_antibiotics", "transport_per_unit", "checkoff_per_unit", "monthly_fee"]


@transaction.atomic
def schedule_save(*, membership, buyer: Buyer, schedule: PriceSchedule | None = None, **values) -> PriceSchedule:
    """Add or change a buyer's price schedule; its dates may not overlap another of the buyer's."""
    if not can(membership, "finance.manage"):
        raise PermissionDenied
    Buyer.objects.select_for_update().filter(tenant_id=membership.tenant_id, pk=buyer.pk).first()  # one change at a time
    errors = {}
    start, end = values["valid_from"], values.get("valid_to")
    if end is not None and end < start:
        errors["valid_to"] = _("The end comes before the start.")
    if problem := amount_problem(values["base_price"], currency_of(membership)):
        errors["base_price"] = problem
    for name in ("base_fat", "base_protein"):
        if values.get(name) is not None and not RANGES["fat"][0] < values[name] <= RANGES["fat"][1]:
            errors[name] = _("Give a percentage above 0 and up to 15.")
    if values.get("water_limit") is not None and not 0 <= values["water_limit"] <= 100:
        errors["water_limit"] = _("Give a percentage from 0 to 100.")
    for name in ("transport_per_unit", "checkoff_per_unit", "monthly_fee"):
        if values.get(name) is not None and values[name] < 0:
            errors[name] = _("A deduction cannot be below zero.")
    others = PriceSchedule.objects.filter(tenant_id=membership.tenant_id, buyer=buyer)
    if schedule is not None:
        others = others.exclude(pk=schedule.pk)
    far = dt.date.max
    for other in others:
        if start <= (other.valid_to or far) and other.valid_from <= (end or far):
            errors["valid_from"] = _("These dates overlap the schedule from %(start)s. End that one first.") % {
                "start": other.valid_from.isoformat()}
            break
    if errors:
        raise ValidationError(errors)
    before = snapshot(schedule) if schedule else None
    schedule = schedule or PriceSchedule(tenant_id=membership.tenant_id, buyer=buyer)
    for name in SCHEDULE_FIELDS:
        if name in values:
            setattr(schedule, name, Decimal("0") if values[name] is None and name not in OPTIONAL_TERMS else values[name])
    schedule.save()
    audit_append(actor=Actor.of(membership), action="deliveries.schedule_save", obj=schedule, before=before,
                 after=snapshot(schedule), permission="finance.manage")
    return schedule


# Deliveries ---------------------------------------------------------------------------------------

def _check_tests(values: dict, errors: dict) -> None:
    for name, (low, high) in RANGES.items():
        value = values.get(name)
        if value is not None and not low <= value <= high:
            errors[name] = _("Give a value from %(low)s to %(high)s.") % {"low": low, "high": f"{high:,}"}
    rejected = values.get("rejected_quantity") or Decimal("0")
    if rejected < 0:
        errors["rejected_quantity"] = _("Enter a quantity of zero or more.")
    elif rejected and not (values.get("rejection_reason") or "").strip():
        errors["rejection_reason"] = _("Say why the buyer rejected milk.")


TEST_FIELDS = ["slip_quantity", "fat", "protein", "scc", "bacteria", "antibiotics", "added_water", "rejected_quantity",
               "rejection_reason"]
NEVER_EMPTY = {"rejected_quantity": Decimal("0"), "antibiotics": "", "rejection_reason": ""}


def _test_values(tests: dict) -> dict:
    """The slip and tests given, as the delivery keeps them: a field that is never empty takes its own nothing."""
    return {name: NEVER_EMPTY[name] if tests[name] in (None, "") and name in NEVER_EMPTY else tests[name]
            for name in TEST_FIELDS if name in tests}


@transaction.atomic
def delivery_record(*, membership, farm, buyer: Buyer, date: dt.date, sessions: list[str], quantity: Decimal,
                    over_reason: str = "", **tests) -> Delivery:
    """Milk handed to a buyer. Refused when the sessions' saleable milk holds milk of a cow under a medicine's
    withdrawal, naming her; more than the sessions' saleable milk needs a reason."""
    if not can(membership, "milk.record", farm):
        raise PermissionDenied
    errors = {}
    tenant_id = membership.tenant_id
    if farm.tenant_id != tenant_id or farm.is_archived:
        errors["farm"] = _("Pick an active farm of this organisation.")
    if buyer.tenant_id != tenant_id or not buyer.is_active:
        errors["buyer"] = _("Pick a buyer of this organisation.")
    if problem := date_problem(date, today=farm.local_today()):
        errors["date"] = problem
    known = farm.milkings.sessions
    sessions = [s for s in known if s in set(sessions or [])]
    if not sessions:
        errors["sessions"] = _("Pick the sessions whose milk was delivered.")
    if quantity is None or not Decimal("0") < quantity <= MAX_DELIVERY:
        errors["quantity"] = _("Enter a quantity above zero.")
    elif (tests.get("rejected_quantity") or 0) > quantity:
        errors["rejected_quantity"] = _("More was rejected than delivered.")
    if tests.get("slip_quantity") is not None and not Decimal("0") <= tests["slip_quantity"] <= MAX_DELIVERY:
        errors["slip_quantity"] = _("Enter a quantity of zero or more.")
    _check_tests(tests, errors)
    if errors:
        raise ValidationError(errors)
    taken = Delivery.objects.filter(tenant_id=tenant_id, farm=farm, buyer=buyer, date=date, voided_at=None)
    for other in taken:
        if set(other.sessions) & set(sessions):
            raise ValidationError({"sessions": _("A delivery of this milk to %(buyer)s is already recorded. Change that one instead.")
                                   % {"buyer": buyer.name}})
    if tags := selectors.withheld_in_tank(membership, farm, date, sessions):
        raise ValidationError({"sessions": _(
            "Milk of cows under a medicine's withdrawal is counted as saleable in these sessions: %(tags)s. "
            "Mark it discarded on the milking page, then record the delivery.") % {"tags": ", ".join(tags)}})
    saleable = selectors.saleable(membership, farm, date, sessions)
    litres = quantity / KG_PER_LITRE if buyer.measures == Measure.KG else quantity
    if litres > saleable and not (over_reason or "").strip():
        raise ValidationError({"over_reason": _(
            "This is more than the %(saleable)s L of saleable milk recorded for these sessions. Say why to record it "
            "(milk not yet entered, milk from another farm).") % {"saleable": f"{saleable:,.2f}"}})
    delivery = Delivery.objects.create(
        tenant_id=tenant_id, farm=farm, buyer=buyer, date=date, sessions=sessions, quantity=quantity,
        over_reason=(over_reason or "").strip() if litres > saleable else "", recorded_by=membership,
        **_test_values({name: tests.get(name) for name in TEST_FIELDS}))
    audit_append(actor=Actor.of(membership), action="deliveries.delivery_record", obj=delivery, after=snapshot(delivery),
                 permission="milk.record")
    paid = selectors.expected_pay(delivery, selectors.schedule_on(buyer, date))
    event_emit(tenant_id=tenant_id, event="delivery.recorded", resource=f"delivery:{delivery.pk}", data={
        "id": delivery.pk, "farm_id": farm.pk, "buyer_id": buyer.pk, "date": date, "sessions": sessions, "quantity": quantity,
        "unit": buyer.measures, "expected_value": paid.value if paid else None})
    return delivery


@transaction.atomic
def delivery_slip(*, membership, delivery: Delivery, **tests) -> Delivery:
    """The buyer's slip and test results, entered when they come."""
    if not can(membership, "milk.record", delivery.farm):
        raise PermissionDenied
    errors = {}
    if tests.get("slip_quantity") is not None and not Decimal("0") <= tests["slip_quantity"] <= MAX_DELIVERY:
        errors["slip_quantity"] = _("Enter a quantity of zero or more.")
    if (tests.get("rejected_quantity") or 0) > delivery.quantity:
        errors["rejected_quantity"] = _("More was rejected than delivered.")
    _check_tests(tests, errors)
    if errors:
        raise ValidationError(errors)
    before = snapshot(delivery)
    for name, value in _test_values(tests).items():
        setattr(delivery, name, value)
    delivery.save()
    audit_append(actor=Actor.of(membership), action="deliveries.delivery_slip", obj=delivery, before=before,
                 after=snapshot(delivery), permission="milk.record")
    return delivery


@transaction.atomic
def delivery_void(*, membership, delivery: Delivery) -> Delivery:
    if not can(membership, "milk.record", delivery.farm):
        raise PermissionDenied
    before = snapshot(delivery)
    delivery.voided_at = timezone.now()
    delivery.save(update_fields=["voided_at", "updated_at"])
    audit_append(actor=Actor.of(membership), action="deliveries.delivery_void", obj=delivery, before=before,
                 after=snapshot(delivery), permission="milk.record")
    return delivery


@transaction.atomic
def declaration_make(*, membership, farm, date: dt.date, session: str) -> Declaration:
    """The farm declares, before a pickup, which cows' milk is kept out: what the list says now, who, when."""
    if not can(membership, "milk.record", farm):
        raise PermissionDenied
    if session not in farm.milkings.sessions:
        raise ValidationError({"session": _("Pick a session this farm milks.")})
    if problem := date_problem(date, today=farm.local_today()):
        raise ValidationError({"date": problem})
    cows = [row.as_json() for row in selectors.do_not_ship(membership, farm, date, session)]
    declaration = Declaration.objects.create(tenant_id=membership.tenant_id, farm=farm, date=date, session=session, cows=cows,
                                             declared_by=membership, declared_at=timezone.now())
    audit_append(actor=Actor.of(membership), action="deliveries.declare", obj=declaration, after=snapshot(declaration),
                 permission="milk.record")
    return declaration


# Statements -----------------------------------------------------------------------------------------

STATEMENT_COLUMNS = ["date", "kind", "description", "quantity", "price", "amount"]
QUALITY_COLUMNS = ["fat", "protein", "scc", "bacteria"]  # optional, after the others, as the buyer's tests of the day
DEDUCTIONS = [LineKind.TRANSPORT, LineKind.CHECKOFF, LineKind.FEE, LineKind.INPUT, LineKind.OTHER]


def _number(text: str) -> Decimal | None:
    text = (text or "").strip().replace(",", "")
    if not text:
        return None
    value = Decimal(text)
    if not value.is_finite() or abs(value) >= Decimal("1e9"):
        raise InvalidOperation
    return value


def statement_line_problem(number: int, kind: str, day: dt.date | None, quantity: Decimal | None, *, month: dt.date,
                           days: dict) -> str | None:
    """What is wrong with a statement's line (numbered as its sender counts them), or None: a date outside the month, a
    day's milk without its date or quantity, a day already given. `days` (day -> line) is filled as lines pass."""
    if day is not None and not month <= day <= selectors.month_end(month):
        return _("Line %(line)s: %(date)s is not in the statement's month.") % {"line": number, "date": day.isoformat()}
    if kind != LineKind.MILK:
        return None
    if day is None or quantity is None or quantity < 0:
        return _("Line %(line)s: a milk line needs its date and quantity.") % {"line": number}
    if day in days:
        return _("Line %(line)s: %(date)s is already on line %(first)s.") % {"line": number, "date": day.isoformat(), "first": days[day]}
    days[day] = number
    return None


def statement_lines_read(text: str, month: dt.date) -> list[dict]:
    """The statement's lines from the buyer's CSV (columns: date, kind, description, quantity, price, amount).
    Raises ValidationError naming every line that cannot be taken; nothing is kept from a file with one."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    extra = header[len(STATEMENT_COLUMNS):]
    if header[:len(STATEMENT_COLUMNS)] != STATEMENT_COLUMNS or not set(extra) <= set(QUALITY_COLUMNS) or len(set(extra)) != len(extra):
        raise ValidationError({"lines": _("The first line must name the columns: %(columns)s.") % {
            "columns": ", ".join(STATEMENT_COLUMNS)}})
    problems, lines, days = [], [], {}
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            problems.append(_("Line %(line)s: %(count)s columns where the first line names %(expected)s.") % {
                "line": number, "count": len(row), "expected": len(header)})
            continue
        cells = dict(zip(header, (cell.strip() for cell in row)))
        kind = cells["kind"].lower()
        if kind not in LineKind.values:
            problems.append(_("Line %(line)s: unknown kind %(kind)s (milk, transport, checkoff, fee, input, other).") % {
                "line": number, "kind": cells["kind"][:20]})
            continue
        try:
            day = dt.date.fromisoformat(cells["date"]) if cells["date"] else None
        except ValueError:
            problems.append(_("Line %(line)s: the date must be written 2026-11-30.") % {"line": number})
            continue
        try:
            quantity, price, amount = _number(cells["quantity"]), _number(cells["price"]), _number(cells["amount"])
            quality = {name: _number(cells[name]) for name in extra}
        except (InvalidOperation, ValueError):
            problems.append(_("Line %(line)s: a number cannot be read.") % {"line": number})
            continue
        if any(value is not None and not RANGES[name][0] <= value <= RANGES[name][1] for name, value in quality.items()):
            problems.append(_("Line %(line)s: a test result is out of range.") % {"line": number})
            continue
        quality = {name: (int(value) if name in ("scc", "bacteria") else value) for name, value in quality.items()
                   if value is not None}
        if problem := statement_line_problem(number, kind, day, quantity, month=month, days=days):
            problems.append(problem)
            continue
        if kind == LineKind.MILK:
            if amount is None and price is not None:
                amount = (quantity * price).quantize(Decimal("0.01"))
        if amount is None or amount < 0:
            problems.append(_("Line %(line)s: give the amount (zero or more).") % {"line": number})
            continue
        lines.append({"kind": kind, "date": day, "description": cells["description"][:200], "quantity": quantity,
                      "price": price, "amount": amount, **(quality if kind == LineKind.MILK else {})})
    if problems:
        raise ValidationError({"lines": problems})
    if not lines:
        raise ValidationError({"lines": _("The statement has no lines.")})
    return lines


@transaction.atomic
def statement_save(*, membership, buyer: Buyer, farm, month: dt.date, lines: list[dict]) -> Statement:
    """The buyer's statement for a farm and month. Deductions for inputs bought on credit go to the books as
    expenses of the farm with the buyer as supplier."""
    if not can(membership, "finance.manage", farm):
        raise PermissionDenied
    month = month.replace(day=1)
    errors = {}
    if buyer.tenant_id != membership.tenant_id:
        errors["buyer"] = _("Pick a buyer of this organisation.")
    if farm.tenant_id != membership.tenant_id:
        errors["farm"] = _("Pick a farm of this organisation.")
    if month > farm.local_today():
        errors["month"] = _("This month has not started.")
    if errors:
        raise ValidationError(errors)
    if not Delivery.objects.filter(tenant_id=membership.tenant_id, buyer=buyer, farm=farm, voided_at=None, date__gte=month,
                                   date__lte=selectors.month_end(month)).exists():
        raise ValidationError({"buyer": _("%(farm)s delivered nothing to %(buyer)s that month: is this another buyer's statement?")
                               % {"farm": farm.name, "buyer": buyer.name}})
    if Statement.objects.filter(tenant_id=membership.tenant_id, buyer=buyer, farm=farm, month=month).exists():
        raise ValidationError({"month": _("The statement of %(buyer)s for this month is already entered.") % {"buyer": buyer.name}})
    statement = Statement.objects.create(tenant_id=membership.tenant_id, buyer=buyer, farm=farm, month=month,
                                         recorded_by=membership)
    for index, line in enumerate(lines):
        row = StatementLine.objects.create(tenant_id=membership.tenant_id, statement=statement, **line)
        if line["kind"] == LineKind.INPUT and line["amount"] > 0:
            category = _input_category(membership.tenant_id, line["description"])
            row.expense = expense_submit(
                membership=membership, key=f"statement-{statement.pk}-{index}", farm=farm,
                date=line["date"] or min(selectors.month_end(month), farm.local_today()), category=category, amount=line["amount"],
                description=line["description"] or _("Bought on credit from %(buyer)s") % {"buyer": buyer.name},
                supplier=buyer.contact)
            row.save(update_fields=["expense"])
    audit_append(actor=Actor.of(membership), action="deliveries.statement_save", obj=statement,
                 after={**snapshot(statement), "lines": len(lines)}, permission="finance.manage")
    result = selectors.reconciliation_of(statement)
    event_emit(tenant_id=membership.tenant_id, event="statement.entered", resource=f"statement:{statement.pk}", data={
        "id": statement.pk, "farm_id": farm.pk, "buyer_id": buyer.pk, "month": month, "net": result.net,
        "expected_net": result.expected_net, "at_stake": result.at_stake, "differences": len(result.flagged)})
    return statement


def _input_category(tenant_id: int, description: str) -> ExpenseCategory:
    """The category a description starts with ("feed: dairy meal, 2 bags", "veterinary: AI"), else Other."""
    named = description.split(":", 1)[0].strip().lower() if ":" in description else ""
    categories = {c.key: c for c in ExpenseCategory.objects.filter(tenant_id=tenant_id)}
    for category in categories.values():
        if named and named in (category.key, category.name.lower(), str(category).lower()):
            return category
    return categories.get("other") or ExpenseCategory.objects.create(tenant_id=tenant_id, key="other", name="Other", is_builtin=True)


@transaction.atomic
def statement_paid(*, membership, statement: Statement, amount: Decimal, paid_on: dt.date, method: str,
                   reference: str = "") -> Statement:
    """The payment received against a statement (bank, M-Pesa, cash)."""
    if not can(membership, "finance.manage", statement.farm):
        raise PermissionDenied
    errors = {}
    if problem := amount_problem(amount, currency_of(membership), allow_zero=True):
        errors["amount"] = problem
    if problem := date_problem(paid_on, today=statement.farm.local_today()):
        errors["paid_on"] = problem
    if method not in Statement.Method.values:
        errors["method"] = _("Say how it was paid.")
    if errors:
        raise ValidationError(errors)
    before = snapshot(statement)
    statement.paid_amount, statement.paid_on, statement.method, statement.reference = amount, paid_on, method, reference.strip()
    statement.save()
    audit_append(actor=Actor.of(membership), action="deliveries.statement_paid", obj=statement, before=before,
                 after=snapshot(statement), permission="finance.manage")
    return statement
