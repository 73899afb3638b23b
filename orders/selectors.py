"""Reads for the shopper pages, the API and the admin. Each is a fixed number of queries."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from common.money import ZERO
from mall.models import SKU, Product, User
from orders.errors import AddressNotFound, AfterSaleNotFound, OrderNotFound, PhotoNotFound
from orders.labels import ORDER_TABS, TAB_STATES
from orders.models import (
    OPEN_AFTERSALE_STATES,
    Address,
    AfterSale,
    AfterSalePhoto,
    CartItem,
    Order,
    OrderEvent,
    OrderItem,
    OrderState,
    Review,
    ReviewPhoto,
    ShippingRule,
)
from orders.services.aftersale import REQUESTABLE_STATES
from orders.services.cart import CART_COUNT_KEY
from orders.services.refund_amounts import refundable_amount

# --- the order list tabs: 待付款 / 待发货 / 待收货 / 已完成 / 售后 (defined in labels) -----
TABS = tuple(ORDER_TABS)


def _with_items(qs: QuerySet[Order]) -> QuerySet[Order]:
    return qs.prefetch_related(Prefetch("items", queryset=OrderItem.objects.order_by("pk")))


def order_list_for_user(*, user: User, tab: str = "all") -> QuerySet[Order]:
    """The member's orders for one tab, newest first, items prefetched (2 queries)."""
    qs = Order.objects.filter(user=user)
    if tab in TAB_STATES:
        qs = qs.filter(state__in=TAB_STATES[tab])
    elif tab == "aftersales":
        qs = qs.filter(Exists(AfterSale.objects.filter(order=OuterRef("pk"))))
    elif tab != "all":
        raise OrderNotFound()
    return _with_items(qs).order_by("-created_at", "-pk")


def order_tab_counts(*, user: User) -> dict[str, int]:
    """How many orders each tab holds (the badges), in one query."""
    aggregates = {tab: Count("pk", filter=Q(state__in=states)) for tab, states in TAB_STATES.items()}
    aggregates["aftersales"] = Count(
        "pk",
        filter=Q(Exists(AfterSale.objects.filter(order=OuterRef("pk"), state__in=OPEN_AFTERSALE_STATES))),
    )
    return Order.objects.filter(user=user).aggregate(**aggregates)


def order_get_for_user(*, user: User, order_id: int) -> Order:
    """A member's own order; someone else's id is simply not found (404)."""
    order = Order.objects.filter(pk=order_id, user=user).first()
    if order is None:
        raise OrderNotFound()
    return order


def order_cards_for_user(*, user: User, tab: str = "all") -> QuerySet[Order]:
    """``order_list_for_user`` plus what an order card shows: the shop, each item's product
    images and the after-sales (3 extra queries per page, whatever its size)."""
    return (
        order_list_for_user(user=user, tab=tab)
        .select_related("shop")
        .prefetch_related(
            "items__product__images",
            Prefetch(
                "aftersales",
                queryset=AfterSale.objects.select_related("order_item").order_by("-created_at", "-pk"),
            ),
        )
    )


def _detail_qs(user: User) -> QuerySet[Order]:
    return (
        _with_items(Order.objects.filter(user=user))
        .select_related("shop", "payment")
        .prefetch_related(
            "items__product__images",
            Prefetch(
                "events",
                queryset=OrderEvent.objects.exclude(kind__in=OrderEvent.STAFF_ONLY_KINDS)
                .select_related("actor")
                .order_by("created_at", "pk"),
            ),
            Prefetch("aftersales", queryset=AfterSale.objects.order_by("-created_at", "-pk")),
            "refunds",
        )
    )


def order_detail_for_user(*, user: User, order_id: int) -> Order:
    """The order with items, timeline (events, with their actor; not the staff-only ones),
    after-sales, payment and refunds."""
    order = _detail_qs(user).filter(pk=order_id).first()
    if order is None:
        raise OrderNotFound()
    return order


def order_detail_for_user_by_number(*, user: User, number: str) -> Order:
    """As ``order_detail_for_user``, by the order number that pages and the API put in URLs.
    Another member's number is simply not found (404)."""
    order = _detail_qs(user).filter(number=number).first()
    if order is None:
        raise OrderNotFound()
    return order


