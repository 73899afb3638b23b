"""Checkout: price the lines (preview) and create the order with its snapshots."""

import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.db import ModelInsert, ModelSelect
from common.money import FEN, ZERO, allocate, to_money
from mall.errors import InsufficientStock, SKUNotFound
from mall.models import SKU, Product, Shop, User
from mall.services.catalog import sku_reserve_stock
from mall.services.shops import platform_shop_get
from orders.discounts import NO_DISCOUNT, DiscountLine, DiscountOption, best_option
from orders.errors import (
    AddressNotFound,
    CartEmpty,
    DiscountUnavailable,
    OutOfStock,
    ProductUnavailable,
    QuantityInvalid,
    format_lazy_message,
)
from orders.hooks import hooks
from orders.models import Address, CartItem, Order, OrderEvent, OrderItem, ShippingRule
from orders.services.cart import cart_count_forget
from orders.services.transitions import event_add

SHANGHAI = ZoneInfo("Asia/Shanghai")
NUMBER_ATTEMPTS = 5


@dataclass(frozen=True)
class CheckoutLine:
    sku_id: int
    quantity: int


@dataclass
class PricedLine:
    sku: SKU
    quantity: int
    unit_price: Decimal
    line_amount: Decimal
    discount_amount: Decimal = ZERO
    problem: str = ""  # why this line cannot be bought now ("" when it can)

    @property
    def paid_amount(self) -> Decimal:
        return self.line_amount - self.discount_amount


@dataclass
class CheckoutPreview:
    lines: list[PricedLine]
    subtotal: Decimal
    discount_amount: Decimal
    shipping_fee: Decimal
    total_amount: Decimal
    address: Address | None = None
    problems: list[str] = field(default_factory=list)
    discount_options: list[DiscountOption] = field(default_factory=list)
    discount: DiscountOption | None = None  # the one applied (one discount per order)
    discount_problem: str = ""  # why the discount asked for is not applied

    @property
    def can_submit(self) -> bool:
        return not self.problems and self.address is not None


def _merge(lines: list[CheckoutLine]) -> dict[int, int]:
    merged: dict[int, int] = {}
    for line in lines:
        if not isinstance(line.quantity, int) or line.quantity < 1:
            raise QuantityInvalid()
        merged[line.sku_id] = merged.get(line.sku_id, 0) + line.quantity
    if not merged:
        raise CartEmpty()
    if any(q > settings.ORDERS_CART_MAX_QUANTITY for q in merged.values()):
        raise QuantityInvalid()
    return merged


def _line_problem(sku: SKU, quantity: int) -> str:
    """ "" or a (lazy, translated when shown) message saying why this line cannot be bought."""
    if not sku.is_active or sku.product.status != Product.Status.ON_SHELF:
        return format_lazy_message(_("%(title)s is no longer on sale."), title=sku.product.title)
    if quantity > sku.stock:
        return OutOfStock.for_product(sku.product.title, available=sku.stock).message
    return ""


_SKU_ROWS = ModelSelect(SKU, related=("product",))  # every checkout and preview prices through it
_ORDER_INSERT, _ITEM_INSERT = ModelInsert(Order), ModelInsert(OrderItem)
_ORDER_ROWS = ModelSelect(Order)  # the idempotency key's lookup: almost always finds nothing


def _price(lines: list[CheckoutLine]) -> tuple[list[PricedLine], Decimal]:
    """Price every line from the current catalogue (one query)."""
    merged = _merge(lines)
    marks = ", ".join(["%s"] * len(merged))
    skus = {s.pk: s for s in _SKU_ROWS.fetch(f"t0.id IN ({marks})", list(merged))}
    if len(skus) != len(merged):
        raise SKUNotFound()
    priced = [
        PricedLine(
            sku=skus[sku_id],
            quantity=q,
            unit_price=skus[sku_id].price,
            line_amount=skus[sku_id].price * q,
            problem=_line_problem(skus[sku_id], q),
        )
        for sku_id, q in merged.items()
    ]
    return priced, sum((p.line_amount for p in priced), ZERO)


