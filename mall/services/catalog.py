"""Writes to the catalogue. Price and stock change only through these functions."""

import itertools
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F

from common.money import to_money
from mall.errors import (
    InsufficientStock,
    InvalidPrice,
    InvalidSpecs,
    ProductNotSellable,
    SKUNotFound,
    StockBelowZero,
)
from mall.models import SKU, Category, Product, Supplier


def _parse_price(value: Decimal | str | int, *, allow_zero: bool = False) -> Decimal:
    try:
        amount = to_money(value)
    except (ValueError, InvalidOperation):
        raise InvalidPrice() from None
    if amount < 0 or (amount == 0 and not allow_zero):
        raise InvalidPrice()
    return amount


def _spec_combinations(spec_options: list[dict]) -> list[dict[str, str]]:
    names = [opt.get("name", "").strip() for opt in spec_options]
    values = [[str(v).strip() for v in opt.get("values", [])] for opt in spec_options]
    if any(not n for n in names) or len(set(names)) != len(names):
        raise InvalidSpecs()
    if any(not vs or len(set(vs)) != len(vs) or not all(vs) for vs in values):
        raise InvalidSpecs()
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values)]


@transaction.atomic
def product_create(
    *,
    supplier: Supplier,
    category: Category,
    title: str,
    price: Decimal | str,
    cost_price: Decimal | str,
    stock: int = 0,
    spec_options: list[dict] | None = None,
    subtitle: str = "",
    description: str = "",
    weight_grams: int = 0,
    on_shelf: bool = False,
) -> Product:
    """Create a product and one SKU per combination of its spec values.

    Every SKU starts with the same price, cost and stock; change them per SKU with
    ``sku_set_price`` and ``sku_adjust_stock``.
    """
    spec_options = spec_options or []
    combos = _spec_combinations(spec_options) if spec_options else [{}]
    price_value = _parse_price(price)
    cost_value = _parse_price(cost_price, allow_zero=True)
    if stock < 0:
        raise StockBelowZero()
    product = Product.objects.create(
        supplier=supplier, category=category, title=title, subtitle=subtitle,
        description=description, spec_options=spec_options,
        status=Product.Status.ON_SHELF if on_shelf else Product.Status.OFF_SHELF,
    )
    SKU.objects.bulk_create(
        SKU(product=product, specs=combo, spec_key=SKU.make_spec_key(combo), price=price_value,
            cost_price=cost_value, stock=stock, weight_grams=weight_grams)
        for combo in combos
    )
    return product


def product_set_status(*, product: Product, on_shelf: bool) -> Product:
    if on_shelf and not product.skus.filter(is_active=True).exists():
        raise ProductNotSellable()
    product.status = Product.Status.ON_SHELF if on_shelf else Product.Status.OFF_SHELF
    product.save(update_fields=["status", "updated_at"])
    return product


def sku_set_price(*, sku_id: int, price: Decimal | str,
                  cost_price: Decimal | str | None = None) -> SKU:
    """Set a SKU's selling price (and optionally its cost). Existing orders keep their snapshot."""
    fields = {"price": _parse_price(price)}
    if cost_price is not None:
        fields["cost_price"] = _parse_price(cost_price, allow_zero=True)
    if not SKU.objects.filter(pk=sku_id).update(**fields):
        raise SKUNotFound()
    return SKU.objects.get(pk=sku_id)


def sku_adjust_stock(*, sku_id: int, delta: int) -> int:
    """Add ``delta`` (may be negative) to a SKU's stock with one guarded UPDATE.

    The ``stock + delta >= 0`` condition lives in the UPDATE itself, so concurrent
    callers can never take stock below zero (the CHECK constraint backs it up).
    Returns the new stock.
    """
    updated = SKU.objects.filter(pk=sku_id, stock__gte=-delta if delta < 0 else 0).update(
        stock=F("stock") + delta
    )
    if not updated:
        if not SKU.objects.filter(pk=sku_id).exists():
            raise SKUNotFound()
        raise StockBelowZero()
    return SKU.objects.values_list("stock", flat=True).get(pk=sku_id)


def sku_set_stock(*, sku_id: int, stock: int) -> int:
    """Staff stock-take: set an absolute quantity."""
    if stock < 0:
        raise StockBelowZero()
    if not SKU.objects.filter(pk=sku_id).update(stock=stock):
        raise SKUNotFound()
    return stock


def sku_reserve_stock(*, sku_id: int, quantity: int) -> None:
    """Take ``quantity`` units for an order. Raises ``InsufficientStock`` (库存不足)."""
    if quantity <= 0:
        raise InvalidSpecs()
    updated = SKU.objects.filter(pk=sku_id, stock__gte=quantity).update(
        stock=F("stock") - quantity
    )
    if not updated:
        if not SKU.objects.filter(pk=sku_id).exists():
            raise SKUNotFound()
        raise InsufficientStock()


def sku_release_stock(*, sku_id: int, quantity: int) -> None:
    """Give back units an order had reserved. The caller makes sure it happens once."""
    SKU.objects.filter(pk=sku_id).update(stock=F("stock") + quantity)
