"""Celery tasks: thin wrappers around sweeps and notice delivery. Each selects its work
from the database and is safe to run twice at once or to be killed halfway."""

from celery import shared_task

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

