"""Celery tasks: thin wrappers around sweeps and notice delivery. Each selects its work
from the database and is safe to run twice at once or to be killed halfway."""

from celery import shared_task

from orders.payments import sandbox_provider
from orders.services import fulfilment, payment, refund


@shared_task
def cancel_expired_orders() -> int:
    return fulfilment.orders_cancel_expired()


@shared_task
def auto_receive_orders() -> int:
    return fulfilment.orders_auto_receive()


@shared_task
def close_aftersale_windows() -> int:
    return fulfilment.orders_close_windows()


@shared_task
def reconcile_payments() -> int:
    return payment.payments_reconcile()


@shared_task
def reconcile_refunds() -> int:
    return refund.refunds_reconcile()


# --- the sandbox provider's own workers ----------------------------------------------


@shared_task
def sandbox_deliver_trade_notice(trade_id: int) -> bool:
    return sandbox_provider.trade_notice_deliver(trade_id=trade_id)


@shared_task
def sandbox_deliver_refund_notice(refund_id: int) -> bool:
    return sandbox_provider.refund_notice_deliver(refund_id=refund_id)


@shared_task
def sandbox_redeliver_notices() -> int:
    return sandbox_provider.notices_redeliver_due()