def discount_lines(priced: list[PricedLine]) -> list[DiscountLine]:
    return [DiscountLine(sku_id=p.sku.pk, product_id=p.sku.product_id, category_id=p.sku.product.category_id,
                         quantity=p.quantity, line_amount=p.line_amount) for p in priced]


def _spread(priced: list[PricedLine], option: DiscountOption | None) -> Decimal:
    """Spread the option's amount over its eligible lines with ``allocate`` (the shares sum to
    the amount exactly); returns the order's discount.

    The weights are the part of each line a discount may take: every unit keeps paying at
    least one fen, so no item is free and every refund is of something. ``allocate`` never
    gives a line more than its weight when the amount is at most their sum.
    """
    if option is None:
        return ZERO
    eligible = [p for p in priced if p.sku.pk in option.sku_ids]
    weights = [p.line_amount - FEN * p.quantity for p in eligible]
    amount = min(to_money(option.amount), sum(weights, ZERO))
    if amount <= 0:
        return ZERO
    for line, share in zip(eligible, allocate(amount, weights), strict=True):
        line.discount_amount = share
    return amount


def _options(*, user: User, priced: list[PricedLine], shop: Shop) -> list[DiscountOption]:
    answers = hooks.ask("discount_options", user=user, lines=discount_lines(priced), shop=shop)
    return [option for answer in answers for option in answer]


def _choose(options: list[DiscountOption], key: str | None) -> tuple[DiscountOption | None, str]:
    """``None``: the best usable option; ``NO_DISCOUNT``/``""``: none; else that option."""
    if key is None:
        return best_option(options), ""
    if key in ("", NO_DISCOUNT):
        return None, ""
    chosen = next((o for o in options if o.key == key), None)
    if chosen is None:
        return None, str(DiscountUnavailable().message)
    return (chosen, "") if chosen.usable else (None, chosen.problem)


def checkout_preview(
    *, user: User, lines: list[CheckoutLine], address: Address | None = None, shop: Shop | None = None,
    discount_key: str | None = None,
) -> CheckoutPreview:
    """What the checkout page shows: items, the discounts the member could use (the best
    one applied unless ``discount_key`` names another, or ``"none"``), shipping and total."""
    if address is not None and address.user_id != user.pk:
        raise AddressNotFound()
    if address is None:
        address = Address.objects.filter(user=user, is_default=True).first()
    priced, subtotal = _price(lines)
    options = _options(user=user, priced=priced, shop=_order_shop(shop))
    chosen, discount_problem = _choose(options, discount_key)
    discount = _spread(priced, chosen)
    shipping = ShippingRule.get_solo().fee_for(subtotal - discount)
    return CheckoutPreview(
        lines=priced,
        subtotal=subtotal,
        discount_amount=discount,
        shipping_fee=shipping,
        total_amount=subtotal - discount + shipping,
        address=address,
        problems=[p.problem for p in priced if p.problem],
        discount_options=options,
        discount=chosen if discount else None,
        discount_problem=discount_problem,
    )


def _order_shop(shop: Shop | None) -> Shop:
    return shop if shop is not None and shop.is_active else platform_shop_get()


def _reserve(*, user: User, key: str, priced: list[PricedLine], shop: Shop) -> DiscountOption | None:
    """Ask the discount's provider to take it for this order (inside the transaction)."""
    if key in ("", NO_DISCOUNT):
        return None
    answers = [a for a in hooks.ask("discount_reserve", user=user, key=key, lines=discount_lines(priced),
                                    shop=shop) if a is not None]
    if len(answers) != 1:
        raise DiscountUnavailable()
    return answers[0]


def order_number_new() -> str:
    """``Q`` + the Shanghai date + 8 random digits, e.g. ``Q2026112304817263``."""
    return f"Q{timezone.now().astimezone(SHANGHAI):%Y%m%d}{secrets.randbelow(10**8):08d}"


def _raise_first_problem(priced: list[PricedLine]) -> None:
    for line in priced:
        if not line.problem:
            continue
        if line.quantity > line.sku.stock and line.sku.is_active:
            raise OutOfStock(line.problem)
        raise ProductUnavailable(line.problem)


