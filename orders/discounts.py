"""What checkout and a discount provider (``promotions``) say to each other.

``orders`` never imports the app that hands out discounts: checkout asks through the
``discount_options`` and ``discount_reserve`` hooks (``orders/hooks.py``) and gets these
values back. A discount is a total amount for a set of eligible lines; checkout spreads it
over those lines with ``common.money.allocate`` (the one allocation), so Σ line discounts
always equals the order's discount exactly.
"""

from dataclasses import dataclass
from decimal import Decimal

NO_DISCOUNT = "none"  # the key a shopper sends to check out without any discount


@dataclass(frozen=True)
class DiscountLine:
    """One line of a checkout, as a discount provider sees it (nothing it could change)."""

    sku_id: int
    product_id: int
    category_id: int
    quantity: int
    line_amount: Decimal


@dataclass(frozen=True)
class DiscountOption:
    """One discount a member could use on these lines.

    ``key`` identifies it to the provider (e.g. ``coupon:42``) and is stored on the order.
    ``sku_ids`` are the eligible lines the ``amount`` is spread over. ``problem`` is a
    (translated) reason when the option cannot be used now (``amount`` is then 0).
    """

    key: str
    title: str
    amount: Decimal
    sku_ids: frozenset[int]
    problem: str = ""
    expires_at: object = None  # a datetime; shown on the checkout page

    @property
    def usable(self) -> bool:
        return not self.problem and self.amount > 0


def best_option(options: list[DiscountOption]) -> DiscountOption | None:
    """The usable option taking the most off (ties: the one expiring first, then by key)."""
    usable = [o for o in options if o.usable]
    if not usable:
        return None
    return max(usable, key=lambda o: (o.amount, -(o.expires_at.timestamp() if o.expires_at else 0), o.key))
