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


# --- Gateway amounts and exact allocation ---------------------------------------
# Payment gateways (WeChat Pay, Alipay) take integer fen; these convert exactly or refuse.

def to_fen(amount: Decimal) -> int:
    """``Decimal('12.34')`` → ``1234``. Refuses sub-fen amounts instead of rounding them."""
    return int(to_money(amount) * 100)


def from_fen(fen: int) -> Decimal:
    """``1234`` → ``Decimal('12.34')``."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"fen must be an int, not {type(fen).__name__}")
    return (Decimal(fen) / 100).quantize(FEN)


def allocate(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split ``total`` over ``weights`` in proportion; the shares sum to ``total`` exactly.

    Each share is rounded down to the fen, then the fen left over go one by one to the
    largest remainders (ties: earliest first). Used to spread an order discount over items.
    """
    total = to_money(total)
    weight_sum = sum(weights, Decimal(0))
    if not weights or weight_sum <= 0:
        raise ValueError("allocate needs at least one positive weight")
    exact = [total * w / weight_sum for w in weights]
    shares = [round_down(x) for x in exact]
    leftover = int((total - sum(shares, Decimal(0))) / FEN)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in by_remainder[:leftover]:
        shares[i] += FEN
    return shares


def unit_share_total(total: Decimal, quantity: int, units: int) -> Decimal:
    """What the first ``units`` of ``quantity`` units paid, when ``total`` paid for all.

    Every unit's share is ``total / quantity`` rounded down to the fen, and the last unit
    absorbs the remainder, so ``unit_share_total(t, q, q) == t`` and the shares of any
    split of the units sum exactly to ``t``. Units ``a+1 .. a+k`` paid
    ``unit_share_total(t, q, a + k) - unit_share_total(t, q, a)``.
    """
    if quantity <= 0 or not 0 <= units <= quantity:
        raise ValueError("units must be between 0 and a positive quantity")
    if units == quantity:
        return to_money(total)
    return round_down(to_money(total) / quantity) * units