def order_create(
    *,
    user: User,
    lines: list[CheckoutLine],
    address: Address,
    shop: Shop | None = None,
    note: str = "",
    clear_cart: bool = False,
    client_token: str = "",
    discount_key: str = "",
) -> Order:
    """Create a pending-payment order with its snapshots and reserve its stock, in one
    transaction.

    Stock is taken last, by one guarded UPDATE per SKU in SKU order (no deadlocks), so a
    hot SKU's row is locked only for the end of the transaction. Any line short of
    stock rolls the whole order back with ``OutOfStock`` (库存不足).

    ``client_token`` is the client's idempotency key: the same key again (a retry, a double
    tap, two racing requests) returns the first order; a database constraint backs it.

    ``discount_key`` is the one discount the shopper chose (a coupon): its provider takes it
    in this transaction (``discount_reserve``) or refuses with a clear error, and nothing
    is created; two checkouts racing for one coupon get it once.

    An attempt that meets a unique constraint (the random order number already taken, or
    the same key committed meanwhile by a racing request) is rolled back whole, coupon and
    stock included, and made again; the next attempt returns the racing request's order.
    No savepoint is needed for it, so the usual checkout is one BEGIN … COMMIT.
    """
    client_token = (client_token or "").strip()[:64]
    for attempt in range(NUMBER_ATTEMPTS):
        try:
            with transaction.atomic():
                return _order_create_once(user=user, lines=lines, address=address, shop=shop, note=note,
                                          clear_cart=clear_cart, client_token=client_token,
                                          discount_key=discount_key)
        except IntegrityError as exc:
            clash = any(name in str(exc) for name in ("order_client_token_once", "client_token", "number"))
            if not clash or attempt == NUMBER_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # the loop returns or raises


def _order_create_once(
    *, user: User, lines: list[CheckoutLine], address: Address, shop: Shop | None, note: str,
    clear_cart: bool, client_token: str, discount_key: str,
) -> Order:
    if client_token and (existing := _ORDER_ROWS.fetch("t0.user_id = %s AND t0.client_token = %s",
                                                       [user.pk, client_token])):
        return existing[0]  # the same key again: the first order
    if address.user_id != user.pk:
        raise AddressNotFound()
    shop = _order_shop(shop)
    priced, subtotal = _price(lines)
    _raise_first_problem(priced)
    option = _reserve(user=user, key=(discount_key or "").strip(), priced=priced, shop=shop)
    discount = _spread(priced, option)
    shipping = ShippingRule.get_solo().fee_for(subtotal - discount)
    now = timezone.now()
    order = _ORDER_INSERT.save(Order(
        number=order_number_new(),
        user=user,
        client_token=client_token,
        shop=shop,
        subtotal=subtotal,
        discount_amount=discount,
        discount_key=option.key if discount else "",
        discount_title=option.title[:80] if discount else "",
        shipping_fee=shipping,
        total_amount=subtotal - discount + shipping,
        note=(note or "").strip()[:200],
        receiver=address.receiver,
        receiver_phone=address.phone,
        province=address.province,
        city=address.city,
        district=address.district,
        address_detail=address.detail,
        payment_deadline=now + settings.ORDERS_UNPAID_TIMEOUT,
    ))
    items = _ITEM_INSERT.save_all(
        [
            OrderItem(
                order=order,
                sku=p.sku,
                product_id=p.sku.product_id,
                product_title=p.sku.product.title,
                sku_specs=p.sku.specs,
                sku_spec_text=p.sku.spec_text,
                unit_price=p.unit_price,
                cost_price=p.sku.cost_price,
                quantity=p.quantity,
                line_amount=p.line_amount,
                discount_amount=p.discount_amount,
                paid_amount=p.paid_amount,
            )
            for p in priced
        ]
    )
    event_add(order_id=order.pk, kind=OrderEvent.Kind.CREATED, actor=user)
    if clear_cart:
        cart_count_forget(user_id=user.pk)
        CartItem.objects.filter(user=user, sku_id__in=[p.sku.pk for p in priced]).delete()
    hooks.call("order_created", order=order, items=items)
    for p in sorted(priced, key=lambda line: line.sku.pk):
        try:
            sku_reserve_stock(sku_id=p.sku.pk, quantity=p.quantity)
        except InsufficientStock:
            raise OutOfStock.for_product(p.sku.product.title) from None
    return order
