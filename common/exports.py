"""The project's one Excel writer and the cell rules that every export (CSV or Excel) shares.

- Excel: XlsxWriter in ``constant_memory`` mode writes each row to the sheet's temporary file
  as it comes (never a row kept), so the console's exports of up to a million rows and a
  partner's monthly statement go through the same code. Amounts (``Decimal``) become numbers
  shown with two decimals; a sheet holds at most Excel's row limit, more go on to the next.
- Text cells that a spreadsheet would read as a formula (``= + - @``, tab, CR) are prefixed
  with ``'`` (OWASP "CSV injection"); amounts are ``Decimal`` and never touched.
"""

import datetime
import tempfile
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import IO

import xlsxwriter
from django.utils import timezone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_ROWS = 1_048_575  # Excel's 1,048,576 rows, less the header
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def cell_formatter(tz: datetime.tzinfo | None = None) -> Callable[[object], object]:
    """A function that turns a value into a text cell: local times, plain amounts, empty for
    None, safe text. The time zone is looked up once (``timezone.localtime`` per value cost
    a third of an export's time)."""
    tz = tz or timezone.get_current_timezone()

    def fmt(value: object) -> object:
        kind = type(value)
        if value is None:
            return ""
        if kind is str:
            return "'" + value if value.startswith(FORMULA_STARTS) else value
        if kind is datetime.datetime:
            return value.astimezone(tz).isoformat(" ", "seconds")[:19]
        if kind is datetime.date:
            return value.isoformat()
        return value

    return fmt


def cell(value: object) -> object:
    return cell_formatter()(value)


def xlsx_write(
    target: str | IO[bytes],
    *,
    sheet: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    title: str | None = None,
    sheet_rows: int = XLSX_MAX_ROWS,
) -> int:
    """Write ``headers`` and ``rows`` as an .xlsx file to ``target`` (a path or a binary file);
    returns the number of data rows. ``title``, if given, is a bold line above each sheet's
    header. A sheet holds at most ``sheet_rows`` data rows; more go on to ``<sheet>-2`` and so on."""
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "0.00"})
    fmt = cell_formatter()

    def start(number: int):
        return _new_sheet(workbook, name=sheet, number=number, headers=headers, title=title, bold=bold)

    page, sheets, line, on_page, total = None, 0, 0, 0, 0
    for row in rows:
        total += 1
        if page is None or on_page == sheet_rows:
            sheets += 1
            page, line = start(sheets)
            on_page = 0
        on_page += 1
        line += 1
        for col, value in enumerate(row):
            if isinstance(value, Decimal):
                page.write_number(line, col, float(value), money)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                page.write_number(line, col, value)
            elif text := str(fmt(value)):  # None and "" stay blank cells
                page.write_string(line, col, text)
    if page is None:
        start(1)
    workbook.close()
    return total


def _new_sheet(workbook, *, name: str, number: int, headers: Sequence[str], title: str | None, bold):
    """A sheet with its title and header written; returns it and the row of its header."""
    page = workbook.add_worksheet(name[:28] if number == 1 else f"{name[:24]}-{number}")
    line = 0
    if title is not None:
        page.write_string(0, 0, title, bold)
        line = 1
    page.write_row(line, 0, [str(h) for h in headers], bold)
    return page, line
