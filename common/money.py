"""Money: the one place where amounts are quantized and rounded.

Amounts are ``Decimal`` with 2 places (fen). Rates are ``Decimal`` with 4 places.
The rounding mode is always named here, never taken from the decimal context.
"""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
RATE_PLACES = Decimal("0.0001")
ZERO = Decimal("0.00")


def to_money(value: Decimal | int | str) -> Decimal:
    """Parse an exact amount; refuses anything with more than 2 decimal places."""
    amount = Decimal(str(value))
    if amount != amount.quantize(FEN, rounding=ROUND_DOWN):
        raise ValueError(f"amount {value!r} has more than 2 decimal places")
    return amount.quantize(FEN)


def round_down(value: Decimal) -> Decimal:
    """Round down to the fen: commission amounts (what is left stays with the platform)."""
    return value.quantize(FEN, rounding=ROUND_DOWN)


def round_half_up(value: Decimal) -> Decimal:
    """Round half up to the fen: prices shown to shoppers (shares of a discount, fees)."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def format_cny(value: Decimal | None) -> str:
    """``Decimal('12.3')`` → ``'¥12.30'``."""
    if value is None:
        return ""
    amount = Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"
