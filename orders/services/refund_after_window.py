"""售后期外退款: staff refund units of an item after its after-sales window has closed.

For goodwill or a chargeback, when the shopper can no longer ask for after-sales. It is a
Refund of kind ``after_window`` with no after-sale: the row records who asked for it, when,
why, which item, how many units and how much (the audit record), and the order's timeline
gets an event. From there it is an ordinary refund: the gateway is asked, its signed
notice is applied by ``refund_confirm``, which calls ``item_refunded`` — and distribution
takes the item's commission back, from the wallet if it has settled (a balance below zero
is debt).

Guards: staff with ``orders.refund_after_window``; the item's window has closed; the units
are not refunded yet and the amount is at most what they paid (the same unit shares as
after-sales, ``refundable_amount``); one refund in flight per item (also a partial unique
index, ``refund_one_in_flight_per_item``).
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import F, QuerySet

from mall.models import User
from orders.errors import (
    AfterWindowRefundForbidden,
    AfterWindowRefundNotAllowed,
    OrderItemNotFound,
    ReasonRequired,
    RefundInFlight,
    RefundQuantityInvalid,
)
from orders.lock_objects import order_items_lock, order_lock
from orders.models import REFUND_IN_FLIGHT_STATES, Order, OrderEvent, OrderItem, OrderState, Payment, Refund
from orders.services.refund import next_refund_no, refund_submit
from orders.services.refund_amounts import refund_amount_parse, refundable_amount
from orders.services.transitions import event_add

PERMISSION = "orders.refund_after_window"
# Completed, or received with this item's window already closed (other items still open).
ORDER_STATES = (OrderState.RECEIVED, OrderState.COMPLETED)


def can_refund_after_window(user: User) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm(PERMISSION))


def after_window_refundable_items(*, order: Order) -> QuerySet[OrderItem]:
    """The items of ``order`` staff may refund some units of now (the form's choices)."""
    if order.state not in ORDER_STATES:
        return OrderItem.objects.none()
    return order.items.filter(window_closed_at__isnull=False, refunded_quantity__lt=F("quantity"))


def _check_quantity(item: OrderItem, quantity: object) -> int:
    if not isinstance(quantity, int) or isinstance(quantity, bool):
        raise RefundQuantityInvalid()
    if not 1 <= quantity <= item.remaining_quantity:
        raise RefundQuantityInvalid()
    return quantity


@transaction.atomic
def _create(
    *, order_item_id: int, quantity: int, reason: str, actor: User, amount: Decimal | str | None
) -> Refund:
    order_id = OrderItem.objects.filter(pk=order_item_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise OrderItemNotFound()
    order = order_lock(order_id=order_id)
    item = next(i for i in order_items_lock(order_id=order_id) if i.pk == order_item_id)
    item.order = order
    if item.window_closed_at is None or order.state not in ORDER_STATES:
        raise AfterWindowRefundNotAllowed()
    if Refund.objects.filter(order_item=item, state__in=REFUND_IN_FLIGHT_STATES).exists():
        raise RefundInFlight()
    quantity = _check_quantity(item, quantity)
    value = refund_amount_parse(amount, cap=refundable_amount(order_item=item, quantity=quantity))
    payment = Payment.objects.filter(order_id=order.pk).first()
    if payment is None:
        raise AfterWindowRefundNotAllowed()
    refund = Refund.objects.create(
        order=order,
        order_item=item,
        kind=Refund.Kind.AFTER_WINDOW,
        quantity=quantity,
        reason=reason[:200],
        requested_by=actor,
        refund_no=next_refund_no(order=order),
        provider=payment.provider,
        amount=value,
    )
    event_add(
        order_id=order.pk,
        kind=OrderEvent.Kind.AFTER_WINDOW_REFUND_REQUESTED,
        actor=actor,
        message=f"{refund.refund_no} {item.product_title} × {quantity} ¥{value}",
    )
    return refund


def refund_after_window_create(
    *,
    order_item_id: int,
    quantity: int,
    reason: str,
    actor: User,
    amount: Decimal | str | None = None,
) -> Refund:
    """Staff refund ``quantity`` units of an item whose after-sales window has closed.

    ``amount`` defaults to, and may not exceed, what those units paid. The refund is
    written (pending) and committed, then sent to the gateway; it counts once the gateway's
    notice (or the reconcile sweep's query) confirms it. Raises a domain error and changes
    nothing when a guard refuses.
    """
    if not can_refund_after_window(actor):
        raise AfterWindowRefundForbidden()
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    refund = _create(
        order_item_id=order_item_id, quantity=quantity, reason=reason, actor=actor, amount=amount
    )
    refund_submit(refund=refund)
    return refund
