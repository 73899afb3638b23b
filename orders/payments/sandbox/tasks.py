"""The sandbox provider's own workers: deliver a notice (queued on commit by ``provider``)
and re-send the unacknowledged ones (a beat sweep, ``config/beat.py``). Registered with the
worker by ``config/celery.py``, which discovers this package's tasks beside the apps'."""

from celery import shared_task

from orders.payments.sandbox import notices


@shared_task
def deliver_trade_notice(trade_id: int) -> bool:
    return notices.trade_notice_deliver(trade_id=trade_id)


@shared_task
def deliver_refund_notice(refund_id: int) -> bool:
    return notices.refund_notice_deliver(refund_id=refund_id)


@shared_task
def redeliver_notices() -> int:
    return notices.notices_redeliver_due()
