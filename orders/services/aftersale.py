"""After-sales (售后) per order item: request (with photos), review, return of goods.

Locks run order → items → after-sale. Holding the order's lock also keeps the window
sweep from closing the item's window while a request is being made.
"""

from collections.abc import Sequence
from decimal import Decimal
from typing import IO

from django.db import transaction
from django.utils import timezone

from mall.models import User
from orders.errors import (
    AfterSaleAlreadyOpen,
    AfterSaleNotAllowed,
    AfterSaleNotFound,
    AfterSaleQuantityInvalid,
    AfterSaleWindowClosed,
    ReasonRequired,
    ReturnAddressMissing,
    TrackingRequired,
)
from orders.lock_objects import aftersale_lock_with_order, order_items_lock, order_lock
from orders.models import (
    OPEN_AFTERSALE_STATES,
    REFUND_IN_FLIGHT_STATES,
    AfterSale,
    AfterSaleKind,
    AfterSaleState,
    OrderEvent,
    OrderItem,
    OrderState,
)
from orders.services.evidence import aftersale_photos_attach, aftersale_photos_clean, photo_files_delete
from orders.services.refund_amounts import refund_amount_parse, refundable_amount
from orders.services.returns import return_address_for_item, return_address_snapshot
from orders.services.transitions import aftersale_transition, event_add

REQUESTABLE_STATES = (OrderState.PAID, OrderState.SHIPPED, OrderState.RECEIVED)


def _check_requestable(order_item: OrderItem, kind: str) -> None:
    order = order_item.order
    if order.state == OrderState.COMPLETED:
        raise AfterSaleWindowClosed()
    if order.state not in REQUESTABLE_STATES:
        raise AfterSaleNotAllowed()
    if kind == AfterSaleKind.RETURN_AND_REFUND and order.state == OrderState.PAID:
        raise AfterSaleNotAllowed()  # nothing to send back before it was shipped
    if order.state == OrderState.RECEIVED and (
        order_item.window_closed_at is not None
        or (order_item.window_closes_at is not None and order_item.window_closes_at <= timezone.now())
    ):
        raise AfterSaleWindowClosed()


def aftersale_request(
    *,
    user: User,
    order_item_id: int,
    kind: str,
    quantity: int,
    reason: str,
    amount: Decimal | str | None = None,
    photos: Sequence[IO[bytes]] = (),
) -> AfterSale:
    """The shopper asks for a refund (or return and refund) of ``quantity`` units of one item,
    with up to 3 photos.

    The amount defaults to, and may not exceed, what those units paid. The photos are
    checked before any lock is taken; a refused request leaves no row and no file.
    """
    cleaned = aftersale_photos_clean(files=photos)
    written: list[str] = []
    try:
        with transaction.atomic():
            aftersale = _aftersale_create(
                user=user,
                order_item_id=order_item_id,
                kind=kind,
                quantity=quantity,
                reason=reason,
                amount=amount,
            )
            aftersale_photos_attach(aftersale=aftersale, photos=cleaned, written=written)
    except BaseException:
        photo_files_delete(written)
        raise
    return aftersale


def _aftersale_create(
    *, user: User, order_item_id: int, kind: str, quantity: int, reason: str, amount: Decimal | str | None
) -> AfterSale:
    if kind not in AfterSaleKind.values:
        raise AfterSaleNotAllowed()
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    order_id = (
        OrderItem.objects.filter(pk=order_item_id, order__user=user)
        .values_list("order_id", flat=True)
        .first()
    )
    if order_id is None:
        raise AfterSaleNotFound()
    order = order_lock(order_id=order_id)
    item = next(i for i in order_items_lock(order_id=order_id) if i.pk == order_item_id)
    item.order = order
    _check_requestable(item, kind)
    if AfterSale.objects.filter(order_item=item, state__in=OPEN_AFTERSALE_STATES).exists():
        raise AfterSaleAlreadyOpen()
    if not isinstance(quantity, int) or isinstance(quantity, bool):
        raise AfterSaleQuantityInvalid()
    value = refund_amount_parse(amount, cap=refundable_amount(order_item=item, quantity=quantity))
    aftersale = AfterSale.objects.create(
        order=order,
        order_item=item,
        user=user,
        kind=kind,
        quantity=quantity,
        amount=value,
        reason=reason[:200],
    )
    event_add(
        order_id=order.pk,
        kind=OrderEvent.Kind.AFTERSALE_REQUESTED,
        actor=user,
        message=f"{item.product_title} × {quantity}: {reason[:100]}",
    )
    return aftersale


