"""The kernel's Excel writer and cell rules (``common/exports.py``), used by the console's
exports and the partner statements (each tested where it is served)."""

import io
from decimal import Decimal

from openpyxl import load_workbook

from common.exports import cell, xlsx_write

D = Decimal


def test_text_that_a_spreadsheet_would_run_is_defused():
    assert cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert cell("@SUM(A1)") == "'@SUM(A1)"
    assert cell(D("-5.00")) == D("-5.00")  # amounts stay numbers


def test_excel_goes_on_to_a_new_sheet_past_the_row_limit(tmp_path):
    path = tmp_path / "t.xlsx"
    rows = [(n, D("1.50"), f"r{n}") for n in range(1, 6)]

    written = xlsx_write(str(path), sheet="t", headers=["n", "amount", "text"], rows=iter(rows), sheet_rows=2)

    assert written == 5
    book = load_workbook(path)
    # 5 rows, 2 a sheet → 3 sheets, each with the header: r1 r2 | r3 r4 | r5.
    assert book.sheetnames == ["t", "t-2", "t-3"]
    assert list(book["t-3"].iter_rows(values_only=True)) == [("n", "amount", "text"), (5, 1.5, "r5")]
    assert book["t"]["B2"].number_format == "0.00"


def test_a_title_stands_above_the_header_on_every_sheet_and_text_is_defused():
    out = io.BytesIO()

    xlsx_write(out, sheet="2026-12", title="甲 · 2026-12", headers=["时间", "金额（元）"],
               rows=[("=1+1", D("10.00")), ("合计", D("15.00"))], sheet_rows=1)

    book = load_workbook(io.BytesIO(out.getvalue()))
    assert [list(s.iter_rows(values_only=True)) for s in book] == [
        [("甲 · 2026-12", None), ("时间", "金额（元）"), ("'=1+1", 10)],
        [("甲 · 2026-12", None), ("时间", "金额（元）"), ("合计", 15)],
    ]


def test_an_empty_table_is_a_sheet_with_its_header():
    out = io.BytesIO()

    written = xlsx_write(out, sheet="空", headers=["a", "b"], rows=[])

    assert written == 0
    book = load_workbook(io.BytesIO(out.getvalue()))
    assert book.sheetnames == ["空"]
    assert list(book["空"].iter_rows(values_only=True)) == [("a", "b")]