def order_timeline(*, order: Order) -> list[OrderEvent]:
    """The shopper's timeline: staff-only events (refund anomalies) left out."""
    return list(
        order.events.exclude(kind__in=OrderEvent.STAFF_ONLY_KINDS)
        .select_related("actor")
        .order_by("created_at", "pk")
    )


@dataclass(frozen=True)
class AfterSaleOption:
    """What the shopper may still ask for on one item (for the after-sales form)."""

    order_item: OrderItem
    max_quantity: int
    max_amount: Decimal
    kinds: tuple[str, ...]
    has_open: bool


def aftersale_options(*, user: User, order_id: int) -> list[AfterSaleOption]:
    return aftersale_options_for_order(order=order_detail_for_user(user=user, order_id=order_id))


def aftersale_options_for_order(*, order: Order) -> list[AfterSaleOption]:
    """The options of an order read by ``order_detail_for_user*`` (no further query)."""
    open_items = {a.order_item_id for a in order.aftersales.all() if a.is_open}
    now = timezone.now()
    options = []
    for item in order.items.all():
        remaining = item.remaining_quantity
        window_open = item.window_closed_at is None and (
            item.window_closes_at is None or item.window_closes_at > now
        )
        allowed = order.state in REQUESTABLE_STATES and window_open and remaining > 0
        kinds = (
            (("refund_only",) if order.state == OrderState.PAID else ("refund_only", "return_and_refund"))
            if allowed
            else ()
        )
        options.append(
            AfterSaleOption(
                order_item=item,
                max_quantity=remaining if allowed else 0,
                max_amount=refundable_amount(order_item=item, quantity=remaining) if remaining else ZERO,
                kinds=kinds,
                has_open=item.pk in open_items,
            )
        )
    return options


def aftersale_list_for_user(*, user: User) -> QuerySet[AfterSale]:
    return (
        AfterSale.objects.filter(user=user)
        .select_related("order", "order_item")
        .prefetch_related("refunds", "photos")
        .order_by("-created_at", "-pk")
    )


def aftersale_get_for_user(*, user: User, aftersale_id: int) -> AfterSale:
    aftersale = (
        AfterSale.objects.filter(pk=aftersale_id, user=user)
        .select_related("order", "order_item")
        .prefetch_related("refunds", "photos")
        .first()
    )
    if aftersale is None:
        raise AfterSaleNotFound()
    return aftersale


def aftersale_photo_get(*, user: User, aftersale_id: int, photo_id: int) -> AfterSalePhoto:
    """A photo for its owner, or for staff who may review after-sales; anyone else: not found (I7)."""
    photos = AfterSalePhoto.objects.filter(pk=photo_id, aftersale_id=aftersale_id)
    may_review = (
        user.is_active
        and user.is_staff
        and (user.has_perm("orders.view_aftersale") or user.has_perm("orders.change_aftersale"))
    )
    if not may_review:
        photos = photos.filter(aftersale__user=user)
    photo = photos.first()
    if photo is None:
        raise PhotoNotFound()
    return photo


# --- addresses ---------------------------------------------------------------------


def address_list(*, user: User) -> QuerySet[Address]:
    return Address.objects.filter(user=user).order_by("-is_default", "-updated_at", "-pk")


def address_get_for_user(*, user: User, address_id: int) -> Address:
    address = Address.objects.filter(pk=address_id, user=user).first()
    if address is None:
        raise AddressNotFound()
    return address


def address_default(*, user: User) -> Address | None:
    return Address.objects.filter(user=user, is_default=True).first()


# --- cart --------------------------------------------------------------------------


@dataclass(frozen=True)
class CartLine:
    sku: SKU
    quantity: int
    problem: str  # "" | "off_shelf" | "insufficient_stock"

    @property
    def line_amount(self) -> Decimal:
        return self.sku.price * self.quantity

    @property
    def can_buy(self) -> bool:
        return not self.problem


def _cart_line(sku: SKU, quantity: int) -> CartLine:
    if not sku.is_active or sku.product.status != Product.Status.ON_SHELF:
        problem = "off_shelf"
    elif quantity > sku.stock:
        problem = "insufficient_stock"
    else:
        problem = ""
    return CartLine(sku=sku, quantity=quantity, problem=problem)


