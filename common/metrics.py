"""The business counters that ``/metrics`` exposes (Prometheus), counted where they happen.

A counter moves only when the change it counts is committed (``count_committed``): a
payment rolled back is no paid order. Counters are per process; in production
(``make prod``) every process writes them to ``PROMETHEUS_MULTIPROC_DIR`` and the endpoint
adds them up, so gunicorn workers and Celery workers count into one figure
(``config/metrics.py``).
"""

from django.db import transaction
from prometheus_client import Counter

ORDERS_PAID = Counter("quanzi_orders_paid", "Orders paid (payment recorded, order moved to paid).")
COMMISSION_RECORDS_CREATED = Counter("quanzi_commission_records_created",
                                     "Commission records created at payment (pending).")
COMMISSION_RECORDS_SETTLED = Counter("quanzi_commission_records_settled",
                                     "Commission records settled into wallets by the sweep.")
LEDGER_POSTINGS = Counter("quanzi_ledger_postings", "Wallet ledger entries written, by kind.", ["kind"])
PAYMENT_NOTICES_REJECTED = Counter("quanzi_payment_notices_rejected",
                                   "Payment-gateway notices refused, by reason.", ["reason"])


def count_committed(counter: Counter, amount: float = 1, **labels: str) -> None:
    """Add ``amount`` to the counter once the current transaction commits (at once
    outside one); nothing if it rolls back."""
    if amount <= 0:
        return
    target = counter.labels(**labels) if labels else counter
    transaction.on_commit(lambda: target.inc(amount))
