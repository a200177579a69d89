"""Bulk milkings from parlour software and robots, in iFarm's shape or as ICAR ADE resources.

An item names its animal by tag or EID (ICAR: the identifier, read as an EID first when its scheme is an
ISO 11784 one, spaces and hyphens aside) and its milking by date and session (a session's total), or by
the time it started (a visit: several a session are kept and summed). ICAR items also carry test-day
results from milk recording organisations and dry-offs (apps.api.icar reads them).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Value
from django.db.models.functions import Lower, Replace
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from apps.herd.selectors import animals_visible_to
from apps.milk.models import Lactation
from apps.milk.services import lactation_dry_off
from apps.milk.services.ingest import Recording, Row, recordings_save
from apps.milk.services.ingest import milkings_ingest as save_rows

from . import icar
from .icar import Refused, number, text

MAX_ITEMS = 5000
IFARM_FIELDS = {"tag", "eid", "date", "session", "timestamp", "quantity", "fat", "protein", "lactose", "scc",
                "duration_seconds", "complete"}


NUMBER = {"anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}]}
IFARM_ITEM = { "type": "object", "additionalProperties": False, "required": ["quantity"],
    "description": ("A session's total (date and session; sent again, it replaces that total) or one visit (timestamp: "
                    "several in a session are kept, and summed into it). Name the cow by tag or eid."),
    "properties": {
        "tag": {"type": "string", "maxLength": 40}, "eid": {"type": "string", "maxLength": 40, "description": "Spaces and hyphens aside."},
        "date": {"type": "string", "format": "date", "description": "The farm's day, with session."},
        "session": {"type": "string", "enum": ["morning", "midday", "evening"]},
        "timestamp": {"type": "string", "format": "date-time", "description": "When the milking began, with its offset: a visit."},
        "quantity": {**NUMBER, "description": "In the organisation's milk unit (GET /organisation), 0 to 80."},
        "fat": {**NUMBER, "description": "Percent."}, "protein": {**NUMBER, "description": "Percent."},
        "lactose": {**NUMBER, "description": "Percent."}, "scc": {"type": "integer", "minimum": 0, "description": "Cells per mL."},
        "duration_seconds": {"type": "integer", "minimum": 0, "maximum": 86400},
        "complete": {"type": "boolean", "description": "A visit: false for a kick-off or an incomplete milking."},
    },
}
ICAR_RESOURCE = { "type": "object", "required": ["resourceType", "animal"], "additionalProperties": True,
    "description": ("An ICAR ADE resource as adewg/ICAR's JSON Schemas define it: icarMilkingVisitEventResource, "
                    "icarTestDayResultEventResource or icarMilkingDryOffEventResource. Units as ICAR's milk "
                    "characteristics table (SCC in thousands per mL unless `unit` says cells/ml; fat, protein, lactose in %, "
                    "or g/kg; urea in mg/L, or mg/dL); weights in KGM. What iFarm keeps no column for is named in the "
                    "item's `ignored`."),
    "properties": {
        "resourceType": {"type": "string", "enum": ["icarMilkingVisitEventResource", "icarTestDayResultEventResource",
                                                    "icarMilkingDryOffEventResource"]},
        "animal": {"type": "object", "required": ["id"], "properties": {
            "id": {"type": "string"}, "scheme": {"type": "string", "description": "std.iso.11785 and like: read as an EID first."}}},
    },
}

# Joined to the document's components; a field names one by a placeholder the document turns into its $ref.
SCHEMAS = {"IfarmMilking": IFARM_ITEM, "IcarResource": ICAR_RESOURCE}
IFARM_REF, ICAR_REF = ({"x-component": name} for name in SCHEMAS)


def session_of(moment: dt.datetime, farm) -> tuple[dt.date, str]:
    """The farm day and session a milking that started at `moment` belongs to, by the farm's own
    milking times (farms.milkings: a parlour milking up to an hour early is its session's)."""
    return farm.milkings.session_of(moment)


def _ifarm_item(item: dict) -> dict:
    unknown = set(item) - IFARM_FIELDS
    if unknown:
        raise Refused(sorted(unknown)[0].replace("\x00", ""), _("Unknown field."))
    if not (item.get("tag") or item.get("eid")):
        raise Refused("tag", _("Name the animal by tag or eid."))
    values = {"quantity": number(item.get("quantity"), "quantity")}
    for name in ("fat", "protein", "lactose"):
        if item.get(name) is not None:
            values[name] = number(item[name], name)
    if item.get("scc") is not None:
        scc = number(item["scc"], "scc")
        if scc != scc.to_integral_value():
            raise Refused("scc", _("Give whole cells per mL."))
        values["scc"] = int(scc)
    visit = {}
    if item.get("duration_seconds") is not None:
        visit["duration_seconds"] = icar.duration({"unitCode": "SEC", "value": item["duration_seconds"]}, "duration_seconds")
    if item.get("complete") is not None:
        if not isinstance(item["complete"], bool):
            raise Refused("complete", _("Give true or false."))
        visit["complete"] = item["complete"]
    elif item.get("timestamp"):
        visit["complete"] = values["quantity"] > 0
    return {"kind": icar.MILKING_VISIT, "tag": text(item.get("tag"), "tag", 40), "eid": text(item.get("eid"), "eid", 40),
            "date": item.get("date"), "session": item.get("session"), "timestamp": item.get("timestamp"), "values": values,
            "visit": visit, "ignored": []}


def _icar_item(item: dict, unit: str) -> dict:
    kind = icar.resource_type(item)
    identifier, scheme = icar.animal_identifier(item)
    eid_first = scheme in icar.EID_SCHEMES or icar.compact(identifier).isdigit()
    parsed = {"kind": kind, "tag": identifier, "eid": identifier, "eid_first": eid_first, "date": None, "session": None,
              "values": {}, "visit": {}, "ignored": []}
    if kind == icar.MILKING_VISIT:
        parsed.update(icar.milking_visit(item, unit), timestamp=item.get("milkingStartingDateTime"))
    elif kind == icar.TEST_DAY:
        parsed.update(icar.recording(item, unit), timestamp=item.get("eventDateTime"))
    else:
        parsed["timestamp"] = item.get("eventDateTime")
    return parsed


def icar_members(body) -> list | None:
    """The items of an ICAR collection ({"member": [...]}) or a bare array; None for anything else."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict) and isinstance(body.get("member"), list):
        return body["member"]
    return None


def ingest(*, membership, items: list, shape: str, farm=None) -> dict:
    """Parse, find each item's animal (a query for the tags, one for the EIDs), save what can be saved."""
    unit = "kg" if membership.tenant.milk_unit == "kg" else "L"
    parsed, results = [], {}
    for index, item in enumerate(items):
        try:
            if not isinstance(item, dict):
                raise Refused("", _("Each item is an object."))
            parsed.append((index, _icar_item(item, unit) if shape == "icar" else _ifarm_item(item)))
        except Refused as refused:
            results[index] = _refused(index, refused)
    animals = animals_visible_to(membership).filter(status="active").select_related("farm")
    if farm is not None:
        animals = animals.filter(farm=farm)
    tags = {p["tag"].lower() for _, p in parsed if p["tag"]}
    eids = {icar.compact(p["eid"]) for _, p in parsed if p["eid"]}
    by_tag: dict[str, list] = {}
    by_eid: dict[str, list] = {}
    for animal in animals.annotate(tag_lower=Lower("tag")).filter(tag_lower__in=tags) if tags else []:
        by_tag.setdefault(animal.tag.lower(), []).append(animal)
    compacted = Replace(Replace(Replace("eid", Value(" "), Value("")), Value("-"), Value("")), Value("."), Value(""))
    for animal in animals.annotate(eid_compact=compacted).filter(eid_compact__in=eids) if eids else []:
        by_eid.setdefault(animal.eid_compact, []).append(animal)
    rows, recordings, dry_offs = [], [], []
    for index, p in parsed:
        try:
            found = _animal(p, by_tag, by_eid, shape)
            if p["kind"] == icar.MILKING_VISIT:
                rows.append(_row(index, p, found, shape))
            elif p["kind"] == icar.TEST_DAY:
                recordings.append(Recording(index=index, animal=found, date=_local_day(p, found, "eventDateTime"),
                                            values=p["values"], ignored=p["ignored"]))
            else:
                dry_offs.append((index, found, _local_day(p, found, "eventDateTime")))
        except Refused as refused:
            results[index] = _refused(index, refused)
    save_rows(membership=membership, rows=rows)
    recordings_save(membership=membership, recordings=recordings)
    for row in [*rows, *recordings]:
        results[row.index] = row.result
    for index, animal, day in dry_offs:
        results[index] = _dry_off(membership, index, animal, day)
    ordered = [results[i] for i in sorted(results)]
    return {"created": sum(r["result"] == "created" for r in ordered), "updated": sum(r["result"] == "updated" for r in ordered),
            "refused": sum(r["result"] == "refused" for r in ordered), "results": ordered}


def _refused(index: int, refused: Refused) -> dict:
    return {"index": index, "result": "refused", "field": refused.field, "reason": refused.reason}


def _animal(p: dict, by_tag: dict, by_eid: dict, shape: str):
    """The one live animal within reach that the item names."""
    field = "animal.id" if shape == "icar" else "eid"
    by_eid_found = by_eid.get(icar.compact(p["eid"]), []) if p["eid"] else []
    by_tag_found = by_tag.get(p["tag"].lower(), []) if p["tag"] else []
    if shape == "icar" and not p.get("eid_first"):
        found = by_tag_found or by_eid_found
    else:
        found = by_eid_found or by_tag_found
        if not by_eid_found and shape != "icar":
            field = "tag"
    if not found:
        raise Refused(field, _("No live animal within reach has the identifier %(id)s.") % {"id": p["tag"] or p["eid"]})
    if len(found) > 1:
        raise Refused(field, _("%(id)s matches %(count)s live animals; use a unique identifier.") % {
            "id": p["tag"] or p["eid"], "count": len(found)})
    return found[0]


def _moment(p: dict, field: str) -> dt.datetime:
    moment = _parse(parse_datetime, p["timestamp"])
    if moment is None or moment.tzinfo is None:
        raise Refused(field, _("Give an ISO 8601 date and time with its time zone."))
    return moment


def _local_day(p: dict, animal, field: str) -> dt.date:
    """The farm's calendar day of the item's event."""
    try:
        return _moment(p, field).astimezone(animal.farm.zone).date()
    except OverflowError:
        raise Refused(field, _("Give a date and time of a real milking.")) from None


def _dry_off(membership, index: int, animal, day: dt.date) -> dict:
    """Dry the cow off on `day` (sent again, it changes nothing)."""
    lactation = Lactation.objects.filter(tenant_id=membership.tenant_id, animal=animal).order_by("-calving_date").first()
    if lactation is not None and lactation.dried_off_on == day:
        return {"index": index, "result": "updated", "id": lactation.pk}  # sent again: already so
    if lactation is None or not lactation.is_open:
        return {"index": index, "result": "refused", "field": "animal.id",
                "reason": _("%(tag)s is not in milk.") % {"tag": animal.tag}}
    try:
        lactation_dry_off(membership=membership, lactation=lactation, dried_off_on=day)
    except ValidationError as error:
        return {"index": index, "result": "refused", "field": "eventDateTime", "reason": " ".join(error.messages)}
    return {"index": index, "result": "created", "id": lactation.pk}


def _row(index: int, p: dict, animal, shape: str) -> Row:
    moment = None
    if p["timestamp"]:
        field = "milkingStartingDateTime" if shape == "icar" else "timestamp"
        moment = _moment(p, field)
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
    return Row(index=index, animal=animal, date=day, session=session, values=p["values"], moment=moment, visit=p["visit"],
               ignored=p["ignored"])


def _parse(parser, value):
    if not isinstance(value, str):
        return None
    try:
        return parser(value)
    except ValueError:  # well formed but impossible, like 2026-02-30
        return None
