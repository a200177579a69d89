"""Bulk milkings from parlour software, in iFarm's shape or as ICAR ADE milking visit events.

Each item names its animal by tag or EID (ICAR: the animal identifier, tried as EID then as tag)
and its milking by date and session, or by a timestamp that the farm's sessions map onto.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db.models.functions import Lower
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from apps.herd.selectors import animals_visible_to
from apps.milk.services.ingest import Row
from apps.milk.services.ingest import milkings_ingest as save_rows

MAX_ITEMS = 5000
LARGEST = Decimal(10) ** 9
KG_PER_LITRE = Decimal("1.03")
IFARM_FIELDS = {"tag", "eid", "date", "session", "timestamp", "quantity", "fat", "protein", "scc"}
ICAR_CHARACTERISTICS = {"FAT": "fat", "PROTEIN": "protein", "SCC": "scc"}


class Refused(Exception):
    def __init__(self, field: str, reason: str):
        self.field, self.reason = field, reason
        super().__init__(reason)


def _decimal(value, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise Refused(field, _("Give a number."))
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise Refused(field, _("Give a number.")) from None
    if not number.is_finite():
        raise Refused(field, _("Give a number."))
    if abs(number) >= LARGEST:  # 1e308, 1E+999999: no milking measures that, and arithmetic on it overflows
        raise Refused(field, _("The number is out of range."))
    return number


def session_of(moment: dt.datetime, farm) -> tuple[dt.date, str]:
    """The farm day and session a milking that started at `moment` belongs to, by the farm's own
    milking times (farms.milkings: a parlour milking up to an hour early is its session's)."""
    return farm.milkings.session_of(moment)


def _text(value, field: str) -> str:
    text = str(value or "").strip()
    if "\x00" in text:
        raise Refused(field, _("Remove the NUL character."))
    return text


def _ifarm_item(item: dict) -> dict:
    unknown = set(item) - IFARM_FIELDS
    if unknown:
        raise Refused(sorted(unknown)[0].replace("\x00", ""), _("Unknown field."))
    if not (item.get("tag") or item.get("eid")):
        raise Refused("tag", _("Name the animal by tag or eid."))
    values = {"quantity": _decimal(item.get("quantity"), "quantity")}
    for name in ("fat", "protein"):
        if item.get(name) is not None:
            values[name] = _decimal(item[name], name)
    if item.get("scc") is not None:
        scc = _decimal(item["scc"], "scc")
        if scc != scc.to_integral_value():
            raise Refused("scc", _("Give whole cells per mL."))
        values["scc"] = int(scc)
    return {"tag": _text(item.get("tag"), "tag"), "eid": _text(item.get("eid"), "eid"), "date": item.get("date"),
            "session": item.get("session"), "timestamp": item.get("timestamp"), "values": values}


def _icar_item(item: dict, unit: str) -> dict:
    animal = item.get("animal")
    if not isinstance(animal, dict) or not str(animal.get("id") or "").strip():
        raise Refused("animal.id", _("Give the animal identifier."))
    weight = item.get("milkingMilkWeight")
    if not isinstance(weight, dict) or weight.get("unitCode") != "KGM":
        raise Refused("milkingMilkWeight", _("Give the milk weight in KGM."))
    kilos = _decimal(weight.get("value"), "milkingMilkWeight.value")
    quantity = kilos if unit == "kg" else (kilos / KG_PER_LITRE)
    values = {"quantity": quantity.quantize(Decimal("0.01"))}
    for characteristic in item.get("milkCharacteristics") or []:
        if not isinstance(characteristic, dict):
            raise Refused("milkCharacteristics", _("Each characteristic is an object."))
        name = ICAR_CHARACTERISTICS.get(str(characteristic.get("characteristic", "")).upper())
        if name:
            number = _decimal(characteristic.get("value"), f"milkCharacteristics.{name}")
            values[name] = int(number * 1000) if name == "scc" else number.quantize(Decimal("0.01"))
    identifier = _text(animal["id"], "animal.id")
    return {"tag": identifier, "eid": identifier, "date": None, "session": None,
            "timestamp": item.get("milkingStartingDateTime"), "values": values}


def ingest(*, membership, items: list, shape: str, farm=None) -> dict:
    """Parse, find each item's animal (one query for the tags, one for the EIDs), save what can be saved."""
    unit = "kg" if membership.tenant.milk_unit == "kg" else "L"
    parsed, results = [], {}
    for index, item in enumerate(items):
        try:
            if not isinstance(item, dict):
                raise Refused("", _("Each item is an object."))
            parsed.append((index, _icar_item(item, unit) if shape == "icar" else _ifarm_item(item)))
        except Refused as refused:
            results[index] = {"index": index, "result": "refused", "field": refused.field, "reason": refused.reason}
    animals = animals_visible_to(membership).filter(status="active").select_related("farm")
    if farm is not None:
        animals = animals.filter(farm=farm)
    tags = {p["tag"].lower() for _, p in parsed if p["tag"]}
    eids = {p["eid"] for _, p in parsed if p["eid"]}
    by_tag: dict[str, list] = {}
    by_eid: dict[str, list] = {}
    for animal in animals.annotate(tag_lower=Lower("tag")).filter(tag_lower__in=tags) if tags else []:
        by_tag.setdefault(animal.tag.lower(), []).append(animal)
    for animal in animals.filter(eid__in=eids) if eids else []:
        by_eid.setdefault(animal.eid, []).append(animal)
    rows = []
    for index, p in parsed:
        try:
            rows.append(_row(index, p, by_tag, by_eid, shape))
        except Refused as refused:
            results[index] = {"index": index, "result": "refused", "field": refused.field, "reason": refused.reason}
    save_rows(membership=membership, rows=rows)
    for row in rows:
        results[row.index] = row.result
    ordered = [results[i] for i in sorted(results)]
    return {"created": sum(r["result"] == "created" for r in ordered), "updated": sum(r["result"] == "updated" for r in ordered),
            "refused": sum(r["result"] == "refused" for r in ordered), "results": ordered}


def _row(index: int, p: dict, by_tag: dict, by_eid: dict, shape: str) -> Row:
    found = by_eid.get(p["eid"], []) if p["eid"] else []
    field = "animal.id" if shape == "icar" else "eid"
    if not found and p["tag"]:
        found = by_tag.get(p["tag"].lower(), [])
        field = "animal.id" if shape == "icar" else "tag"
    if not found:
        raise Refused(field, _("No live animal within reach has the identifier %(id)s.") % {"id": p["tag"] or p["eid"]})
    if len(found) > 1:
        raise Refused(field, _("%(id)s matches %(count)s live animals; use a unique identifier.") % {
            "id": p["tag"] or p["eid"], "count": len(found)})
    animal = found[0]
    if p["timestamp"]:
        moment = _parse(parse_datetime, p["timestamp"])
        field = "milkingStartingDateTime" if shape == "icar" else "timestamp"
        if moment is None or moment.tzinfo is None:
            raise Refused(field, _("Give an ISO 8601 date and time with its time zone."))
        try:
            day, session = session_of(moment, animal.farm)
        except OverflowError:  # year 1 or 9999 moved into the farm's time zone
            raise Refused(field, _("Give a date and time of a real milking.")) from None
    else:
        day = _parse(parse_date, p["date"])
        if day is None:
            raise Refused("date", _("Give the date as YYYY-MM-DD, or a timestamp."))
        session = p["session"]
        if session not in ("morning", "midday", "evening"):
            raise Refused("session", _("Give the session: morning, midday or evening."))
    return Row(index=index, animal=animal, date=day, session=session, values=p["values"])


def _parse(parser, value):
    if not isinstance(value, str):
        return None
    try:
        return parser(value)
    except ValueError:  # well formed but impossible, like 2026-02-30
        return None
