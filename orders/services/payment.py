"""Payments: open the cashier, accept verified notices (idempotently), ask about the silent ones.

A notice is accepted only if its signature verifies, its timestamp is fresh (both in
the gateway's ``parse_notice``), the merchant id is ours, the amount is the order's and
the order can be paid. Anything else raises ``PaymentNoticeRejected``: 4xx, logged, no
change. Duplicates (20 copies at once) serialize on the order's row lock and find the
Payment row the first one wrote; ``(provider, transaction_id)`` is unique besides.
"""

import logging
from collections.abc import Mapping
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.db import ModelInsert, ModelSelect
from common.metrics import ORDERS_PAID, count_committed
from common.money import to_fen
from mall.models import User
from orders.errors import OrderNotPayable, PaymentGatewayError, PaymentNoticeRejected
from orders.hooks import hooks
from orders.lock_objects import order_lock, order_lock_by_number
from orders.models import Order, OrderEvent, OrderState, Payment
from orders.payments.base import GatewayUnavailable, NoticeInvalid, PaymentNotice, PaymentStart, TradeStatus
from orders.payments.registry import get_gateway, notify_url
from orders.services.refund import refund_confirm
from orders.services.transitions import event_add, order_transition

logger = logging.getLogger(__name__)
_PAYMENT_INSERT, _PAYMENT_ROWS = ModelInsert(Payment), ModelSelect(Payment)  # once per payment notice


def payment_start(
    *, order: Order, provider: str | None = None, return_url: str = "", actor: User | None = None
) -> PaymentStart:
    """Open (or re-open) the gateway's cashier for an unpaid order; returns its URL.

    Runs under the order's row lock, like cancelling: a cancel either sees the provider
    recorded here and closes the trade, or wins the lock first and this call refuses.
    """
    provider = provider or settings.PAYMENT_DEFAULT_PROVIDER
    gateway = get_gateway(provider)
    now = timezone.now()
    with transaction.atomic():
        locked = order_lock(order_id=order.pk)
        if locked is None or locked.state != OrderState.PENDING_PAYMENT or locked.payment_deadline <= now:
            raise OrderNotPayable()
        if locked.payment_started_at is None:
            event_add(order_id=locked.pk, kind=OrderEvent.Kind.PAYMENT_STARTED, actor=actor)
        Order.objects.filter(pk=locked.pk).update(payment_provider=provider, payment_started_at=now)
        try:
            return gateway.create_payment(
                out_trade_no=locked.number,
                amount_fen=to_fen(locked.total_amount),
                description=str(_("Quanzi order %(number)s") % {"number": locked.number}),
                notify_url=notify_url(provider),
                return_url=return_url,
                expires_at=locked.payment_deadline,
            )
        except GatewayUnavailable as exc:
            logger.warning("order %s: create payment failed: %s", locked.number, exc)
            raise PaymentGatewayError() from exc


def payment_confirm(
    *,
    provider: str,
    mchid: str,
    out_trade_no: str,
    transaction_id: str,
    amount_fen: int,
    paid_at: datetime,
    raw: Mapping,
    source: str,
) -> Payment:
    """Record a payment the gateway confirmed and move the order to paid, exactly once.

    Returns the existing Payment for a duplicate. ``order_paid`` runs inside this
    transaction (see ``orders.hooks``).
    """
    gateway = get_gateway(provider)
    if mchid != gateway.merchant_id:
        raise PaymentNoticeRejected.because(
            "wrong_merchant", _("The notice is for another merchant."), mchid=mchid
        )
    with transaction.atomic():
        order = order_lock_by_number(number=out_trade_no)
        if order is None:
            raise PaymentNoticeRejected.because(
                "unknown_order", _("No such order."), out_trade_no=out_trade_no
            )
        seen = _PAYMENT_ROWS.fetch("t0.provider = %s AND t0.transaction_id = %s", [provider, transaction_id])
        if seen:
            existing = seen[0]
            if existing.order_id != order.pk:
                raise PaymentNoticeRejected.because(
                    "transaction_reused",
                    _("This transaction belongs to another order."),
                    transaction_id=transaction_id,
                )
            return existing  # a duplicate notice: nothing changes, nothing is called twice
        if amount_fen != to_fen(order.total_amount):
            raise PaymentNoticeRejected.because(
                "amount_mismatch",
                _("The amount does not match the order."),
                order=order.number,
                amount_fen=amount_fen,
            )
        if order.state != OrderState.PENDING_PAYMENT:
            # Money arrived for an order we cannot take it for: staff must refund it.
            logger.error(
                "payment %s/%s for order %s in state %s: refund it by hand",
                provider,
                transaction_id,
                order.number,
                order.state,
            )
            raise PaymentNoticeRejected.because(
                "not_payable", str(OrderNotPayable.default_message), order=order.number, state=order.state
            )
        payment = _PAYMENT_INSERT.save(Payment(
            order=order,
            provider=provider,
            transaction_id=transaction_id,
            amount=order.total_amount,
            paid_at=paid_at,
            source=source,
            raw=dict(raw),
        ))
        order_transition(order=order, to=OrderState.PAID, message=transaction_id, paid_at=paid_at)
        hooks.call("order_paid", order=order, payment=payment)
        logger.info("order %s paid: %s %s, %s fen", order.number, provider, transaction_id, amount_fen)
        count_committed(ORDERS_PAID)
        return payment


