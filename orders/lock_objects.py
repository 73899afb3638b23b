"""Every row lock the orders app takes. Always lock order → items → after-sale → refund,
in that order, so two transactions never wait for each other in a cycle."""

from django.db.models import QuerySet

from common.db import LockNamespace, advisory_xact_lock
from orders.models import Address, AfterSale, CartItem, Order, OrderItem, Refund, ReturnAddress


def order_qs_for_update() -> QuerySet[Order]:
    return Order.objects.select_for_update(of=("self",)).order_by("pk")


def order_lock(*, order_id: int) -> Order | None:
    return order_qs_for_update().filter(pk=order_id).first()


def order_lock_by_number(*, number: str) -> Order | None:
    return order_qs_for_update().filter(number=number).first()


def order_items_lock(*, order_id: int) -> list[OrderItem]:
    return list(OrderItem.objects.select_for_update(of=("self",)).filter(order_id=order_id).order_by("pk"))


def aftersale_lock(*, aftersale_id: int) -> AfterSale | None:
    return AfterSale.objects.select_for_update(of=("self",)).filter(pk=aftersale_id).order_by("pk").first()


def refund_lock(*, refund_id: int) -> Refund | None:
    return Refund.objects.select_for_update(of=("self",)).filter(pk=refund_id).order_by("pk").first()


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

