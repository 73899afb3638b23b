"""The daily rollup: rewrite one local day of every pre-aggregated table.

``figures_rollup_day`` deletes the day's rows and inserts them again from the source
tables, in one transaction, under the day's advisory lock. So it is idempotent (run it
twice: the same rows), re-runnable for any past day, safe to kill halfway (the
transaction rolls back), and two runs of one day queue instead of colliding.

What goes in which day (local time, Asia/Shanghai):

- an order counts on the day it was **paid** (``paid_at``), at ``total_amount``, even if it
  is refunded or cancelled later; a refund counts on the day it **succeeded**;
- a member counts on the day they **joined**, under their upline (``parent``) and bind
  source at the time of the rollup; a reseller on their ``reseller_since`` day;
- liability is what was owed at the **end** of the day (``_liability_at``), or now for
  today (``_liability_now``).
"""

import datetime
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from common.fields import money_sum
from common.money import ZERO
from console.dates import day_bounds
from console.lock_objects import rollup_day_lock
from console.models import (
    DailyBuyerSales,
    DailyLiability,
    DailyNewMembers,
    DailyProductSales,
    DailySales,
    RollupRun,
)
from distribution.commission.selectors import commission_liability
from distribution.models import CommissionRecord, LedgerEntry, Member
from orders.models import Order, OrderItem, Refund, RefundState

BATCH = 5000


@dataclass(frozen=True)
class RollupResult:
    day: datetime.date
    paid_orders: int
    rows: int
    seconds: float


@transaction.atomic
def figures_rollup_day(*, day: datetime.date) -> RollupResult:
    """Rewrite every daily table for ``day``. See the module docstring for the guarantees."""
    started = time.perf_counter()
    rollup_day_lock(day=day)
    start, end = day_bounds(day)
    for model in (DailySales, DailyProductSales, DailyBuyerSales, DailyNewMembers, DailyLiability):
        model.objects.filter(day=day).delete()
    paid = Order.objects.filter(paid_at__gte=start, paid_at__lt=end)
    refunds = Refund.objects.filter(state=RefundState.SUCCEEDED, succeeded_at__gte=start,
                                    succeeded_at__lt=end)
    sales = _sales_rows(day, paid, refunds)
    rows = len(sales)
    DailySales.objects.bulk_create(sales, batch_size=BATCH)
    rows += _bulk(DailyProductSales, _product_rows(day, start, end))
    rows += _buyer_rows(day, start, end)
    rows += _bulk(DailyNewMembers, _member_rows(day, start, end))
    now = timezone.now()
    DailyLiability.objects.create(day=day, **(_liability_now() if end > now else _liability_at(end)))
    orders = sum(row.paid_orders for row in sales)
    seconds = time.perf_counter() - started
    RollupRun.objects.update_or_create(
        day=day, defaults={"finished_at": timezone.now(), "orders": orders, "seconds": seconds})
    return RollupResult(day=day, paid_orders=orders, rows=rows + 1, seconds=seconds)


def _bulk(model, rows: list) -> int:
    model.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _sales_rows(day, paid, refunds) -> list[DailySales]:
    by_shop: dict[int, DailySales] = {}
    for row in paid.values("shop_id").annotate(n=Count("id"), gmv=money_sum("total_amount")).order_by():
        by_shop[row["shop_id"]] = DailySales(day=day, shop_id=row["shop_id"], paid_orders=row["n"],
                                             gmv=row["gmv"])
    for row in (refunds.values("order__shop_id").annotate(n=Count("id"), amount=money_sum("amount"))
                .order_by()):
        entry = by_shop.setdefault(row["order__shop_id"], DailySales(day=day, shop_id=row["order__shop_id"]))
        entry.refunds, entry.refund_amount = row["n"], row["amount"]
    return list(by_shop.values())


def _product_rows(day, start, end) -> list[DailyProductSales]:
    items = (OrderItem.objects.filter(order__paid_at__gte=start, order__paid_at__lt=end)
             .values("order__shop_id", "product_id")
             .annotate(units=Sum("quantity"), amount=money_sum("paid_amount")).order_by())
    return [DailyProductSales(day=day, shop_id=row["order__shop_id"], product_id=row["product_id"],
                              quantity=row["units"], amount=row["amount"]) for row in items]


