"""Writes to the catalogue, and the rules its admin forms call. Price and stock change only
through these functions."""

import itertools
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from common.money import to_money
from mall.errors import (
    InsufficientStock,
    InvalidPrice,
    InvalidSpecs,
    ProductNotSellable,
    SKUNotFound,
    StockBelowZero,
    StockChanged,
)
from mall.lock_objects import sku_lock_stock
from mall.models import SKU, Category, Product, Supplier

SPEC_OPTIONS_INVALID = _('Spec options must be a list of {"name": ..., "values": [...]} with unique '
                         "names and unique, non-empty values.")


def _parse_price(value: Decimal | str | int, *, allow_zero: bool = False) -> Decimal:
    try:
        amount = to_money(value)
    except (ValueError, InvalidOperation):
        raise InvalidPrice() from None
    if amount < 0 or (amount == 0 and not allow_zero):
        raise InvalidPrice()
    return amount


# --- specs: the rules a product's options and its SKUs' specs follow ------------------------


def spec_options_normalize(spec_options: object) -> list[dict]:
    """A product's spec options as stored, e.g. ``[{"name": "颜色", "values": ["红", "蓝"]}]``
    with names and values stripped. ``InvalidSpecs`` unless every option has a non-empty name
    of its own and a non-empty list of distinct, non-empty values."""
    if not isinstance(spec_options, list) or not all(isinstance(o, dict) for o in spec_options):
        raise InvalidSpecs(SPEC_OPTIONS_INVALID)
    names = [str(o.get("name", "")).strip() for o in spec_options]
    values = [o.get("values") for o in spec_options]
    if not all(names) or len(set(names)) != len(names):
        raise InvalidSpecs(SPEC_OPTIONS_INVALID)
    stripped = [[str(v).strip() for v in vs] if isinstance(vs, list) else [] for vs in values]
    if any(not vs or not all(vs) or len(set(vs)) != len(vs) for vs in stripped):
        raise InvalidSpecs(SPEC_OPTIONS_INVALID)
    return [{"name": n, "values": vs} for n, vs in zip(names, stripped, strict=True)]


def _spec_combinations(spec_options: list[dict]) -> list[dict[str, str]]:
    names = [o["name"] for o in spec_options]
    combos = itertools.product(*(o["values"] for o in spec_options))
    return [dict(zip(names, combo, strict=True)) for combo in combos]


def sku_specs_normalize(specs: object) -> dict[str, str]:
    """A SKU's specs as stored, e.g. ``{"颜色": "红"}`` stripped (``{}`` when empty).
    ``InvalidSpecs`` unless an object of non-empty names to non-empty strings."""
    if specs in (None, ""):
        return {}
    if not isinstance(specs, dict) or not all(
        isinstance(v, str) and v.strip() and str(k).strip() for k, v in specs.items()
    ):
        raise InvalidSpecs(_('Specs must be a JSON object like {"颜色": "红"}.'))
    return {str(k).strip(): v.strip() for k, v in specs.items()}


def skus_check_specs(
    *, spec_options: object, skus: Sequence[tuple[dict[str, str], bool]]
) -> list[InvalidSpecs | None]:
    """Check the SKUs of one product together: ``skus`` is (specs, is_new_specs) per SKU, in
    form order; returns the error of each (None when it is fine).

    A new or re-specced SKU must pick one listed value of every option (an old inconsistency
    never blocks an unrelated edit, e.g. a price change); no two SKUs share specs (the
    database's ``sku_unique_specs`` backs this up)."""
    options = spec_options if isinstance(spec_options, list) else []
    allowed = {str(o.get("name")): {str(v) for v in o.get("values") or []} for o in options
               if isinstance(o, dict) and isinstance(o.get("values") or [], list)}
    seen: set[str] = set()
    errors: list[InvalidSpecs | None] = []
    for specs, is_new_specs in skus:
        fits = set(specs) == set(allowed) and all(v in allowed[k] for k, v in specs.items())
        if is_new_specs and not fits:
            errors.append(InvalidSpecs(_("These specs do not match the product's spec options: pick one "
                                         "listed value for every option."), code="specs_mismatch"))
            continue
        key = SKU.make_spec_key(specs)
        duplicate = key in seen
        seen.add(key)
        errors.append(InvalidSpecs(_("Another SKU of this product has the same specs."),
                                   code="duplicate_specs") if duplicate else None)
    return errors


def sku_stock_lock_unchanged(*, sku_id: int, seen: int) -> None:
    """Before staff's stock edit is written: lock the SKU's row until the caller's transaction
    ends (the admin's change view runs in one), and refuse with ``StockChanged`` if orders moved
    the stock since staff saw ``seen``. The check and the write are then one step; an order's
    decrement waits for it and applies to the new figure."""
    current = sku_lock_stock(sku_id=sku_id)
    if current is not None and current != seen:
        raise StockChanged(now=current)


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
    spec_options = spec_options_normalize(spec_options or [])
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
    # Every checkout's last statement, on the hottest row: written once, not compiled per call.
    names = (SKU._meta.db_table, SKU._meta.get_field("stock").column, SKU._meta.pk.column)
    table, stock, key = (connection.ops.quote_name(name) for name in names)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {stock} = {stock} - %s WHERE {key} = %s AND {stock} >= %s",  # noqa: S608
                       [quantity, sku_id, quantity])
        updated = cursor.rowcount
    if not updated:
        if not SKU.objects.filter(pk=sku_id).exists():
            raise SKUNotFound()
        raise InsufficientStock()


def sku_release_stock(*, sku_id: int, quantity: int) -> None:
    """Give back units an order had reserved. The caller makes sure it happens once."""
    SKU.objects.filter(pk=sku_id).update(stock=F("stock") + quantity)
