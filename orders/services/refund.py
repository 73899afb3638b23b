"""Refunds through the gateway: for approved after-sales (``aftersale_refund``) and, after
the window, by staff (``services.refund_after_window``).

A pending Refund is written under the locks and committed; then the gateway is asked (a
network call, outside the transaction; idempotent per refund_no). The refund counts only
when the gateway confirms it, by a signed notice or a query: ``refund_confirm`` then, in ONE
transaction, marks it succeeded (guarded), adds the amount to the item, closes the
after-sale and calls ``item_refunded``.

退款异常 (``apply_failed``): if recording a success the gateway confirmed fails for a reason
a redelivered notice cannot fix (an integrity or domain error: inconsistent data, a hook
that refuses), that work is rolled back to a savepoint and the refund is marked
``apply_failed`` with the error, logged at ERROR, and the notice is acknowledged, so the
gateway stops redelivering instead of meeting a 500 forever. Staff fix the data and
retry (``refund_retry``), which asks the gateway again and applies the success at most once.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.db import DataError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from common.alerts import AlertKind, alert_raise
from common.errors import DomainError
from common.fields import money_value
from common.money import from_fen, to_fen
from mall.models import User
from mall.services.catalog import sku_release_stock
from orders.errors import (
    AfterSaleNotAllowed,
    AfterSaleTransitionInvalid,
    PaymentGatewayError,
    PaymentNoticeRejected,
    RefundExceedsPaid,
    RefundNotConfirmed,
    RefundRetryForbidden,
    RefundTransitionInvalid,
)
from orders.hooks import hooks
from orders.lock_objects import aftersale_lock_with_order, order_items_lock, refund_lock_with_order
from orders.models import (
    ORDER_TRANSITIONS,
    AfterSale,
    AfterSaleKind,
    AfterSaleState,
    Order,
    OrderEvent,
    OrderItem,
    OrderState,
    Payment,
    Refund,
    RefundState,
)
from orders.models.aftersale import REFUND_LIVE_STATES
from orders.payments.base import GatewayUnavailable, RefundStatus
from orders.payments.registry import get_gateway, notify_url
from orders.services.refund_amounts import refundable_amount
from orders.services.transitions import aftersale_transition, event_add, order_transition

logger = logging.getLogger(__name__)
RETRY_PERMISSION = "orders.retry_refund"
# Errors that applying a confirmed refund can meet and that a redelivered notice would only
# meet again: the refund becomes 退款异常 instead of failing the notice (500) forever.
APPLY_ERRORS = (IntegrityError, DataError, DomainError)


def _refund_ready_state(aftersale: AfterSale) -> str:
    return (
        AfterSaleState.APPROVED
        if aftersale.kind == AfterSaleKind.REFUND_ONLY
        else AfterSaleState.RECEIVED_BACK
    )


def next_refund_no(*, order: Order) -> str:
    """The order's next refund number; the caller holds the order's row lock."""
    sequence = Refund.objects.filter(order_id=order.pk).count() + 1
    return f"R{order.number}{sequence:03d}"


@transaction.atomic
def _refund_create(*, aftersale: AfterSale, actor: User | None) -> Refund:
    locked = aftersale_lock_with_order(aftersale_id=aftersale.pk)
    if locked.state != _refund_ready_state(locked):
        raise AfterSaleTransitionInvalid.between(locked.state, AfterSaleState.REFUNDED)
    if locked.refunds.filter(state__in=REFUND_LIVE_STATES).exists():
        raise AfterSaleNotAllowed()
    payment = Payment.objects.filter(order_id=locked.order_id).first()
    if payment is None:
        raise AfterSaleNotAllowed()
    if locked.amount > refundable_amount(order_item=locked.order_item, quantity=locked.quantity):
        raise RefundExceedsPaid()
    refund = Refund.objects.create(
        order_id=locked.order_id,
        order_item=locked.order_item,
        kind=Refund.Kind.AFTERSALE,
        aftersale=locked,
        quantity=locked.quantity,
        requested_by=actor if actor is not None and actor.pk else None,
        refund_no=next_refund_no(order=locked.order),
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


def _apply_success(*, refund: Refund, aftersale: AfterSale | None, status: RefundStatus) -> None:
    now = timezone.now()
    applied = Refund.objects.filter(
        pk=refund.pk, state__in=[RefundState.PENDING, RefundState.APPLY_FAILED]
    ).update(
        state=RefundState.SUCCEEDED,
        provider_refund_id=status.refund_id,
        succeeded_at=status.success_time or now,
        apply_error="",
    )
    if applied != 1:  # the locks make this impossible; never count a refund twice if they do not
        raise RefundTransitionInvalid()
    OrderItem.objects.filter(pk=refund.order_item_id).update(
        refunded_quantity=F("refunded_quantity") + refund.quantity,
        refunded_amount=F("refunded_amount") + money_value(refund.amount),
    )
    item = refund.order_item
    item.refresh_from_db(fields=["refunded_quantity", "refunded_amount"])
    message = f"{item.product_title} × {refund.quantity} ¥{refund.amount}"
    if aftersale is not None:
        aftersale_transition(
            aftersale=aftersale,
            to=AfterSaleState.REFUNDED,
            event_kind=OrderEvent.Kind.REFUNDED,
            message=message,
        )
    else:
        event_add(order_id=refund.order_id, kind=OrderEvent.Kind.REFUNDED, message=message)
    order = refund.order
    if order.state == OrderState.PAID:  # never shipped: the units go back on sale
        sku_release_stock(sku_id=item.sku_id, quantity=refund.quantity)
    hooks.call("item_refunded", order_item=item, refund_amount=refund.amount)
    items = order_items_lock(order_id=order.pk)  # already ours; re-read for the totals
    # A completed order stays completed when a refund after its window empties it.
    everything_refunded = all(i.refunded_quantity == i.quantity for i in items)
    if everything_refunded and OrderState.CANCELLED in ORDER_TRANSITIONS[order.state]:
        order_transition(
            order=order,
            to=OrderState.CANCELLED,
            cancelled_at=now,
            message=_("Every item was refunded."),
            cancel_reason=str(_("Every item was refunded.")),
        )


def _apply_or_mark_anomaly(*, refund: Refund, aftersale: AfterSale | None, status: RefundStatus) -> bool:
    """Apply a confirmed success in a savepoint; on an error that retrying the same notice
    cannot cure, keep nothing of it and mark the refund 退款异常. True when applied."""
    try:
        with transaction.atomic():
            _apply_success(refund=refund, aftersale=aftersale, status=status)
    except APPLY_ERRORS as exc:
        _mark_anomaly(refund=refund, error=f"{type(exc).__name__}: {exc}")
        return False
    return True


def _mark_anomaly(*, refund: Refund, error: str) -> None:
    Refund.objects.filter(pk=refund.pk, state__in=[RefundState.PENDING, RefundState.APPLY_FAILED]).update(
        state=RefundState.APPLY_FAILED, apply_error=error[:2000]
    )
    event_add(
        order_id=refund.order_id,
        kind=OrderEvent.Kind.REFUND_APPLY_FAILED,
        message=f"{refund.refund_no}: {error}",
    )
    alert_raise(
        kind=AlertKind.REFUND_ANOMALY,
        subject=f"refund anomaly: order {refund.order.number} refund {refund.refund_no} (id {refund.pk})"
        " confirmed by the gateway but not applied",
        details=error,
    )


def _check_amount(*, refund: Refund, status: RefundStatus) -> None:
    if status.amount_fen != to_fen(refund.amount):
        raise PaymentNoticeRejected.because(
            "amount_mismatch",
            _("The amount does not match the refund."),
            refund=refund.refund_no,
            amount=str(from_fen(status.amount_fen)),
        )


def refund_confirm(*, provider: str, status: RefundStatus) -> Refund:
    """Apply the gateway's verdict on a refund, exactly once (duplicates return early).

    A success that cannot be applied leaves the refund 退款异常 and returns normally: the
    notice is acknowledged, nothing else changed, staff see it in the admin.
    """
    if status.mchid != get_gateway(provider).merchant_id:
        raise PaymentNoticeRejected.because(
            "wrong_merchant", _("The notice is for another merchant."), mchid=status.mchid
        )
    refund_id = Refund.objects.filter(refund_no=status.out_refund_no).values_list("pk", flat=True).first()
    if refund_id is None:
        raise PaymentNoticeRejected.because(
            "unknown_refund", _("No such refund."), out_refund_no=status.out_refund_no
        )
    with transaction.atomic():
        refund, aftersale = refund_lock_with_order(refund_id=refund_id)
        if refund.state != RefundState.PENDING or refund.provider != provider:
            return refund  # already applied, or an anomaly that staff retry
        if status.status == "SUCCESS":
            _check_amount(refund=refund, status=status)
            _apply_or_mark_anomaly(refund=refund, aftersale=aftersale, status=status)
        elif status.status in ("ABNORMAL", "CLOSED"):
            Refund.objects.filter(pk=refund.pk, state=RefundState.PENDING).update(
                state=RefundState.FAILED, failure_reason=status.status
            )
            event_add(order_id=refund.order_id, kind=OrderEvent.Kind.REFUND_FAILED, message=refund.refund_no)
        refund.refresh_from_db()
        return refund


def can_retry_refunds(user: User) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm(RETRY_PERMISSION))


def refund_retry(*, refund: Refund, actor: User) -> Refund:
    """Staff retry a refund anomaly after fixing what made it fail.

    Asks the gateway again (outside the transaction), then applies the success in a fresh
    transaction under the locks. Idempotent: a refund already applied is returned as it is,
    so two retries never refund twice. A retry that fails again stays 退款异常 with the new
    error (check ``state`` on the result).
    """
    if not can_retry_refunds(actor):
        raise RefundRetryForbidden()
    refund = Refund.objects.select_related("order").get(pk=refund.pk)
    if refund.state == RefundState.SUCCEEDED:
        return refund
    if refund.state != RefundState.APPLY_FAILED:
        raise RefundTransitionInvalid()
    try:
        status = get_gateway(refund.provider).query_refund(
            out_trade_no=refund.order.number, out_refund_no=refund.refund_no
        )
    except GatewayUnavailable as exc:
        raise PaymentGatewayError() from exc
    if status.status != "SUCCESS":
        raise RefundNotConfirmed()
    with transaction.atomic():
        locked, aftersale = refund_lock_with_order(refund_id=refund.pk)
        if locked.state == RefundState.SUCCEEDED:
            return locked  # another retry won the lock first
        if locked.state != RefundState.APPLY_FAILED:
            raise RefundTransitionInvalid()
        _check_amount(refund=locked, status=status)
        event_add(
            order_id=locked.order_id,
            kind=OrderEvent.Kind.REFUND_RETRIED,
            actor=actor,
            message=locked.refund_no,
        )
        _apply_or_mark_anomaly(refund=locked, aftersale=aftersale, status=status)
    locked.refresh_from_db()
    return locked


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
