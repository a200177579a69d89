"""ICAR Animal Data Exchange resources read and written: milking visits, test-day results and dry-offs.

Units follow ICAR's milk characteristics table: cell counts in thousands per mL unless the `unit` says
cells per mL, fat, protein and lactose in percent (or g/kg), urea in mg/L (or mg/dL), conductivity in
mS/cm, flow in kg/min. Weights are kilograms (KGM); an organisation that keeps litres has them converted
at 1.03 kg/L. A unit iFarm cannot convert refuses the item and says which it takes; a characteristic
iFarm has no column for, or one without a value, is named in the item's `ignored`.
"""

from __future__ import annotations

import datetime as dt
import re
from datetime import UTC
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

KG_PER_LITRE = Decimal("1.03")
LARGEST = Decimal(10) ** 9
HUNDREDTH = Decimal("0.01")
VISIT_PLACES = Decimal("0.0001")  # as MilkingVisit keeps them

MILKING_VISIT = "icarMilkingVisitEventResource"
TEST_DAY = "icarTestDayResultEventResource"
DRY_OFF = "icarMilkingDryOffEventResource"
RESOURCE_TYPES = (MILKING_VISIT, TEST_DAY, DRY_OFF)
COLLECTIONS = {MILKING_VISIT: "icarMilkingVisitEventCollection", TEST_DAY: "icarTestDayResultEventCollection",
               DRY_OFF: "icarMilkingDryOffEventCollection"}
REMARKS = {"AnimalSick", "MilkingIncomplete", "TeatSeparated", "MilkedSeparately", "SamplingFailed"}
TEST_DAY_CODES = {"Dry", "SamplingImpossible", "Sick"}
QUARTERS = {"LF": "LF", "RF": "RF", "LR": "LH", "RR": "RH"}  # ICAR's left rear is iFarm's left hind
EID_SCHEMES = {"eu.animalid", "std.iso.11785", "std.iso.11784", "usa.ain"}

# characteristic -> (iFarm's name, {unit as sent, upper-cased: factor to iFarm's unit}); None is "not sent"
_PERCENT = {None: Decimal(1), "VP": Decimal(1), "P1": Decimal(1), "%": Decimal(1), "GK": Decimal("0.1"), "G/KG": Decimal("0.1")}
CHARACTERISTICS = {
    "SCC": ("scc", {None: Decimal(1000), "NCL": Decimal(1000), "X1000 CELLS/ML": Decimal(1000), "10^3/ML": Decimal(1000),
                    "CELLS/ML": Decimal(1), "/ML": Decimal(1)}),
    "FAT": ("fat", _PERCENT),
    "PROTEIN": ("protein", _PERCENT),
    "LAC": ("lactose", _PERCENT),
    "UREA": ("urea", {None: Decimal(1), "M1": Decimal(1), "MG/L": Decimal(1), "MG/DL": Decimal(10)}),
    "AVGCOND": ("conductivity", {None: Decimal(1), "H61": Decimal(1), "MS/CM": Decimal(1)}),
    "AVGFLWR": ("flow", {None: Decimal(1), "F31": Decimal(1), "KG/MIN": Decimal(1)}),
    "BLOOD": ("blood", {None: None, "A99": None}),
}
UNIT_NAMES = {"scc": "NCL (x1000 cells/mL), cells/mL", "fat": "VP (%), g/kg", "protein": "VP (%), g/kg", "lactose": "VP (%), g/kg",
              "urea": "M1 (mg/L), mg/dL", "conductivity": "H61 (mS/cm)", "flow": "F31 (kg/min)", "blood": "true or false"}


class Refused(Exception):
    def __init__(self, field: str, reason: str):
        self.field, self.reason = field, reason
        super().__init__(reason)


def number(value, field: str) -> Decimal:
    """A finite number of sensible size from JSON (ICAR sends characteristics as strings)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise Refused(field, _("Give a number."))
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        raise Refused(field, _("Give a number.")) from None
    if not result.is_finite():
        raise Refused(field, _("Give a number."))
    if abs(result) >= LARGEST:  # 1e308, 1E+999999: no milking measures that, and arithmetic on it overflows
        raise Refused(field, _("The number is out of range."))
    return result


def text(value, field: str, longest: int = 100) -> str:
    result = str(value if value is not None else "").strip()
    if "\x00" in result:
        raise Refused(field, _("Remove the NUL character."))
    return result[:longest]


def resource_type(item: dict) -> str:
    """The resource's short type name: ICAR allows the name or a URI ending in it."""
    sent = item.get("resourceType")
    if not isinstance(sent, str) or not sent.strip():
        raise Refused("resourceType", _("Give the resourceType: %(types)s.") % {"types": ", ".join(RESOURCE_TYPES)})
    short = re.sub(r"\.json$", "", sent.strip().rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1])
    if short not in RESOURCE_TYPES:
        raise Refused("resourceType", _("iFarm takes %(types)s, not %(sent)s.") % {
            "types": ", ".join(RESOURCE_TYPES), "sent": text(sent, "resourceType")})
    return short