def payment_confirm_from_status(*, provider: str, status: TradeStatus) -> Payment:
    return payment_confirm(
        provider=provider,
        mchid=status.mchid,
        out_trade_no=status.out_trade_no,
        transaction_id=status.transaction_id,
        amount_fen=status.amount_fen,
        paid_at=status.success_time or timezone.now(),
        raw=status.raw,
        source="query",
    )


def payment_sync(*, order: Order) -> bool:
    """Ask the gateway about one unpaid order whose cashier was opened, and record the
    payment if it was made; True when the order is paid afterwards.

    For the shopper who comes back from the cashier before the notice arrived (WeChat
    Pay's advice for H5 returns). Safe to call any number of times: recording goes
    through ``payment_confirm``, which is exactly-once.
    """
    if order.state != OrderState.PENDING_PAYMENT:
        return order.state != OrderState.CANCELLED
    if not order.payment_provider:
        return False
    try:
        status = get_gateway(order.payment_provider).query_payment(out_trade_no=order.number)
        if not status.is_paid:
            return False
        payment_confirm_from_status(provider=order.payment_provider, status=status)
    except (GatewayUnavailable, PaymentNoticeRejected) as exc:
        logger.warning("order %s: payment sync not applied: %s", order.number, exc)
        return False
    return True


def payment_notice_handle(*, provider: str, headers: Mapping[str, str], body: bytes) -> None:
    """The notify endpoint's work: verify, decode and apply one gateway notice."""
    gateway = get_gateway(provider)
    try:
        notice = gateway.parse_notice(headers=headers, body=body)
    except NoticeInvalid as exc:
        raise PaymentNoticeRejected.because(
            exc.reason, _("The payment notice did not verify."), detail=str(exc)
        ) from exc
    if isinstance(notice, PaymentNotice):
        payment_confirm(
            provider=provider,
            mchid=notice.mchid,
            out_trade_no=notice.out_trade_no,
            transaction_id=notice.transaction_id,
            amount_fen=notice.amount_fen,
            paid_at=notice.success_time,
            raw=notice.raw,
            source="notice",
        )
    else:
        refund_confirm(provider=provider, status=notice)


def payments_reconcile(*, now: datetime | None = None, limit: int = 200) -> int:
    """Sweep: ask the gateway about unpaid orders whose cashier opened a while ago with no
    notice since; record the ones it says are paid. Returns how many it recorded."""
    cutoff = (now or timezone.now()) - settings.PAYMENT_QUERY_AFTER
    orders = list(
        Order.objects.filter(state=OrderState.PENDING_PAYMENT, payment_started_at__lte=cutoff)
        .exclude(payment_provider="")
        .order_by("payment_started_at")[:limit]
    )
    recorded = 0
    for order in orders:
        try:
            status = get_gateway(order.payment_provider).query_payment(out_trade_no=order.number)
            if status.is_paid:
                payment_confirm_from_status(provider=order.payment_provider, status=status)
                recorded += 1
        except (GatewayUnavailable, PaymentNoticeRejected) as exc:
            logger.warning("order %s: payment query not applied: %s", order.number, exc)
    return recorded
