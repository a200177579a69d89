"""Every export neutralises formulas and keeps numbers numbers."""

import csv
import io
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from apps.core.exports import Sheet, render, safe_text
from tests.factories import make_animal
from tests.finance.conftest import TODAY, make_contact, submit

pytestmark = pytest.mark.usefixtures("owner_scope")
HOSTILE = ["=HYPERLINK(\"http://evil.test\",\"x\")", "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_like_text_is_prefixed(value):
    assert safe_text(value) == "'" + value
    assert safe_text("Daisy") == "Daisy" and safe_text(Decimal("-5")) == Decimal("-5") and safe_text(-5) == -5


def _rows(file_format: str, body: bytes) -> list[list]:
    if file_format == "csv":
        return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(body)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def _assert_no_live_formula(file_format: str, body: bytes):
    if file_format == "xlsx":
        sheet = load_workbook(io.BytesIO(body)).active
        formulas = [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
        assert not formulas, f"live formulas in {formulas}"
    else:
        for row in _rows(file_format, body):
            for value in row:
                assert not value.startswith(("=", "+", "@", "\t", "\r")) or value.startswith("'"), value
                assert not (value.startswith("-") and not _number(value)), value


def _number(text: str) -> bool:
    try:
        Decimal(text)
        return True
    except ArithmeticError:
        return False


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_sheet_keeps_numbers_numeric_and_text_inert(file_format):
    body = render(Sheet("T", "S", ["Text", "Amount"], [["=1+1", Decimal("-12.50")], ["@x", 3]]), file_format)
    rows = _rows(file_format, body)
    _assert_no_live_formula(file_format, body)
    if file_format == "xlsx":
        assert rows[3] == ["=1+1", -12.5] and rows[4] == ["@x", 3]
    else:
        assert rows[2] == ["'=1+1", "-12.50"]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_herd_export_neutralises_hostile_names(as_member, owner, farm, file_format):
    for n, name in enumerate(HOSTILE):
        make_animal(owner, farm, tag=f"H-{n}", name=name[:80])
    response = as_member(owner).get(reverse("herd:list"), {"_export": file_format})
    assert response.status_code == 200
    _assert_no_live_formula(file_format, response.content)
    assert len(_rows(file_format, response.content)) >= len(HOSTILE) + 1


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "pdf"])
def test_money_reports_neutralise_hostile_text(as_member, owner, farm, file_format):
    submit(owner, farm, "100", description="=HYPERLINK(\"http://evil.test\")", supplier_name="@evil")
    client = as_member(owner)
    for kind in ("expenses", "sales", "pnl", "receivables"):
        response = client.post(reverse("money:reports"), {"kind": kind, "since": TODAY.replace(day=1).isoformat(),
                                                          "until": TODAY.isoformat(), "file_format": file_format, "farm": ""})
        assert response.status_code == 200
        if file_format != "pdf":
            _assert_no_live_formula(file_format, response.content)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_milk_records_export_neutralises_and_keeps_quantities_numeric(as_member, owner, farm, file_format):
    from apps.milk.services import milking_record_save
    from tests.milk.conftest import make_cows

    cow = make_cows(owner, farm, 1, prefix="=cmd|")[0]
    milking_record_save(membership=owner, farm=farm, animal=cow, date=TODAY, session="morning", quantity=Decimal("12.5"))
    response = as_member(owner).get(reverse("milk:records"), {"_export": file_format})
    _assert_no_live_formula(file_format, response.content)
    if file_format == "xlsx":
        rows = _rows("xlsx", response.content)
        assert 12.5 in rows[-1] or Decimal("12.5") in rows[-1] or "12.50" in rows[-1]


def test_sale_with_a_hostile_product_name(owner, farm):
    from apps.finance.services import sale_record

    sale_record(membership=owner, key=uuid.uuid4().hex, kind="other", farm=farm, date=TODAY, buyer=make_contact(owner),
                unit_price=Decimal("5"), quantity=Decimal("2"), unit="kg", product="+SUM(1)")
    from apps.finance.reports import sales_report

    body = render(sales_report(owner, TODAY.replace(day=1), TODAY), "csv")
    assert "'+SUM(1)" in body.decode("utf-8-sig")