def animal_identifier(item: dict) -> tuple[str, str]:
    """(identifier, scheme) of the item's animal."""
    animal = item.get("animal")
    if not isinstance(animal, dict) or not str(animal.get("id") or "").strip():
        raise Refused("animal.id", _("Give the animal identifier."))
    return text(animal["id"], "animal.id", 40), text(animal.get("scheme"), "animal.scheme").lower()


def compact(identifier: str) -> str:
    """An electronic identifier without the spaces, dots and hyphens people write it with."""
    return re.sub(r"[\s.\-]", "", identifier)


def weight(value, field: str, unit: str, places: Decimal = HUNDREDTH) -> Decimal:
    """A milk weight (ICAR: kilograms) in the organisation's unit, to the hundredth (or `places`)."""
    if not isinstance(value, dict):
        raise Refused(field, _("Give the weight as an object with unitCode KGM and value."))
    code = str(value.get("unitCode") or "").upper()
    if code not in ("KGM", "LTR"):
        raise Refused(f"{field}.unitCode", _("Give the weight in KGM (kilograms) or LTR (litres)."))
    amount = number(value.get("value"), f"{field}.value")
    if code == "KGM" and unit != "kg":
        amount = amount / KG_PER_LITRE
    elif code == "LTR" and unit == "kg":
        amount = amount * KG_PER_LITRE
    return amount.quantize(places, ROUND_HALF_UP)


