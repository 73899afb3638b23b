"""What units of an item may be refunded for: the cap an after-sale or a staff refund after
the window may ask, and the parsing of an amount staff or the shopper typed."""

from decimal import Decimal, InvalidOperation

from common.money import to_money, unit_share_total
from orders.errors import AfterSaleQuantityInvalid, RefundExceedsPaid
from orders.models import OrderItem


def refundable_amount(*, order_item: OrderItem, quantity: int) -> Decimal:
    """What the next ``quantity`` not-yet-refunded units paid: the cap of their refund.

    Each unit's share is the item's paid amount / quantity rounded down to the fen, and
    the last unit absorbs the remainder, so refunding every unit returns exactly the
    paid amount.
    """
    start = order_item.refunded_quantity
    if not 1 <= quantity <= order_item.quantity - start:
        raise AfterSaleQuantityInvalid()
    paid, total_units = order_item.paid_amount, order_item.quantity
    return unit_share_total(paid, total_units, start + quantity) - unit_share_total(paid, total_units, start)


def refund_amount_parse(amount: Decimal | str | None, *, cap: Decimal) -> Decimal:
    """The amount asked for (``None``: the whole cap); ``RefundExceedsPaid`` unless 0 < it ≤ cap."""
    if amount is None:
        return cap
    try:
        value = to_money(amount)
    except (ValueError, InvalidOperation):
        raise RefundExceedsPaid() from None
    if value <= 0 or value > cap:
        raise RefundExceedsPaid()
    return value