def _buyer_rows(day, start, end) -> int:
    """One ``INSERT … SELECT`` (a day can hold 100,000 buyers: building that many model
    instances took most of the rollup). Amounts are summed in fen, as stored."""
    order, refund, buyer = Order._meta, Refund._meta, DailyBuyerSales._meta
    ops = connection.ops
    columns = ", ".join(buyer.get_field(f).column for f in
                        ("day", "user", "shop", "paid_orders", "paid_amount", "refund_amount"))
    sql = (
        f"INSERT INTO {buyer.db_table} ({columns}) "  # noqa: S608 - names from the models, values bound
        "SELECT %s, user_id, shop_id, SUM(n), SUM(paid), SUM(refunded) FROM ("
        f" SELECT o.user_id, o.shop_id, 1 AS n, o.total_amount AS paid, 0 AS refunded FROM {order.db_table} o"
        "  WHERE o.paid_at >= %s AND o.paid_at < %s"
        " UNION ALL"
        f" SELECT o.user_id, o.shop_id, 0, 0, r.amount FROM {refund.db_table} r"
        f"  JOIN {order.db_table} o ON o.id = r.order_id"
        "  WHERE r.state = %s AND r.succeeded_at >= %s AND r.succeeded_at < %s"
        ") t GROUP BY user_id, shop_id")
    bounds = [ops.adapt_datetimefield_value(start), ops.adapt_datetimefield_value(end)]
    with connection.cursor() as cursor:
        cursor.execute(sql, [ops.adapt_datefield_value(day), *bounds, RefundState.SUCCEEDED, *bounds])
        return cursor.rowcount


def _member_rows(day, start, end) -> list[DailyNewMembers]:
    counts: dict[tuple[int | None, str], list[int]] = defaultdict(lambda: [0, 0])
    joined = (Member.objects.filter(joined_at__gte=start, joined_at__lt=end)
              .values("parent_id", "bind_source").annotate(n=Count("id")).order_by())
    for row in joined:
        counts[row["parent_id"], row["bind_source"]][0] = row["n"]
    became = (Member.objects.filter(reseller_since__gte=start, reseller_since__lt=end)
              .values("parent_id", "bind_source").annotate(n=Count("id")).order_by())
    for row in became:
        counts[row["parent_id"], row["bind_source"]][1] = row["n"]
    return [DailyNewMembers(day=day, inviter_id=inviter, source=source, new_members=n, new_resellers=r)
            for (inviter, source), (n, r) in counts.items()]


def _liability_now() -> dict[str, Decimal]:
    """Today: the live figures of the commission-liability page (the cached wallet balances,
    which equal their ledger sums, I4): a few aggregates instead of a pass over the ledger."""
    live = commission_liability()
    return {"pending": live.pending, "available": live.available, "held": live.held, "debt": live.debt}


def _liability_at(moment: datetime.datetime) -> dict[str, Decimal]:
    """What was owed at the end of a past day, rebuilt from the append-only ledger, so any
    past day can be rolled up again with the same result:

    - available / held / debt: each wallet's balance is the sum of its ledger entries before
      ``moment``; positive available balances add up to *available*, negative ones to *debt*
      (one reseller's debt does not pay another's balance);
    - pending: commission records created before ``moment`` that were neither settled nor
      cancelled by then, at their current amount (a partial refund of a pending record is
      not dated, so a past day shows it already reduced).
    """
    pending = (CommissionRecord.objects.filter(created_at__lt=moment)
               .filter(Q(settled_at__isnull=True) | Q(settled_at__gte=moment))
               .filter(Q(cancelled_at__isnull=True) | Q(cancelled_at__gte=moment))
               .aggregate(s=money_sum("amount"))["s"])
    available = debt = held = ZERO
    balances = (LedgerEntry.objects.filter(created_at__lt=moment).values("wallet_id")
                .annotate(a=money_sum("available_delta"), h=money_sum("held_delta")).order_by())
    for row in balances.iterator(chunk_size=BATCH):
        if row["a"] > 0:
            available += row["a"]
        else:
            debt -= row["a"]
        held += row["h"]
    return {"pending": pending, "available": available, "held": held, "debt": debt}


def figures_rollup_range(*, first: datetime.date, last: datetime.date, progress=None) -> list[RollupResult]:
    """Roll up every day from ``first`` to ``last`` (both included), one transaction each;
    ``progress(result, done, total)`` is called after each day."""
    total = (last - first).days + 1
    results = []
    for n in range(total):
        result = figures_rollup_day(day=first + datetime.timedelta(days=n))
        results.append(result)
        if progress:
            progress(result, n + 1, total)
    return results