def duration(value, field: str) -> int | None:
    """A duration (ICAR: SEC or MIN) in whole seconds."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise Refused(field, _("Give the duration as an object with unitCode SEC or MIN and value."))
    code = str(value.get("unitCode") or "SEC").upper()
    if code not in ("SEC", "MIN"):
        raise Refused(f"{field}.unitCode", _("Give the duration in SEC or MIN."))
    amount = number(value.get("value"), f"{field}.value") * (60 if code == "MIN" else 1)
    if not 0 <= amount <= 86_400:
        raise Refused(f"{field}.value", _("Give a duration between 0 and 24 hours."))
    return int(amount.to_integral_value(ROUND_HALF_UP))


def characteristics(items, field: str) -> tuple[dict, list[str]]:
    """The characteristics iFarm keeps, in its units, and the names of those it does not."""
    if items is None:
        return {}, []
    if not isinstance(items, list):
        raise Refused(field, _("Give the characteristics as a list."))
    values, ignored = {}, []
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            raise Refused(f"{field}[{position}]", _("Each characteristic is an object."))
        code = text(item.get("characteristic"), f"{field}[{position}].characteristic").upper()
        here = f"{field}.{code or position}"
        known = CHARACTERISTICS.get(code)
        raw = item.get("value")
        if known is None or raw is None or (isinstance(raw, str) and not raw.strip()):
            ignored.append(here)
            continue
        name, units = known
        unit = item.get("unit")
        unit = text(unit, f"{here}.unit").upper() or None if unit is not None else None
        if unit not in units:
            raise Refused(f"{here}.unit", _("iFarm takes %(code)s in %(units)s.") % {"code": code, "units": UNIT_NAMES[name]})
        if name == "blood":
            flag = str(raw).strip().lower()
            if flag not in ("true", "false", "1", "0"):
                raise Refused(f"{here}.value", _("Give true or false."))
            values[name] = flag in ("true", "1")
            continue
        amount = number(raw, f"{here}.value") * units[unit]
        if name == "scc":
            if amount < 0:
                raise Refused(f"{here}.value", _("Give a cell count of zero or more."))
            values[name] = int(amount.to_integral_value(ROUND_HALF_UP))
        else:
            values[name] = amount.quantize(Decimal("0.1") if name == "urea" else HUNDREDTH, ROUND_HALF_UP)
    return values, ignored


IGNORED_VISIT_FIELDS = ("milkingVisitDuration", "milkingParlourUnit", "measureDeviceId", "animalMilkingSample", "location",
                        "traitLabel", "contemporaryGroup")


def milking_visit(item: dict, unit: str) -> dict:
    """A milking visit's values: the session's measures, and what the visit alone keeps."""
    quantity = weight(item.get("milkingMilkWeight"), "milkingMilkWeight", unit, VISIT_PLACES)
    measures, ignored = characteristics(item.get("milkCharacteristics"), "milkCharacteristics")
    remarks = item.get("milkingRemarks") or []
    if not isinstance(remarks, list) or any(r not in REMARKS for r in remarks):
        raise Refused("milkingRemarks", _("Give remarks from ICAR's list: %(list)s.") % {"list": ", ".join(sorted(REMARKS))})
    complete = item.get("milkingComplete")
    if complete is not None and not isinstance(complete, bool):
        raise Refused("milkingComplete", _("Give true or false."))
    if complete is None:
        complete = quantity > 0 and "MilkingIncomplete" not in remarks
    quarters = []
    for position, quarter in enumerate(item.get("quarterMilkings") or []):
        here = f"quarterMilkings[{position}]"
        if not isinstance(quarter, dict) or quarter.get("icarQuarterId") not in QUARTERS:
            raise Refused(f"{here}.icarQuarterId", _("Give the quarter: LF, RF, LR or RR."))
        kept, dropped = characteristics(quarter.get("icarQuarterCharacteristics"), f"{here}.icarQuarterCharacteristics")
        ignored += dropped
        entry = {"quarter": QUARTERS[quarter["icarQuarterId"]], **{k: v if isinstance(v, (bool, int)) else str(v) for k, v in kept.items()}}
        if quarter.get("quarterMilkingWeight") is not None:
            entry["quantity"] = str(weight(quarter["quarterMilkingWeight"], f"{here}.quarterMilkingWeight", unit, VISIT_PLACES))
        if (seconds := duration(quarter.get("quarterMilkingDuration"), f"{here}.quarterMilkingDuration")) is not None:
            entry["duration_seconds"] = seconds
        quarters.append(entry)
    ignored += [name for name in IGNORED_VISIT_FIELDS if item.get(name) not in (None, "", [])]
    visit = {"duration_seconds": duration(item.get("milkingDuration"), "milkingDuration"), "complete": complete,
             "quarters": quarters, "remarks": remarks, "source_id": text(item.get("id"), "id"),
             "device": text(item.get("milkingDeviceId") or item.get("milkingBoxNumber"), "milkingDeviceId", 60)}
    for name in ("urea", "conductivity", "flow", "blood"):
        if name in measures:
            visit[name] = measures.pop(name)
    return {"values": {"quantity": quantity, **measures}, "visit": visit, "ignored": ignored}


def recording(item: dict, unit: str) -> dict:
    """A test-day result's values (24-hour yield and its sample's analysis)."""
    values, ignored = characteristics(item.get("milkCharacteristics"), "milkCharacteristics")
    for name in ("conductivity", "flow", "blood"):
        if values.pop(name, None) is not None:
            ignored.append(f"milkCharacteristics.{name}")
    if item.get("milkWeight24Hours") is not None:
        values["quantity"] = weight(item["milkWeight24Hours"], "milkWeight24Hours", unit)
    code = item.get("testDayCode")
    if code is not None and code not in TEST_DAY_CODES:
        raise Refused("testDayCode", _("Give the test day code: Dry, SamplingImpossible or Sick."))
    values["code"] = code or ""
    values["source_id"] = text(item.get("id"), "id")
    return {"values": values, "ignored": ignored}


# Written back ----------------------------------------------------------------------------------------

SOURCE = "ifarm"
TAG_SCHEME = "ifarm.tag"  # a farm's own ear tag: no official scheme vouches for it
SCC_PER_THOUSAND = Decimal(1000)
OUT_CHARACTERISTICS = (("scc", "SCC"), ("fat", "FAT"), ("protein", "PROTEIN"), ("lactose", "LAC"), ("urea", "UREA"),
                       ("conductivity", "AVGCOND"), ("flow", "AVGFLWR"), ("blood", "BLOOD"))
ISO_EID = re.compile(r"^\d{15}$")


def moment(value) -> str:
    """RFC 3339 in UTC with Z, as ICAR asks."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def animal_out(animal) -> dict:
    eid = compact(animal.eid or "")
    if ISO_EID.match(eid):
        return {"id": eid, "scheme": "std.iso.11785"}
    return {"id": animal.tag, "scheme": TAG_SCHEME}