@transaction.atomic
def aftersale_approve(*, aftersale: AfterSale, actor: User | None) -> AfterSale:
    """Staff accept the request. A return gets a copy of the address the goods go back to
    (the supplier's, else the platform default); without one it cannot be approved."""
    locked = aftersale_lock_with_order(aftersale_id=aftersale.pk)
    snapshot: dict[str, str] = {}
    if locked.kind == AfterSaleKind.RETURN_AND_REFUND and locked.state == AfterSaleState.REQUESTED:
        address = return_address_for_item(order_item=locked.order_item)
        if address is None:
            raise ReturnAddressMissing()
        snapshot = return_address_snapshot(address)
    return aftersale_transition(
        aftersale=locked,
        to=AfterSaleState.APPROVED,
        actor=actor,
        event_kind=OrderEvent.Kind.AFTERSALE_APPROVED,
        **snapshot,
    )


@transaction.atomic
def aftersale_reject(*, aftersale: AfterSale, actor: User | None, reason: str) -> AfterSale:
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    locked = aftersale_lock_with_order(aftersale_id=aftersale.pk)
    return aftersale_transition(
        aftersale=locked,
        to=AfterSaleState.REJECTED,
        actor=actor,
        event_kind=OrderEvent.Kind.AFTERSALE_REJECTED,
        message=reason[:200],
        reject_reason=reason[:200],
    )


@transaction.atomic
def aftersale_withdraw(*, aftersale: AfterSale, user: User) -> AfterSale:
    """The shopper withdraws a request that has not been refunded yet (and no refund is under
    way or stuck as a refund anomaly: the gateway may already have sent the money)."""
    locked = aftersale_lock_with_order(aftersale_id=aftersale.pk)
    if locked.user_id != user.pk:
        raise AfterSaleNotFound()
    if locked.refunds.filter(state__in=REFUND_IN_FLIGHT_STATES).exists():
        raise AfterSaleNotAllowed()
    return aftersale_transition(
        aftersale=locked,
        to=AfterSaleState.WITHDRAWN,
        actor=user,
        event_kind=OrderEvent.Kind.AFTERSALE_WITHDRAWN,
    )


@transaction.atomic
def aftersale_buyer_ship(*, aftersale: AfterSale, user: User, carrier: str, tracking_no: str) -> AfterSale:
    carrier, tracking_no = (carrier or "").strip(), (tracking_no or "").strip()
    if not carrier or not tracking_no or len(carrier) > 40 or len(tracking_no) > 40:
        raise TrackingRequired()
    locked = aftersale_lock_with_order(aftersale_id=aftersale.pk)
    if locked.user_id != user.pk:
        raise AfterSaleNotFound()
    return aftersale_transition(
        aftersale=locked,
        to=AfterSaleState.BUYER_SHIPPED,
        actor=user,
        event_kind=OrderEvent.Kind.AFTERSALE_BUYER_SHIPPED,
        message=f"{carrier} {tracking_no}",
        return_carrier=carrier,
        return_tracking_no=tracking_no,
    )


@transaction.atomic
def aftersale_confirm_received(*, aftersale: AfterSale, actor: User | None) -> AfterSale:
    locked = aftersale_lock_with_order(aftersale_id=aftersale.pk)
    return aftersale_transition(
        aftersale=locked,
        to=AfterSaleState.RECEIVED_BACK,
        actor=actor,
        event_kind=OrderEvent.Kind.AFTERSALE_RECEIVED_BACK,
    )
