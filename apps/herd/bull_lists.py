"""A breed society's or AI centre's bull list, as CSV: each bull with his sire, his dam and her sire
(the maternal grandsire), by registration number. A parent named in a row joins the outside register
(found by registration number, else by name), and a later row may give his own parents: the pedigree
goes back as far as the list does. Every row is checked before anything is saved."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts.permissions import can
from apps.audit.services import Actor, audit_append

from .imports import csv_of, read_csv
from .models import OutsideSire, Sex, Species

COLUMNS = [
    "name", "registration_number", "species", "semen_code", "sire_registration", "sire_name", "dam_registration",
    "dam_name", "maternal_grandsire_registration", "maternal_grandsire_name",
]
EXAMPLE_ROWS = [
    ["Kilimanjaro Red", "KE-AYR-1001", "cattle", "KR-07", "KE-AYR-0501", "Meru Star", "KE-AYR-7702", "Nyota", "KE-AYR-0307",
     "Baringo"],
    ["Meru Star", "KE-AYR-0501", "cattle", "", "KE-AYR-0102", "Rift Valley King", "", "", "", ""],
]
MAX_ROWS = 5000
PARENTS = (("sire", Sex.MALE), ("dam", Sex.FEMALE), ("maternal_grandsire", Sex.MALE))


def template_csv() -> str:
    return csv_of(COLUMNS, EXAMPLE_ROWS)


def parse(raw: bytes) -> tuple[list[dict], dict[int, list[str]]]:
    """The rows of the file and the problems found per row number (0: the file itself)."""
    records, errors = read_csv(raw, required={"name", "registration_number"}, any_one=True, max_rows=MAX_ROWS)
    if 0 in errors:
        return [], errors
    rows = []
    for record in records:
        row = {column: record.get(column, "") for column in COLUMNS}
        if not any(row.values()):
            continue
        rows.append(row)
        if problems := _problems(row):
            errors[len(rows)] = problems
    if not rows and not errors:
        errors[0] = [_("The file has no rows.")]
    return rows, errors


def _problems(row: dict) -> list[str]:
    problems = []
    if any("\x00" in value for value in row.values()):
        problems.append(_("Remove the NUL character."))
    if not (row["name"] or row["registration_number"]):
        problems.append(_("Give the bull's name or registration number."))
    if (row["species"] or "cattle") not in Species.values:
        problems.append(_("%(value)s is not a species iFarm knows.") % {"value": row["species"]})
    lengths = {"name": 120, "registration_number": 60, "semen_code": 60}
    for column, value in row.items():
        limit = lengths.get(column) or (60 if column.endswith("registration") else 120)
        if len(value) > limit:
            problems.append(_("%(column)s: at most %(count)s characters.") % {"column": column, "count": limit})
    own = row["registration_number"]
    if own and own in (row["sire_registration"], row["dam_registration"], row["maternal_grandsire_registration"]):
        problems.append(_("A bull cannot be his own parent."))
    return problems


@transaction.atomic
def bull_list_import(*, membership, rows: list[dict]) -> int:
    """Save the rows' bulls and their ancestors in the outside register; returns how many bulls. All or
    nothing: a row that cannot be saved is reported by number."""
    if not can(membership, "herd.manage"):
        raise PermissionDenied
    register = _Register(membership.tenant_id)
    errors = {}
    for number, row in enumerate(rows, start=1):
        species = row["species"] or Species.CATTLE
        try:
            bull = register.find_or_add(species, Sex.MALE, row["registration_number"], row["name"], row["semen_code"])
            parents = {
                field: register.find_or_add(species, sex, row[f"{field}_registration"], row[f"{field}_name"])
                for field, sex in PARENTS
            }
        except ValidationError as error:
            errors[number] = error.messages
            continue
        bull.sire = parents["sire"] or bull.sire
        bull.dam = parents["dam"] or bull.dam
        if parents["dam"] is not None and parents["maternal_grandsire"] is not None:
            parents["dam"].sire = parents["maternal_grandsire"]
    if not errors and (loop := register.loop()):
        errors[0] = [_("%(name)s would be his own ancestor.") % {"name": loop}]
    if errors:
        raise ValidationError({"upload": [f"{_('Row')} {n}: {' '.join(problems)}" if n else " ".join(problems)
                                          for n, problems in sorted(errors.items())]})
    register.save()
    audit_append(actor=Actor.of(membership), action="herd.bull_list_import", obj=None, permission="herd.manage",
                 after={"rows": len(rows), "register": len(register.touched)})
    return len(rows)


class _Register:
    """The organisation's outside register in memory while a list is read: found by registration number,
    else by name; what the list named is saved at the end, parents first."""

    def __init__(self, tenant_id: int):
        self.tenant_id = tenant_id
        records = {record.pk: record for record in OutsideSire.objects.filter(tenant_id=tenant_id)}
        for record in records.values():  # parents from memory: no query per record
            record.sire = records.get(record.sire_id) if record.sire_id else None
            record.dam = records.get(record.dam_id) if record.dam_id else None
        self.by_registration = {(r.species, r.registration_number): r for r in records.values() if r.registration_number}
        self.by_name = {(r.species, r.name.lower()): r for r in records.values()}
        self.touched: dict[int, OutsideSire] = {}  # what the list named, new or changed: all that is saved

    def find_or_add(self, species: str, sex: str, registration: str, name: str, semen_code: str = "") -> OutsideSire | None:
        if not registration and not name:
            return None
        record = (self.by_registration.get((species, registration)) if registration else None) or \
            (self.by_name.get((species, name.lower())) if name else None)
        if record is None:
            record = OutsideSire(tenant_id=self.tenant_id, species=species, sex=sex, name=name or registration)
        elif record.sex != sex:
            raise ValidationError(_("%(name)s is in the register as a %(sex)s.") % {
                "name": record.name, "sex": Sex(record.sex).label.lower()})
        if registration and record.registration_number and record.registration_number != registration:
            raise ValidationError(_("%(name)s is in the register with registration number %(number)s.") % {
                "name": record.name, "number": record.registration_number})
        if name and record.name.lower() != name.lower():
            other = self.by_name.get((species, name.lower()))
            if other is not None and other is not record:
                raise ValidationError(_("%(name)s is already another animal of the register.") % {"name": name})
            if record.name == record.registration_number:  # a placeholder named by its number gets its name
                self.by_name.pop((species, record.name.lower()), None)
                record.name = name
        record.registration_number = registration or record.registration_number
        record.semen_code = semen_code or record.semen_code
        if record.registration_number:
            self.by_registration[(species, record.registration_number)] = record
        self.by_name[(species, record.name.lower())] = record
        self.touched[id(record)] = record
        return record

    def loop(self) -> str | None:
        """The name of an animal that is its own ancestor in the register as read, or None (a loop passes
        through a record the list changed: the others' parents are as they were)."""
        for record in self.touched.values():
            seen, step = set(), [record]
            while step:
                parents = [p for r in step for p in (r.sire, r.dam) if p is not None]
                if any(p is record for p in parents):
                    return record.name
                step = [p for p in parents if id(p) not in seen]
                seen |= {id(p) for p in parents}
        return None

    def save(self) -> None:
        """Save what the list named, parents before their offspring (a new parent needs its id first)."""
        pending, saved = list(self.touched.values()), set()
        while pending:
            ready = [r for r in pending if all(p is None or id(p) in saved or p.pk for p in (r.sire, r.dam))]
            if not ready:
                raise ValidationError({"upload": _("The list names an animal as its own ancestor.")})
            for record in ready:
                record.sire_id = record.sire.pk if record.sire is not None else None
                record.dam_id = record.dam.pk if record.dam is not None else None
                record.save()
                saved.add(id(record))
            pending = [r for r in pending if id(r) not in saved]