def kilograms(quantity: Decimal, unit: str) -> float:
    return float((quantity if unit == "kg" else quantity * KG_PER_LITRE).quantize(Decimal("0.001"), ROUND_HALF_UP))


def characteristics_out(values: dict) -> list[dict]:
    """iFarm's measures as ICAR characteristics, in ICAR's default units (values are strings in ICAR)."""
    out = []
    for name, code in OUT_CHARACTERISTICS:
        value = values.get(name)
        if value is None:
            continue
        if name == "scc":
            value = (Decimal(value) / SCC_PER_THOUSAND).normalize()
        out.append({"characteristic": code, "value": ("true" if value else "false") if isinstance(value, bool) else f"{value:f}"})
    return out


def _meta(created, modified) -> dict:
    return {"source": SOURCE, "created": moment(created), "modified": moment(modified)}


def visit_out(visit, *, unit: str, robot: bool) -> dict:
    """A kept milking visit as an icarMilkingVisitEventResource."""
    quarters = []
    for quarter in visit.quarters:
        entry = {"icarQuarterId": {v: k for k, v in QUARTERS.items()}[quarter["quarter"]]}
        if "quantity" in quarter:
            entry["quarterMilkingWeight"] = {"unitCode": "KGM", "value": kilograms(Decimal(quarter["quantity"]), unit)}
        if "duration_seconds" in quarter:
            entry["quarterMilkingDuration"] = {"unitCode": "SEC", "value": quarter["duration_seconds"]}
        if found := characteristics_out(quarter):
            entry["icarQuarterCharacteristics"] = found
        quarters.append(entry)
    resource = {
        "resourceType": MILKING_VISIT, "id": str(visit.pk), "meta": _meta(visit.created_at, visit.created_at),
        "animal": animal_out(visit.animal), "eventDateTime": moment(visit.started_at),
        "milkingStartingDateTime": moment(visit.started_at), "milkingType": "Automated" if robot else "Manual",
        "milkingMilkWeight": {"unitCode": "KGM", "value": kilograms(visit.quantity, unit)}, "milkingComplete": visit.complete,
        "milkCharacteristics": characteristics_out({name: getattr(visit, name) for name, _code in OUT_CHARACTERISTICS}),
    }
    if visit.source_id:
        resource["meta"]["sourceId"] = visit.source_id
    if visit.duration_seconds is not None:
        resource["milkingDuration"] = {"unitCode": "SEC", "value": visit.duration_seconds}
    if visit.device:
        resource["milkingDeviceId"] = visit.device
    if quarters:
        resource["quarterMilkings"] = quarters
    if visit.remarks:
        resource["milkingRemarks"] = list(visit.remarks)
    return resource


def recording_out(result, *, unit: str) -> dict:
    """A test-day result as an icarTestDayResultEventResource (its moment: the test day's start on the farm)."""
    start = dt.datetime.combine(result.date, dt.time.min, tzinfo=result.farm.zone)
    resource = {
        "resourceType": TEST_DAY, "id": str(result.pk), "meta": _meta(result.created_at, result.updated_at),
        "animal": animal_out(result.animal), "eventDateTime": moment(start),
        "milkCharacteristics": characteristics_out({name: getattr(result, name) for name in ("scc", "fat", "protein", "lactose", "urea")}),
    }
    if result.quantity is not None:
        resource["milkWeight24Hours"] = {"unitCode": "KGM", "value": kilograms(result.quantity, unit)}
    if result.code:
        resource["testDayCode"] = result.code
    if result.source_id:
        resource["meta"]["sourceId"] = result.source_id
    return resource


def dry_off_out(lactation) -> dict:
    """A dry-off as an icarMilkingDryOffEventResource (its moment: the day's start on the farm)."""
    start = dt.datetime.combine(lactation.dried_off_on, dt.time.min, tzinfo=lactation.animal.farm.zone)
    return {"resourceType": DRY_OFF, "id": str(lactation.pk), "meta": _meta(lactation.created_at, lactation.updated_at),
            "animal": animal_out(lactation.animal), "eventDateTime": moment(start)}


def collection(members: list[dict], *, next_url: str | None, page_size: int) -> dict:
    """An ICAR resource collection: the page's members and its view (the next page's link, if any)."""
    view = {"pageSize": page_size}
    if next_url:
        view["next"] = next_url
    return {"view": view, "member": members}
