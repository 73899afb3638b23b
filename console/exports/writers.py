"""Streamed CSV and Excel answers for any ``ExportTable``, in constant memory.

- CSV: a ``StreamingHttpResponse`` fed by a generator that writes rows through ``csv.writer``
  into a small buffer and yields it every ``CSV_CHUNK`` rows. UTF-8 with a BOM, so Excel
  opens the Chinese text correctly.
- Excel: the project's writer (``common.exports.xlsx_write``, constant memory) fills an
  unlinked temporary file that a ``FileResponse`` then streams.

Cells follow ``common.exports.cell_formatter``: local times, and text that a spreadsheet
would run as a formula defused.
"""

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from common.exports import XLSX_CONTENT_TYPE, cell_formatter, xlsx_write

CSV_CHUNK = 500


@dataclass
class ExportTable:
    """A named table: its header and an iterator of rows (tuples of plain values)."""

    name: str
    headers: list[str]
    rows: Iterable[tuple]


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


def xlsx_response(table: ExportTable) -> FileResponse:
    handle, name = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    path = Path(name)
    try:
        xlsx_write(name, sheet=table.name, headers=table.headers, rows=table.rows)
        stream = path.open("rb")  # FileResponse closes it when sent
    finally:
        path.unlink()  # the open handle keeps the data until the response is sent
    response = FileResponse(stream, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = _disposition(table.name, "xlsx")
    return response


def export_response(table: ExportTable, fmt: str):
    return xlsx_response(table) if fmt == "xlsx" else csv_response(table)
