"""Every row lock the orders app takes. Always lock order → items → after-sale → refund,
in that order, so two transactions never wait for each other in a cycle."""

from django.db.models import QuerySet

from common.db import LockNamespace, ModelSelect, advisory_xact_lock
from orders.errors import AfterSaleNotFound
from orders.models import Address, AfterSale, CartItem, Order, OrderItem, Refund, ReturnAddress


def order_qs_for_update() -> QuerySet[Order]:
    return Order.objects.select_for_update(of=("self",)).order_by("pk")


def order_lock(*, order_id: int) -> Order | None:
    return order_qs_for_update().filter(pk=order_id).first()


_ORDER_ROWS = ModelSelect(Order)  # payment notices lock by number: the hottest lock of the shop


def order_lock_by_number(*, number: str) -> Order | None:
    rows = _ORDER_ROWS.fetch("t0.number = %s", [number], for_update=True)
    return rows[0] if rows else None


def order_items_lock(*, order_id: int) -> list[OrderItem]:
    return list(OrderItem.objects.select_for_update(of=("self",)).filter(order_id=order_id).order_by("pk"))


def aftersale_lock(*, aftersale_id: int) -> AfterSale | None:
    return AfterSale.objects.select_for_update(of=("self",)).filter(pk=aftersale_id).order_by("pk").first()


def refund_lock(*, refund_id: int) -> Refund | None:
    return Refund.objects.select_for_update(of=("self",)).filter(pk=refund_id).order_by("pk").first()


def aftersale_lock_with_order(*, aftersale_id: int) -> AfterSale:
    """Lock an after-sale together with its order and items, in the house order; the returned
    after-sale carries the locked order and item. ``AfterSaleNotFound`` if there is none."""
    order_id = AfterSale.objects.filter(pk=aftersale_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise AfterSaleNotFound()
    order = order_lock(order_id=order_id)
    items = {item.pk: item for item in order_items_lock(order_id=order_id)}
    aftersale = aftersale_lock(aftersale_id=aftersale_id)
    aftersale.order = order
    aftersale.order_item = items[aftersale.order_item_id]
    return aftersale


def refund_lock_with_order(*, refund_id: int) -> tuple[Refund, AfterSale | None]:
    """Lock a refund with its order, items and after-sale (if any), in the house order; the
    returned rows carry the locked order and item. ``Refund.DoesNotExist`` if there is none."""
    ids = Refund.objects.filter(pk=refund_id).values_list("order_id", "aftersale_id").first()
    if ids is None:
        raise Refund.DoesNotExist
    order = order_lock(order_id=ids[0])
    items = {item.pk: item for item in order_items_lock(order_id=order.pk)}
    aftersale = aftersale_lock(aftersale_id=ids[1]) if ids[1] is not None else None
    refund = refund_lock(refund_id=refund_id)
    refund.order, refund.order_item = order, items[refund.order_item_id]
    if aftersale is not None:
        aftersale.order, aftersale.order_item = order, refund.order_item
    return refund, aftersale


def addresses_lock_for_user(*, user_id: int) -> list[Address]:
    return list(Address.objects.select_for_update(of=("self",)).filter(user_id=user_id).order_by("pk"))


def return_address_default_lock() -> ReturnAddress | None:
    """Serialize every change of the platform default return address, then lock and return it.

    A row lock alone is not enough: a second mover waiting on the old default's row would
    find it no longer the default and see no default at all; nor is there a row to lock
    before the first address exists. The advisory lock is taken first, so the query that
    follows sees what the previous holder committed.
    """
    advisory_xact_lock(0, namespace=LockNamespace.RETURN_ADDRESS_DEFAULT)
    return (
        ReturnAddress.objects.select_for_update(of=("self",))
        .filter(is_platform_default=True)
        .order_by("pk")
        .first()
    )


def return_address_lock(*, address_id: int) -> ReturnAddress | None:
    """Taken after ``return_address_default_lock`` when both are needed."""
    return ReturnAddress.objects.select_for_update(of=("self",)).filter(pk=address_id).order_by("pk").first()


def cart_items_lock_for_user(*, user_id: int) -> list[CartItem]:
    return list(CartItem.objects.select_for_update(of=("self",)).filter(user_id=user_id).order_by("pk"))

