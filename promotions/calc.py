"""What a coupon takes off a set of lines: pure arithmetic, no database.

The eligible lines are those in the template's scope; the discount is computed on their
sum and later spread over them by checkout (``common.money.allocate``). Rounding is
``common.money``'s: a percentage is rounded down to the fen (the fen left stay with the
platform). A discount never takes an item to zero: every eligible unit keeps paying at
least 0.01 (checkout spreads the amount over what each line may lose, see ``orders``).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from common.money import FEN, ZERO, round_down
from orders.discounts import DiscountLine
from promotions.models import CouponKind, CouponScope, CouponTemplate


@dataclass(frozen=True)
class Scope:
    """A template's scope, read once: ``kind`` and the ids it names."""

    kind: str
    category_ids: frozenset[int] = frozenset()
    product_ids: frozenset[int] = frozenset()
    shop_id: int | None = None

    def covers(self, line: DiscountLine, shop_id: int) -> bool:
        if self.kind == CouponScope.SHOP:
            return shop_id == self.shop_id
        if self.kind == CouponScope.CATEGORIES:
            return line.category_id in self.category_ids
        if self.kind == CouponScope.PRODUCTS:
            return line.product_id in self.product_ids
        return True


def eligible_lines(scope: Scope, lines: Iterable[DiscountLine], *, shop_id: int) -> list[DiscountLine]:
    return [line for line in lines if scope.covers(line, shop_id)]


def discount_for(template: CouponTemplate, eligible: list[DiscountLine]) -> tuple[Decimal, str]:
    """(amount, "") or (0, reason code): ``not_applicable`` or ``below_threshold``."""
    base = sum((line.line_amount for line in eligible), ZERO)
    if base <= 0:
        return ZERO, "not_applicable"
    if template.kind == CouponKind.THRESHOLD and base < template.threshold:
        return ZERO, "below_threshold"
    if template.kind == CouponKind.PERCENT:
        amount = round_down(base * Decimal(template.percent_off) / Decimal(100))
        if template.max_discount is not None:
            amount = min(amount, template.max_discount)
    else:
        amount = template.amount
    floor = FEN * sum(line.quantity for line in eligible)  # the eligible units pay 0.01 each at least
    amount = max(ZERO, min(amount, base - floor))
    if amount <= 0:
        return ZERO, "not_applicable"
    return amount, ""
