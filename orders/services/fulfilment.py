"""Order life after checkout: cancel, ship, receive, close after-sales windows, complete.

Every sweep selects its work from the database and handles each order in its own short
transaction under the order's row lock, re-checking the condition after the lock: two
sweeps running at once (or a sweep racing a shopper) move each order exactly once.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import DomainError
from mall.models import User
from mall.services.catalog import sku_release_stock
from orders.errors import OrderTransitionInvalid, PaymentGatewayError, TrackingRequired
from orders.hooks import hooks
from orders.lock_objects import order_items_lock, order_lock
from orders.models import (
    OPEN_AFTERSALE_STATES,
    AfterSale,
    Order,
    OrderEvent,
    OrderItem,
    OrderState,
    ShippingRule,
)
from orders.payments.base import GatewayUnavailable
from orders.services.transitions import event_add, order_transition

logger = logging.getLogger(__name__)
SWEEP_BATCH = 500


def _locked(order_id: int) -> Order:
    order = order_lock(order_id=order_id)
    if order is None:
        raise Order.DoesNotExist
    return order


# --- cancel -------------------------------------------------------------------------


def _cancel_locked(*, order: Order, actor: User | None, reason: str) -> Order:
    order_transition(
        order=order,
        to=OrderState.CANCELLED,
        actor=actor,
        message=reason,
        cancelled_at=timezone.now(),
        cancel_reason=reason[:200],
    )
    # The state guard above made this transaction the only one that cancels: stock goes back once.
    for item in order_items_lock(order_id=order.pk):
        sku_release_stock(sku_id=item.sku_id, quantity=item.quantity)
    hooks.call("order_cancelled", order=order)  # e.g. its coupon goes back, once with the cancel
    return order


def _paid_at_gateway(order: Order) -> bool:
    """Close the locked order's trade at the gateway; True if it was paid first (then the
    payment is recorded, in this transaction, instead of cancelling).

    Done under the order's row lock, which ``payment_start`` and ``payment_confirm`` take
    too: a shopper paying at the last second never ends with a paid trade and a cancelled
    order. The lock is held for one gateway call; the price of that certainty.
    """
    if not order.payment_provider:
        return False
    from orders.payments.registry import get_gateway
    from orders.services.payment import payment_confirm_from_status

    status = get_gateway(order.payment_provider).close_payment(out_trade_no=order.number)
    if status.is_paid:
        payment_confirm_from_status(provider=order.payment_provider, status=status)
        return True
    return False


def order_cancel(*, order: Order, actor: User | None, reason: str = "") -> Order:
    """Cancel an unpaid order (the shopper or staff) and give its stock back."""
    with transaction.atomic():
        locked = _locked(order.pk)
        if locked.state != OrderState.PENDING_PAYMENT:
            raise OrderTransitionInvalid.between(locked.state, OrderState.CANCELLED)
        try:
            paid = _paid_at_gateway(locked)
        except GatewayUnavailable as exc:
            raise PaymentGatewayError() from exc
        if not paid:
            return _cancel_locked(order=locked, actor=actor, reason=reason or _("Cancelled by the shopper."))
    # Committed the payment we found; the shopper is told the order is paid.
    raise OrderTransitionInvalid.between(OrderState.PAID, OrderState.CANCELLED)


def _cancel_if_expired(order_id: int, now: datetime) -> bool:
    with transaction.atomic():
        locked = _locked(order_id)
        if locked.state != OrderState.PENDING_PAYMENT or locked.payment_deadline > now:
            return False  # another sweep, the shopper or a payment got there first
        if _paid_at_gateway(locked):
            return False
        _cancel_locked(order=locked, actor=None, reason=_("Not paid in time."))
        return True


def orders_cancel_expired(*, now: datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """Sweep: cancel orders still unpaid after their deadline. Returns how many it cancelled."""
    now = now or timezone.now()
    ids = list(
        Order.objects.filter(state=OrderState.PENDING_PAYMENT, payment_deadline__lte=now)
        .order_by("payment_deadline")
        .values_list("pk", flat=True)[:limit]
    )
    cancelled = 0
    for order_id in ids:
        try:
            cancelled += _cancel_if_expired(order_id, now)
        except GatewayUnavailable:
            logger.warning("order %s: gateway unreachable, cancel postponed", order_id)
        except DomainError as exc:  # paid at the gateway but not recordable: staff must look
            logger.error("order %s: paid at the gateway but not recordable: %s", order_id, exc)
    return cancelled


# --- ship and receive ---------------------------------------------------------------


@transaction.atomic
def order_ship(*, order: Order, actor: User | None, carrier: str, tracking_no: str) -> Order:
    carrier, tracking_no = (carrier or "").strip(), (tracking_no or "").strip()
    if not carrier or not tracking_no or len(carrier) > 40 or len(tracking_no) > 40:
        raise TrackingRequired()
    locked = _locked(order.pk)
    return order_transition(
        order=locked,
        to=OrderState.SHIPPED,
        actor=actor,
        message=f"{carrier} {tracking_no}",
        carrier=carrier,
        tracking_no=tracking_no,
        shipped_at=timezone.now(),
    )


def _receive_locked(*, order: Order, actor: User | None, message: str) -> Order:
    now = timezone.now()
    order_transition(order=order, to=OrderState.RECEIVED, actor=actor, message=message, received_at=now)
    window = timedelta(days=ShippingRule.get_solo().aftersale_window_days)  # staff edit it in the admin
    OrderItem.objects.filter(order_id=order.pk, window_closes_at__isnull=True).update(
        window_closes_at=now + window
    )
    return order


@transaction.atomic
def order_confirm_receipt(*, order: Order, actor: User | None) -> Order:
    """The shopper confirms receipt; each item's after-sales window starts now."""
    return _receive_locked(order=_locked(order.pk), actor=actor, message="")


