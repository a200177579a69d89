"""Reading the herd CSV template: every row is checked before anything is saved."""

import csv
import io

from django import forms
from django.utils.translation import gettext as _

from apps.core.words import listing

from .forms import AnimalForm
from .models import Acquisition, Animal, Breed, Sex, Species

TEMPLATE_COLUMNS = [
    "tag", "name", "species", "breed", "sex", "date_of_birth", "eid", "colour", "dam_tag", "sire_tag", "group",
    "acquisition", "acquired_on", "purchase_price", "seller",
]
EXAMPLE_ROWS = [
    ["K-101", "Wanjiru", "cattle", "Friesian", "female", "2021-03-14", "", "black and white", "", "", "", "born", "", "", ""],
    ["K-150", "Baraka", "cattle", "Ayrshire", "female", "2025-08-02", "", "red and white", "K-101", "", "", "born", "", "", ""],
]
MAX_ROWS = 2000  # about 10 s on PostgreSQL; a larger herd is imported in several files


def csv_of(columns: list[str], rows: list[list[str]]) -> str:
    """A CSV template: the header and example rows (our own words: nothing to neutralise)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue()


def template_csv() -> str:
    return csv_of(TEMPLATE_COLUMNS, EXAMPLE_ROWS)


def read_csv(raw: bytes, *, required: set[str], any_one: bool = False,
             max_rows: int) -> tuple[list[dict], dict[int, list[str]]]:
    """The non-empty records of a CSV upload (header names lower-cased, values stripped) and the file's own
    problems: not UTF-8, missing columns (all of `required`, or one of them with `any_one`), too many rows
    (keyed by the row's number), a row the CSV reader cannot read (keyed by the next record's number)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], {0: [_("The file is not UTF-8 text. Save it from your spreadsheet as 'CSV UTF-8'.")]}
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = (set() if required & set(header) else required) if any_one else required - set(header)
    if missing:
        return [], {0: [_("Missing columns: %(names)s. Start from the template.") % {"names": listing(sorted(missing))}]}
    reader.fieldnames = header
    records, errors = [], {}
    try:
        for number, record in enumerate(reader, start=1):
            if number > max_rows:
                errors[number] = [_("The file has more than %(count)s rows.") % {"count": max_rows}]
                break
            record = {k: (v or "").strip() if isinstance(v, str) else "" for k, v in record.items() if k}
            if any(record.values()):
                records.append(record)
    except csv.Error as error:
        # A field past the CSV reader's limit (128 KB) or broken quoting: name the row and stop.
        errors[len(records) + 1] = [_("this row cannot be read as CSV (%(error)s).") % {"error": error}]
    return records, errors


def parse_rows(*, raw: bytes, tenant_id: int, farm, groups_by_name: dict) -> tuple[list[dict], dict[int, list[str]]]:
    """Turn CSV bytes into service rows; return the rows and the errors found per row number."""
    records, errors = read_csv(raw, required={"tag", "species", "sex"}, max_rows=MAX_ROWS)
    if 0 in errors:
        return [], errors
    breeds = {(b.species, b.name.lower()): b for b in Breed.objects.all()}
    herd = {
        a.tag.lower(): a
        for a in Animal.objects.filter(tenant_id=tenant_id, status="active").only("id", "tag", "sex", "species", "date_of_birth", "tenant_id")
    }
    rows = []
    for record in records:
        row, problems = _row(record, farm, breeds, herd, groups_by_name)
        rows.append(row)
        if problems:
            errors[len(rows)] = problems
    if not rows and not errors:
        errors[0] = [_("The file has no rows.")]
    return rows, errors


def _clean(field: str, value: str, problems: list[str]):
    """Check one value with the animal form's own field (length, digits, date range), as a person
    typing it in the form would be checked; note the problem and return None when it fails."""
    if "\x00" in value:
        problems.append(_("%(column)s: contains a NUL character.") % {"column": field})
        return None
    try:
        return AnimalForm.base_fields[field].clean(value)
    except forms.ValidationError as error:
        shown = value if len(value) <= 40 else f"{value[:40]}…"
        problems.append(f"{field}: '{shown}': {' '.join(error.messages)}")  # the form's own words
        return None


def _row(record, farm, breeds, herd, groups_by_name):
    problems = []
    species = record.get("species", "").lower()
    if species not in Species.values:
        problems.append(_("%(column)s: '%(value)s' is not one of %(choices)s.") % {
            "column": "species", "value": record.get("species", "")[:40], "choices": listing(Species.values)})
    sex = record.get("sex", "").lower()
    if sex not in Sex.values:
        problems.append(_("%(column)s: write female or male.") % {"column": "sex"})
    row = {"farm": farm, "species": species, "sex": sex}
    for field in ("tag", "name", "eid", "colour", "seller"):
        row[field] = _clean(field, record.get(field, ""), problems) or ""
    if not record.get("tag"):
        problems.append(_("%(column)s: every animal needs a tag.") % {"column": "tag"})
    for field in ("date_of_birth", "acquired_on", "purchase_price"):
        if record.get(field):
            row[field] = _clean(field, record[field], problems)
    breed = record.get("breed", "")
    if breed:
        row["breed"] = breeds.get((species, breed.lower()))
        if row["breed"] is None:
            problems.append(_("%(column)s: '%(value)s' is not a known breed of %(species)s.") % {
                "column": "breed", "value": breed[:40], "species": species or _("animal")})
    acquisition = (record.get("acquisition") or "born").lower()
    if acquisition not in Acquisition.values:
        problems.append(_("%(column)s: write born or bought.") % {"column": "acquisition"})
    row["acquisition"] = acquisition
    group = record.get("group", "")
    if group:
        row["group"] = groups_by_name.get(group.lower())
        if row["group"] is None:
            problems.append(_("%(column)s: there is no group '%(value)s' on %(farm)s.") % {
                "column": "group", "value": group[:40], "farm": farm})
    for field in ("dam", "sire"):
        tag = record.get(f"{field}_tag", "")[:40]
        if tag:
            parent = herd.get(tag.lower())
            if parent is not None:
                row[field] = parent
            else:
                # May name an animal further up in the same file; the service resolves it.
                row[f"{field}_tag"] = tag
    return row, problems
