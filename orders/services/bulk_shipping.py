"""Bulk shipping: staff upload a CSV of order numbers and tracking numbers; each row is shipped
through ``order_ship`` (its own transaction and row lock) or refused with the reason, so one bad
row never stops the others, and a file sent twice ships nothing twice (a shipped order is no
longer ``paid``: the transition refuses it).

The file: one order per line, ``order number, tracking number[, carrier]``; a header line is
skipped; a missing carrier takes the one chosen on the form. UTF-8 (with or without BOM) or GBK,
as Excel on a Chinese Windows saves it.
"""

import csv
import io
from dataclasses import dataclass, replace

from django.utils.translation import gettext as _

from common.errors import DomainError
from mall.models import User
from orders.errors import BulkFileInvalid
from orders.models import Order
from orders.services.fulfilment import order_ship

MAX_ROWS = 2000


@dataclass(frozen=True)
class ShipRow:
    line: int
    number: str
    tracking_no: str
    carrier: str
    ok: bool
    message: str
    order_id: int | None = None


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BulkFileInvalid(_("The file is neither UTF-8 nor GBK text."))


def bulk_rows_parse(raw: bytes) -> list[tuple[int, list[str]]]:
    """The file's non-empty rows (line number, cells), without a header line."""
    reader = csv.reader(io.StringIO(_decode(raw)))
    rows = [(n, [c.strip() for c in cells]) for n, cells in enumerate(reader, 1)
            if any(c.strip() for c in cells)]
    if rows and not rows[0][1][0].upper().startswith("Q"):
        rows = rows[1:]  # a header ("订单号,运单号"): order numbers start with Q
    if not rows:
        raise BulkFileInvalid(_("The file has no rows."))
    if len(rows) > MAX_ROWS:
        raise BulkFileInvalid(_("At most %(max)s rows per file.") % {"max": MAX_ROWS})
    return rows


def orders_ship_bulk(*, raw: bytes, carrier: str, actor: User) -> list[ShipRow]:
    """Ship every good row; the result says, per row, shipped or why not."""
    results, seen = [], set()
    for line, cells in bulk_rows_parse(raw):
        number, tracking = cells[0], cells[1] if len(cells) > 1 else ""
        row_carrier = cells[2] if len(cells) > 2 and cells[2] else carrier
        results.append(_ship_one(ShipRow(line, number, tracking, row_carrier, False, ""), actor, seen))
    return results


def _ship_one(row: ShipRow, actor: User, seen: set) -> ShipRow:
    number, tracking, carrier = row.number, row.tracking_no, row.carrier

    def refused(message: str, order_id: int | None = None) -> ShipRow:
        return replace(row, message=message, order_id=order_id)

    if number in seen:
        return refused(_("Duplicate row: this order is already in the file."))
    seen.add(number)
    order = Order.objects.filter(number=number).first()
    if order is None:
        return refused(_("No order with this number."))
    try:
        order_ship(order=order, actor=actor, carrier=carrier, tracking_no=tracking)
    except DomainError as exc:
        return refused(str(exc.message), order.pk)
    return replace(row, ok=True, message=_("Shipped."), order_id=order.pk)
