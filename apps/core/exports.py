"""The one way a table leaves iFarm as a file: CSV, XLSX or PDF, with formulas neutralised.

A cell a user typed (a tag, a description, a supplier's name) may start with `=`, `+`, `-` or `@`;
a spreadsheet would run it as a formula (`=HYPERLINK(...)`, `=cmd|...`). Following OWASP's CSV
injection guidance, such text is prefixed with an apostrophe in CSV and PDF, and is written as a
text cell in XLSX. Numbers, dates and money stay numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

from apps.core.words import day, moment

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Sheet:
    title: str
    subtitle: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    total_row: list | None = None


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def safe_text(value):
    """A cell value as text that no spreadsheet will evaluate; numbers and dates pass unchanged."""
    if is_formula_like(value):
        return "'" + value
    return value


def sheet_from_table(table, title: str, subtitle: str = "") -> Sheet:
    """A django-tables2 table (its visible and export columns, in its order) as a sheet."""
    values = iter(table.as_values())
    headers = [str(h) for h in next(values)]
    return Sheet(title=title, subtitle=subtitle, headers=headers, rows=[list(row) for row in values])


def render(sheet: Sheet, file_format: str) -> bytes:
    return {"csv": _csv, "xlsx": _xlsx, "pdf": _pdf}[file_format](sheet)


def response(sheet: Sheet, file_format: str, filename: str) -> HttpResponse:
    """The sheet as a download named `filename` (without its extension)."""
    reply = HttpResponse(render(sheet, file_format), content_type=FORMATS[file_format])
    reply["Content-Disposition"] = f'attachment; filename="{filename}.{file_format}"'
    return reply


def _plain(value):
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return ""
    return value


def _written(value):
    """A value as a document for people writes it: dates in the reader's language (a CSV keeps ISO dates)."""
    if isinstance(value, dt.datetime):
        return moment(value)
    if isinstance(value, dt.date):
        return day(value)
    return _plain(value)


def _csv(sheet: Sheet) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    if sheet.subtitle:
        writer.writerow([safe_text(sheet.title), safe_text(sheet.subtitle)])
    writer.writerow([safe_text(h) for h in sheet.headers])
    for row in [*sheet.rows, *([sheet.total_row] if sheet.total_row else [])]:
        writer.writerow([safe_text(_plain(v)) for v in row])
    return out.getvalue().encode("utf-8-sig")


def _xlsx(sheet: Sheet) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import TYPE_STRING
    from openpyxl.styles import Font

    book = Workbook()
    page = book.active
    page.title = "".join(c for c in sheet.title if c not in "[]:*?/\\")[:31] or "Sheet"
    bold = Font(bold=True)
    top = 1
    if sheet.subtitle:
        page.append([sheet.title])
        page.cell(1, 1).font = Font(bold=True, size=13)
        page.append([sheet.subtitle])
        top = 3
    rows = [sheet.headers, *sheet.rows, *([sheet.total_row] if sheet.total_row else [])]
    widths: dict[int, int] = {}
    for r, row in enumerate(rows, start=top):
        for c, value in enumerate(row, start=1):
            value = float(value) if isinstance(value, Decimal) else value
            cell = page.cell(r, c)
            if isinstance(value, str):
                # Written as text, so openpyxl does not take a leading "=" for a formula.
                cell.value = value
                cell.data_type = TYPE_STRING
            else:
                cell.value = value
            widths[c] = max(widths.get(c, 0), len(str(value)) if value is not None else 0)
    for c in range(1, len(sheet.headers) + 1):
        page.cell(top, c).font = bold
        if sheet.total_row:
            page.cell(top + len(rows) - 1, c).font = bold
        page.column_dimensions[page.cell(top, c).column_letter].width = min(max(widths.get(c, 0) + 2, 10), 40)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf_from_template(template: str, context: dict, *, language: str | None = None) -> bytes:
    """The one PDF renderer: tables, farm invoices and the platform's own invoices alike. A document written
    in an organisation's language passes it (an organisation with none set: the site's); None: the reader's."""
    from weasyprint import HTML

    chosen = translation.get_language() if language is None else language
    with translation.override(chosen or settings.LANGUAGE_CODE):
        return HTML(string=render_to_string(template, context)).write_pdf()


def _pdf(sheet: Sheet) -> bytes:
    shown = Sheet(
        title=sheet.title, subtitle=sheet.subtitle, headers=sheet.headers,
        rows=[[safe_text(_written(v)) for v in row] for row in sheet.rows],
        total_row=[safe_text(_written(v)) for v in sheet.total_row] if sheet.total_row else None,
    )
    return pdf_from_template("exports/sheet_pdf.html", {"sheet": shown})
