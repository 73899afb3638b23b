"""Streamed CSV and Excel answers for any ``ExportTable``, in constant memory.

- CSV: a ``StreamingHttpResponse`` fed by a generator that writes rows through ``csv.writer``
  into a small buffer and yields it every ``CSV_CHUNK`` rows. UTF-8 with a BOM, so Excel
  opens the Chinese text correctly.
- Excel: XlsxWriter in ``constant_memory`` mode writes each row to the sheet's temporary
  file as it comes (never a row kept), into an unlinked temporary file that a
  ``FileResponse`` then streams. Amounts become numbers with two decimals.

Text cells that a spreadsheet would read as a formula (``= + - @``, tab, CR) are prefixed
with ``'`` (OWASP "CSV injection"); amounts are ``Decimal`` and never touched.
"""

import csv
import datetime
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

CSV_CHUNK = 500
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_ROWS = 1_048_575  # Excel's 1,048,576 rows, less the header
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class ExportTable:
    """A named table: its header and an iterator of rows (tuples of plain values)."""

    name: str
    headers: list[str]
    rows: Iterable[tuple]


def cell_formatter(tz: datetime.tzinfo | None = None) -> Callable[[object], object]:
    """A function that turns a value into a CSV cell: local times, plain amounts, empty for
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


def csv_chunks(table: ExportTable) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    fmt = cell_formatter()
    buffer.write("\ufeff")
    writer.writerow([str(h) for h in table.headers])
    for n, row in enumerate(table.rows, start=1):
        writer.writerow([fmt(v) for v in row])
        if n % CSV_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _disposition(name: str, ext: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f'attachment; filename="{name}-{stamp}.{ext}"'


def csv_response(table: ExportTable) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_chunks(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _disposition(table.name, "csv")
    return response


def xlsx_write(table: ExportTable, path: str, *, sheet_rows: int = XLSX_MAX_ROWS) -> int:
    """Write ``table`` to an .xlsx file at ``path``; returns the number of data rows. A sheet
    holds at most ``sheet_rows`` data rows (Excel's limit); more go on to the next sheet."""
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "0.00"})
    fmt = cell_formatter()
    sheet, sheets, line, total = None, 0, 0, 0
    for row in table.rows:
        total += 1
        if sheet is None or line == sheet_rows:
            sheets += 1
            sheet = _new_sheet(workbook, table, sheets, bold)
            line = 0
        line += 1
        for col, value in enumerate(row):
            if isinstance(value, Decimal):
                sheet.write_number(line, col, float(value), money)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(line, col, value)
            else:
                sheet.write_string(line, col, str(fmt(value)))
    if sheet is None:
        _new_sheet(workbook, table, 1, bold)
    workbook.close()
    return total


def _new_sheet(workbook, table: ExportTable, number: int, bold):
    name = table.name[:28] if number == 1 else f"{table.name[:24]}-{number}"
    sheet = workbook.add_worksheet(name)
    sheet.write_row(0, 0, [str(h) for h in table.headers], bold)
    return sheet


def xlsx_response(table: ExportTable) -> FileResponse:
    handle, name = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    path = Path(name)
    try:
        xlsx_write(table, name)
        stream = path.open("rb")  # FileResponse closes it when sent
    finally:
        path.unlink()  # the open handle keeps the data until the response is sent
    response = FileResponse(stream, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = _disposition(table.name, "xlsx")
    return response


def export_response(table: ExportTable, fmt: str):
    return xlsx_response(table) if fmt == "xlsx" else csv_response(table)