def orders_auto_receive(*, now: datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """Sweep: confirm receipt of orders shipped ``ORDERS_AUTO_RECEIVE_AFTER`` ago."""
    cutoff = (now or timezone.now()) - settings.ORDERS_AUTO_RECEIVE_AFTER
    ids = list(
        Order.objects.filter(state=OrderState.SHIPPED, shipped_at__lte=cutoff)
        .order_by("shipped_at")
        .values_list("pk", flat=True)[:limit]
    )
    received = 0
    for order_id in ids:
        with transaction.atomic():
            locked = _locked(order_id)
            if locked.state != OrderState.SHIPPED or locked.shipped_at > cutoff:
                continue
            _receive_locked(order=locked, actor=None, message=_("Confirmed automatically."))
            received += 1
    return received


# --- after-sales windows and completion ---------------------------------------------


def _close_windows_locked(*, order: Order, now: datetime) -> int:
    items = order_items_lock(order_id=order.pk)
    held_open = set(
        AfterSale.objects.filter(order_id=order.pk, state__in=OPEN_AFTERSALE_STATES).values_list(
            "order_item_id", flat=True
        )
    )
    closed = 0
    for item in items:
        if (
            item.window_closed_at is not None
            or item.window_closes_at is None
            or item.window_closes_at > now
            or item.pk in held_open
        ):
            continue
        if OrderItem.objects.filter(pk=item.pk, window_closed_at__isnull=True).update(window_closed_at=now):
            item.window_closed_at = now
            event_add(order_id=order.pk, kind=OrderEvent.Kind.ITEM_WINDOW_CLOSED, message=str(item))
            closed += 1
    if all(item.window_closed_at is not None for item in items):
        order_transition(order=order, to=OrderState.COMPLETED, completed_at=now)
    return closed


def orders_close_windows(*, now: datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """Sweep: close the after-sales window of items whose period ended with nothing open
    (stamp ``window_closed_at``, once, with a timeline event), and complete orders whose items
    are all closed. Commission settlement is not called from here: distribution's own sweep
    polls ``window_closed_at`` (see ``orders/hooks.py``)."""
    now = now or timezone.now()
    open_aftersale = AfterSale.objects.filter(order_item=OuterRef("pk"), state__in=OPEN_AFTERSALE_STATES)
    order_ids = list(
        OrderItem.objects.filter(
            order__state=OrderState.RECEIVED,
            window_closed_at__isnull=True,
            window_closes_at__lte=now,
        )
        .exclude(Exists(open_aftersale))
        .order_by("order_id")
        .values_list("order_id", flat=True)
        .distinct()[:limit]
    )
    closed = 0
    for order_id in order_ids:
        with transaction.atomic():
            locked = _locked(order_id)
            if locked.state == OrderState.RECEIVED:
                closed += _close_windows_locked(order=locked, now=now)
    return closed
