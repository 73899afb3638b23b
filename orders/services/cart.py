"""The cart: in the database for members, in the session for anonymous visitors.

Quantities are checked against stock when added; the cart selectors flag lines that
went off shelf or out of stock since. At sign-in the session cart merges into the
member's (``cart_merge_on_sign_in``, registered on ``mall``'s ``user_signed_in`` hook).
"""

from collections.abc import MutableMapping
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest

from mall.errors import SKUNotFound
from mall.models import SKU, Product, User
from orders.errors import OutOfStock, ProductUnavailable, QuantityInvalid
from orders.lock_objects import cart_items_lock_for_user
from orders.models import CartItem

SESSION_KEY = "cart"


def _quantity(value: int) -> int:
    try:
        quantity = int(value)
    except (TypeError, ValueError):
        raise QuantityInvalid() from None
    if not 1 <= quantity <= settings.ORDERS_CART_MAX_QUANTITY:
        raise QuantityInvalid()
    return quantity


def _buyable_sku(sku_id: int) -> SKU:
    sku = SKU.objects.select_related("product").filter(pk=sku_id).first()
    if sku is None:
        raise SKUNotFound()
    if not sku.is_active or sku.product.status != Product.Status.ON_SHELF:
        raise ProductUnavailable(ProductUnavailable.default_message)
    return sku


def _check_stock(sku: SKU, quantity: int) -> None:
    if quantity > sku.stock:
        raise OutOfStock.for_product(sku.product.title, available=sku.stock)


CART_COUNT_KEY = "orders:cart-count:v1:{}"  # the tab bar badge's count (orders.selectors.cart_count)


def cart_count_forget(*, user_id: int) -> None:
    """Every write to a member's cart forgets the cached badge count: now, and again after
    commit (a reader between the two would cache the old count)."""
    key = CART_COUNT_KEY.format(user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def cart_add(*, user: User, sku_id: int, quantity: int = 1) -> CartItem:
    """Add units of a SKU; the line's total may not pass the stock or the per-line limit."""
    quantity = _quantity(quantity)
    cart_count_forget(user_id=user.pk)
    sku = _buyable_sku(sku_id)
    for _attempt in range(2):
        existing = CartItem.objects.filter(user=user, sku=sku).values_list("quantity", flat=True).first()
        total = quantity + (existing or 0)
        if total > settings.ORDERS_CART_MAX_QUANTITY:
            raise QuantityInvalid()
        _check_stock(sku, total)
        if existing is not None:
            # Conditional on the quantity we checked: a racing add makes this match nothing.
            if CartItem.objects.filter(user=user, sku=sku, quantity=existing).update(
                quantity=F("quantity") + quantity
            ):
                return CartItem.objects.get(user=user, sku=sku)
            continue
        try:
            with transaction.atomic():
                return CartItem.objects.create(user=user, sku=sku, quantity=quantity)
        except IntegrityError:
            continue
    raise QuantityInvalid()


def cart_set_quantity(*, user: User, sku_id: int, quantity: int) -> CartItem:
    quantity = _quantity(quantity)
    sku = _buyable_sku(sku_id)
    _check_stock(sku, quantity)
    cart_count_forget(user_id=user.pk)
    item, _created = CartItem.objects.update_or_create(user=user, sku=sku, defaults={"quantity": quantity})
    return item


def cart_remove(*, user: User, sku_ids: list[int]) -> int:
    cart_count_forget(user_id=user.pk)
    deleted, _ = CartItem.objects.filter(user=user, sku_id__in=sku_ids).delete()
    return deleted


# --- the anonymous visitor's session cart: {"<sku_id>": quantity} -------------------


def _session_cart(session: MutableMapping[str, Any]) -> dict[str, int]:
    cart = session.get(SESSION_KEY)
    return dict(cart) if isinstance(cart, dict) else {}


def _save_session_cart(session: MutableMapping[str, Any], cart: dict[str, int]) -> None:
    session[SESSION_KEY] = cart  # reassigning marks the session modified


def session_cart_add(*, session: MutableMapping[str, Any], sku_id: int, quantity: int = 1) -> dict[str, int]:
    quantity = _quantity(quantity)
    sku = _buyable_sku(sku_id)
    cart = _session_cart(session)
    total = cart.get(str(sku.pk), 0) + quantity
    if total > settings.ORDERS_CART_MAX_QUANTITY:
        raise QuantityInvalid()
    _check_stock(sku, total)
    cart[str(sku.pk)] = total
    _save_session_cart(session, cart)
    return cart


def session_cart_set_quantity(
    *, session: MutableMapping[str, Any], sku_id: int, quantity: int
) -> dict[str, int]:
    quantity = _quantity(quantity)
    sku = _buyable_sku(sku_id)
    _check_stock(sku, quantity)
    cart = _session_cart(session)
    cart[str(sku.pk)] = quantity
    _save_session_cart(session, cart)
    return cart


def session_cart_remove(*, session: MutableMapping[str, Any], sku_ids: list[int]) -> dict[str, int]:
    cart = _session_cart(session)
    for sku_id in sku_ids:
        cart.pop(str(sku_id), None)
    _save_session_cart(session, cart)
    return cart


def _parse_session_lines(session_cart: dict) -> dict[int, int]:
    lines: dict[int, int] = {}
    for key, value in session_cart.items():
        try:
            sku_id, quantity = int(key), int(value)
        except (TypeError, ValueError):
            continue
        if quantity > 0:
            lines[sku_id] = lines.get(sku_id, 0) + quantity
    return lines


@transaction.atomic
def cart_merge(*, user: User, session_cart: dict) -> int:
    """Add the session lines to the member's cart; returns how many lines changed.

    Quantities add up, capped at the per-line limit and at the stock (a line whose SKU
    has no stock keeps its quantity and is flagged in the cart). Unknown SKUs are dropped.
    """
    lines = _parse_session_lines(session_cart)
    if not lines:
        return 0
    existing = {item.sku_id: item for item in cart_items_lock_for_user(user_id=user.pk)}
    stock = dict(SKU.objects.filter(pk__in=lines).values_list("pk", "stock"))
    merged = []
    for sku_id, quantity in lines.items():
        if sku_id not in stock:
            continue
        total = min(
            quantity + (existing[sku_id].quantity if sku_id in existing else 0),
            settings.ORDERS_CART_MAX_QUANTITY,
        )
        if stock[sku_id] > 0:
            total = min(total, max(stock[sku_id], existing[sku_id].quantity if sku_id in existing else 0))
        merged.append(CartItem(user=user, sku_id=sku_id, quantity=total))
    # An upsert: a line another request inserted since the lock was taken is updated, not doubled.
    cart_count_forget(user_id=user.pk)
    CartItem.objects.bulk_create(
        merged, update_conflicts=True, unique_fields=["user", "sku"], update_fields=["quantity"]
    )
    return len(merged)


def cart_merge_on_sign_in(*, request: HttpRequest, user: User) -> None:
    """``mall.hooks`` ``user_signed_in`` handler: move the session cart into the member's."""
    session = getattr(request, "session", None)
    if session is None:
        return
    session_cart = session.get(SESSION_KEY)
    if isinstance(session_cart, dict) and session_cart:
        cart_merge(user=user, session_cart=session_cart)
    session.pop(SESSION_KEY, None)
