"""Guarded state transitions and the timeline rows they write.

The caller holds the row lock (``lock_objects``); the UPDATE also carries
``WHERE state = <from>`` and its row count is checked, so a stale object can never
move a row that another transaction already moved.
"""

from typing import Any

from common.db import ModelInsert, update_rows
from mall.models import User
from orders.errors import AfterSaleTransitionInvalid, OrderTransitionInvalid
from orders.models import (
    AFTERSALE_TRANSITIONS,
    ORDER_TRANSITIONS,
    AfterSale,
    AfterSaleKind,
    AfterSaleState,
    Order,
    OrderEvent,
)

_EVENT_INSERT = ModelInsert(OrderEvent)  # every order's every step writes one


def event_add(*, order_id: int, kind: str, message: str = "", actor: User | None = None) -> OrderEvent:
    return _EVENT_INSERT.save(OrderEvent(
        order_id=order_id,
        kind=kind,
        message=message[:300],
        actor=actor if actor is not None and actor.pk else None,
    ))


def order_transition(
    *,
    order: Order,
    to: str,
    actor: User | None = None,
    message: str = "",
    event_kind: str | None = None,
    **fields: Any,
) -> Order:
    """Move a locked ``order`` to ``to`` and record the event; raise if the move is illegal."""
    current = order.state
    if to not in ORDER_TRANSITIONS[current]:
        raise OrderTransitionInvalid.between(current, to)
    if update_rows(Order, where={"id": order.pk, "state": current}, values={"state": to, **fields}) != 1:
        raise OrderTransitionInvalid.between(current, to)
    order.state = to
    for name, value in fields.items():
        setattr(order, name, value)
    event_add(order_id=order.pk, kind=event_kind or to, message=message, actor=actor)
    return order


def _aftersale_move_allowed(aftersale: AfterSale, to: str) -> bool:
    if to not in AFTERSALE_TRANSITIONS[aftersale.state]:
        return False
    if aftersale.state == AfterSaleState.APPROVED:
        # refund_only goes straight to refunded; return_and_refund waits for the goods.
        if to == AfterSaleState.REFUNDED:
            return aftersale.kind == AfterSaleKind.REFUND_ONLY
        if to == AfterSaleState.BUYER_SHIPPED:
            return aftersale.kind == AfterSaleKind.RETURN_AND_REFUND
    return True


def aftersale_transition(
    *,
    aftersale: AfterSale,
    to: str,
    event_kind: str,
    actor: User | None = None,
    message: str = "",
    **fields: Any,
) -> AfterSale:
    """Move a locked after-sale; the order's timeline gets the event."""
    current = aftersale.state
    if not _aftersale_move_allowed(aftersale, to):
        raise AfterSaleTransitionInvalid.between(current, to)
    if AfterSale.objects.filter(pk=aftersale.pk, state=current).update(state=to, **fields) != 1:
        raise AfterSaleTransitionInvalid.between(current, to)
    aftersale.state = to
    for name, value in fields.items():
        setattr(aftersale, name, value)
    event_add(order_id=aftersale.order_id, kind=event_kind, message=message, actor=actor)
    return aftersale