def cart_lines_for_user(*, user: User) -> list[CartLine]:
    """The member's cart, newest first, each line flagged if it cannot be bought now (2 queries)."""
    items = (
        CartItem.objects.filter(user=user)
        .select_related("sku__product")
        .prefetch_related("sku__product__images")
        .order_by("-added_at", "-pk")
    )
    return [_cart_line(item.sku, item.quantity) for item in items]


def cart_lines_for_session(*, session: Mapping[str, Any]) -> list[CartLine]:
    raw = session.get("cart") or {}
    quantities: dict[int, int] = {}
    for key, value in raw.items():
        if str(key).isdigit() and isinstance(value, int) and value > 0:
            quantities[int(key)] = value
    skus = (
        SKU.objects.select_related("product")
        .prefetch_related("product__images")
        .filter(pk__in=quantities)
        .order_by("pk")
    )
    return [_cart_line(sku, quantities[sku.pk]) for sku in skus]


def cart_count_for_user(*, user: User) -> int:
    return CartItem.objects.filter(user=user).count()


def cart_count(*, user: User | None, session: Mapping[str, Any]) -> int:
    """Units in the cart, for the tab bar's badge: from the cache (one query when the member's
    cart changed since), none for a visitor.

    Lines that went off shelf still count: they are in the cart until the shopper removes them.
    """
    if user is not None and user.is_authenticated:
        key = CART_COUNT_KEY.format(user.pk)
        cached = cache.get(key)
        if cached is None:  # cached until the member's cart changes (orders.services.cart)
            cached = int(CartItem.objects.filter(user=user).aggregate(n=Sum("quantity"))["n"] or 0)
            cache.set(key, cached, timeout=3600)
        return cached
    raw = session.get("cart") or {}
    return sum(v for k, v in raw.items() if str(k).isdigit() and isinstance(v, int) and v > 0)


def cart_summary(*, lines: list[CartLine]) -> dict[str, Decimal]:
    """Subtotal and shipping of the buyable lines (the cart page footer)."""
    subtotal = sum((line.line_amount for line in lines if line.can_buy), ZERO)
    shipping = ShippingRule.get_solo().fee_for(subtotal) if subtotal else ZERO
    return {"subtotal": subtotal, "shipping_fee": shipping, "total": subtotal + shipping}


# --- product reviews (口碑) ----------------------------------------------------------


@dataclass(frozen=True)
class ReviewSummary:
    count: int
    average: Decimal | None  # one decimal place, e.g. 4.7; None without reviews


def product_review_summary(*, product_id: int) -> ReviewSummary:
    """Count and average rating of the product's visible reviews (one query)."""
    row = Review.objects.filter(product_id=product_id, is_hidden=False).aggregate(
        n=Count("pk"), total=Sum("rating")
    )
    count, total = row["n"] or 0, row["total"] or 0
    if not count:
        return ReviewSummary(count=0, average=None)
    average = (Decimal(total) / Decimal(count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return ReviewSummary(count=count, average=average)


def product_reviews(*, product_id: int) -> QuerySet[Review]:
    """The product's visible reviews, newest first, with their author and photos (2 queries
    per slice). Hidden reviews are never in it."""
    return (
        Review.objects.filter(product_id=product_id, is_hidden=False)
        .select_related("user", "order_item")
        .prefetch_related("photos")
        .order_by("-created_at", "-pk")
    )


def reviewed_item_ids(*, order: Order) -> set[int]:
    """Which items of the order the buyer has reviewed (one query)."""
    return set(Review.objects.filter(order_item__order=order).values_list("order_item_id", flat=True))


def review_photo_get(*, user: User, photo_id: int) -> ReviewPhoto:
    """A review photo: anyone may see those of a visible review; a hidden review's only its
    author and staff who may moderate reviews. Anyone else: not found."""
    photo = ReviewPhoto.objects.select_related("review").filter(pk=photo_id).first()
    if photo is None:
        raise PhotoNotFound()
    if photo.review.is_hidden:
        is_author = user.is_authenticated and photo.review.user_id == user.pk
        is_moderator = user.is_active and user.is_staff and user.has_perm("orders.change_review")
        if not (is_author or is_moderator):
            raise PhotoNotFound()
    return photo
