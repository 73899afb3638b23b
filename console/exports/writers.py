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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

CSV_CHUNK = 500
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class ExportTable:
    """A named table: its header and an iterator of rows (tuples of plain values)."""

    name: str
    headers: list[str]
    rows: Iterable[tuple]


def cell(value: object) -> object:
    """A value as a CSV cell: local times, plain amounts, empty for None, safe text."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_chunks(table: ExportTable) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([str(h) for h in table.headers])
    for n, row in enumerate(table.rows, start=1):
        writer.writerow([cell(v) for v in row])
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


def xlsx_write(table: ExportTable, path: str) -> int:
    """Write ``table`` to an .xlsx file at ``path``; returns the number of data rows."""
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
    sheet = workbook.add_worksheet(table.name[:31])
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "0.00"})
    sheet.write_row(0, 0, [str(h) for h in table.headers], bold)
    n = 0
    for n, row in enumerate(table.rows, start=1):
        for col, value in enumerate(row):
            if isinstance(value, Decimal):
                sheet.write_number(n, col, float(value), money)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(n, col, value)
            else:
                sheet.write_string(n, col, str(cell(value)))
    workbook.close()
    return n


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
