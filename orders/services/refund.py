"""Refunds through the gateway, for approved after-sales.

``aftersale_refund`` writes a pending Refund under the locks and commits; then the
gateway is asked (a network call, outside the transaction; idempotent per refund_no).
The refund counts only when the gateway confirms it, by a signed notice or a query:
``refund_confirm`` then, in ONE transaction, marks it succeeded (guarded), adds the
amount to the item, closes the after-sale and calls ``item_refunded``.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from common.fields import money_value
from common.money import from_fen, to_fen
from mall.models import User
from mall.services.catalog import sku_release_stock
from orders.errors import AfterSaleNotAllowed, AfterSaleTransitionInvalid, RefundExceedsPaid
from orders.hooks import hooks
from orders.lock_objects import order_items_lock, refund_lock
from orders.models import (
    AfterSale,
    AfterSaleKind,
    AfterSaleState,
    OrderEvent,
    OrderItem,
    OrderState,
    Payment,
    Refund,
    RefundState,
)
from orders.payments import get_gateway, notify_url
from orders.payments.base import GatewayUnavailable, RefundStatus
from orders.services.aftersale import _lock_chain, refundable_amount
from orders.services.payment import _reject
from orders.services.transitions import aftersale_transition, event_add, order_transition

logger = logging.getLogger(__name__)


def _refund_ready_state(aftersale: AfterSale) -> str:
    return (
        AfterSaleState.APPROVED
        if aftersale.kind == AfterSaleKind.REFUND_ONLY
        else AfterSaleState.RECEIVED_BACK
    )


@transaction.atomic
def _refund_create(*, aftersale: AfterSale, actor: User | None) -> Refund:
    locked = _lock_chain(aftersale.pk)
    if locked.state != _refund_ready_state(locked):
        raise AfterSaleTransitionInvalid.between(locked.state, AfterSaleState.REFUNDED)
    if locked.refunds.filter(state__in=[RefundState.PENDING, RefundState.SUCCEEDED]).exists():
        raise AfterSaleNotAllowed()
    payment = Payment.objects.filter(order_id=locked.order_id).first()
    if payment is None:
        raise AfterSaleNotAllowed()
    if locked.amount > refundable_amount(order_item=locked.order_item, quantity=locked.quantity):
        raise RefundExceedsPaid()
    sequence = Refund.objects.filter(order_id=locked.order_id).count() + 1
    refund = Refund.objects.create(
        order_id=locked.order_id,
        order_item=locked.order_item,
        aftersale=locked,
        refund_no=f"R{locked.order.number}{sequence:03d}",
        provider=payment.provider,
        amount=locked.amount,
    )
    event_add(
        order_id=locked.order_id,
        kind=OrderEvent.Kind.REFUND_REQUESTED,
        actor=actor,
        message=f"{refund.refund_no} ¥{refund.amount}",
    )
    return refund


def refund_submit(*, refund: Refund) -> bool:
    """Send a pending refund to the gateway. False if it could not be reached (a sweep retries)."""
    try:
        get_gateway(refund.provider).create_refund(
            out_trade_no=refund.order.number,
            out_refund_no=refund.refund_no,
            amount_fen=to_fen(refund.amount),
            notify_url=notify_url(refund.provider),
        )
    except GatewayUnavailable as exc:
        logger.warning("refund %s not submitted: %s", refund.refund_no, exc)
        return False
    return True


def aftersale_refund(*, aftersale: AfterSale, actor: User | None) -> Refund:
    """Staff trigger the refund of an approved (refund only) or received-back (return) after-sale."""
    refund = _refund_create(aftersale=aftersale, actor=actor)
    refund_submit(refund=refund)
    return refund


def _lock_for_refund(refund_no: str) -> tuple[Refund, AfterSale] | None:
    ids = Refund.objects.filter(refund_no=refund_no).values_list("pk", "aftersale_id").first()
    if ids is None:
        return None
    aftersale = _lock_chain(ids[1])
    return refund_lock(refund_id=ids[0]), aftersale


def _apply_success(*, refund: Refund, aftersale: AfterSale, status: RefundStatus) -> None:
    now = timezone.now()
    Refund.objects.filter(pk=refund.pk, state=RefundState.PENDING).update(
        state=RefundState.SUCCEEDED,
        provider_refund_id=status.refund_id,
        succeeded_at=status.success_time or now,
    )
    OrderItem.objects.filter(pk=aftersale.order_item_id).update(
        refunded_quantity=F("refunded_quantity") + aftersale.quantity,
        refunded_amount=F("refunded_amount") + money_value(refund.amount),
    )
    item = aftersale.order_item
    item.refresh_from_db(fields=["refunded_quantity", "refunded_amount"])
    aftersale_transition(
        aftersale=aftersale,
        to=AfterSaleState.REFUNDED,
        event_kind=OrderEvent.Kind.REFUNDED,
        message=f"{item.product_title} × {aftersale.quantity} ¥{refund.amount}",
    )
    order = aftersale.order
    if order.state == OrderState.PAID:  # never shipped: the units go back on sale
        sku_release_stock(sku_id=item.sku_id, quantity=aftersale.quantity)
    hooks.call("item_refunded", order_item=item, amount=refund.amount)
    items = order_items_lock(order_id=order.pk)  # already ours; re-read for the totals
    if all(i.refunded_quantity == i.quantity for i in items):
        order_transition(
            order=order,
            to=OrderState.CANCELLED,
            cancelled_at=now,
            message=_("Every item was refunded."),
            cancel_reason=str(_("Every item was refunded.")),
        )


def refund_confirm(*, provider: str, status: RefundStatus) -> Refund:
    """Apply the gateway's verdict on a refund, exactly once (duplicates return early)."""
    if status.mchid != get_gateway(provider).merchant_id:
        raise _reject("wrong_merchant", _("The notice is for another merchant."), mchid=status.mchid)
    with transaction.atomic():
        locked = _lock_for_refund(status.out_refund_no)
        if locked is None:
            raise _reject("unknown_refund", _("No such refund."), out_refund_no=status.out_refund_no)
        refund, aftersale = locked
        if refund.state != RefundState.PENDING or refund.provider != provider:
            return refund  # already applied
        if status.status == "SUCCESS":
            if status.amount_fen != to_fen(refund.amount):
                raise _reject(
                    "amount_mismatch",
                    _("The amount does not match the refund."),
                    refund=refund.refund_no,
                    amount=str(from_fen(status.amount_fen)),
                )
            _apply_success(refund=refund, aftersale=aftersale, status=status)
        elif status.status in ("ABNORMAL", "CLOSED"):
            Refund.objects.filter(pk=refund.pk, state=RefundState.PENDING).update(
                state=RefundState.FAILED, failure_reason=status.status
            )
            event_add(order_id=refund.order_id, kind=OrderEvent.Kind.REFUND_FAILED, message=refund.refund_no)
        refund.refresh_from_db()
        return refund


def refunds_reconcile(*, now: datetime | None = None, limit: int = 200) -> int:
    """Sweep: for refunds still pending a while after they were made, ask the gateway;
    re-submit the ones it never got, apply the ones it finished. Returns how many changed."""
    cutoff = (now or timezone.now()) - settings.PAYMENT_QUERY_AFTER
    changed = 0
    for refund in (
        Refund.objects.select_related("order")
        .filter(state=RefundState.PENDING, created_at__lte=cutoff)
        .order_by("created_at")[:limit]
    ):
        try:
            status = get_gateway(refund.provider).query_refund(
                out_trade_no=refund.order.number, out_refund_no=refund.refund_no
            )
            if status.status == "NOT_FOUND":
                refund_submit(refund=refund)
            elif status.status in ("SUCCESS", "ABNORMAL", "CLOSED"):
                refund_confirm(provider=refund.provider, status=status)
                changed += 1
        except Exception:
            logger.exception("refund %s: reconcile failed", refund.refund_no)
    return changed
