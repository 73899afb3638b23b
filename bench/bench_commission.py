"""Commission benchmark (issue 6): the per-order commission work at payment, and the
settlement sweep over 100k due records, each next to its raw-SQL floor in the same run.

    python bench/run.py commission [--orders 400] [--records 100000]

PostgreSQL only (DATABASE_URL names the server); builds and drops its own database
(``quanzi_bench_commission_<run id>``).

- "Per-order commission work" is what the ``order_paid`` hook adds to a payment:
  ``commission_create_for_order`` (read the snapshot, compute, insert the records, add
  the buyer's own paid sales), one transaction per order. Floor: the same rows written
  by raw SQL (one multi-row INSERT + one UPDATE), one transaction; the INSERT is built
  from the model and binds the values of the records the code wrote for its first order
  (so it follows new columns and the storage of money). The run fails unless both sides
  wrote 2 records per item: otherwise the ratio would compare different work.
- "Settlement" is ``commissions_settle_due`` over N due records (batches of 1000).
  Floor: per batch, the same writes set-based in raw SQL (UPDATE … RETURNING, one wallet
  UPDATE … FROM, one INSERT … SELECT of the ledger rows). Both run on the same records:
  after the floor, the state is reset (TRUNCATE of the ledger, which its append-only
  trigger allows, records back to pending, wallets to zero) and vacuumed.
"""

import argparse
import statistics
import time
from decimal import Decimal

from bench.common import (
    InsertSQL,
    Param,
    Progress,
    bench_database,
    bench_db_name,
    expect,
    heartbeat,
    percentile,
    prepared,
    sample_rows,
    say,
)

DB_BASE = "quanzi_bench_commission"
SMOKE_ARGS = ["--orders", "20", "--records", "2000"]
TIERS = 2
ITEMS_PER_ORDER = 2
BENEFICIARY_PAIRS = 250  # sellers (tier 1) each under their own mid (tier 2)


def _world(buyers: int) -> dict:
    from distribution.commission.services.rules import level_rate_set, rules_update
    from distribution.models import Member, ResellerLevel
    from distribution.referral.services.members import member_create_for_user
    from mall.models import SKU, Category, Product, Supplier, User
    from orders.models import Address

    level = ResellerLevel.objects.create(name="金牌", weight=10)
    level_rate_set(level=level, tier=1, rate=Decimal("0.10"), operator=None)
    level_rate_set(level=level, tier=2, rate=Decimal("0.05"), operator=None)
    rules_update(operator=None, tiers=2)

    def member(phone: int, parent: Member | None = None, reseller: bool = False) -> Member:
        user = User.objects.create(phone=f"1{phone:010d}", password="!bench")  # unusable password
        node = member_create_for_user(user=user, invite_code=parent.invite_code if parent else None)
        if reseller:
            Member.objects.filter(pk=node.pk).update(is_reseller=True, level=level)
        return node

    mid = member(3_000_000_000, reseller=True)
    seller = member(3_000_000_001, mid, reseller=True)
    buyer_members = [member(3_100_000_000 + i, seller) for i in range(buyers)]
    supplier = Supplier.objects.create(name="bench", contact_name="b", contact_phone="13800000000",
                                       settlement_account_name="b", settlement_bank="b",
                                       settlement_account_no="1")
    category = Category.objects.create(name="bench")
    product = Product.objects.create(supplier=supplier, category=category, title="压测商品",
                                     status=Product.Status.ON_SHELF)
    skus = [SKU.objects.create(product=product, specs={"款": str(i)}, spec_key=f"款:{i}",
                               price=Decimal("39.90"), cost_price=Decimal("20.00"), stock=10**7)
            for i in range(ITEMS_PER_ORDER)]
    addresses = {
        b.user_id: Address.objects.create(user_id=b.user_id, receiver="压测", phone="13800138000",
                                          province="浙江省", city="杭州市", district="西湖区",
                                          detail="1 号", is_default=True)
        for b in buyer_members
    }
    return {"buyers": buyer_members, "skus": skus, "addresses": addresses, "seller": seller, "mid": mid}


def _orders(world: dict, n: int) -> list:
    from orders.services.checkout import CheckoutLine, order_create

    buyers = world["buyers"]
    orders = []
    progress = Progress("orders created", n)
    for i in range(n):
        buyer = buyers[i % len(buyers)]
        orders.append(order_create(user=buyer.user, address=world["addresses"][buyer.user_id],
                                   lines=[CheckoutLine(sku_id=s.pk, quantity=1) for s in world["skus"]]))
        progress.step()
    return orders


def _records_of(orders: list) -> int:
    from distribution.models import CommissionRecord

    return CommissionRecord.objects.filter(order__in=orders).count()


def _time_services(orders: list) -> tuple[list[float], float]:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from distribution.commission.services.records import commission_create_for_order

    latencies, queries = [], []
    for order in orders:
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            with transaction.atomic():
                commission_create_for_order(order=order)
            latencies.append((time.perf_counter() - start) * 1000)
        queries.append(len(captured.captured_queries))
    return latencies, statistics.mean(queries)


def _items_by_order(orders: list) -> dict[int, list]:
    from orders.models import OrderItem

    items: dict[int, list] = {}
    for item in OrderItem.objects.filter(order__in=orders).order_by("pk"):
        items.setdefault(item.order_id, []).append(item)
    return items


def _time_floor(orders: list, world: dict, sample_order) -> list[float]:
    """The same writes in raw SQL: the records the code wrote for ``sample_order`` (values
    bound once), on each order's items, and the buyer's paid sales."""
    from django.db import connection, transaction

    from distribution.models import CommissionRecord, Member

    sample_items = [item.pk for item in _items_by_order([sample_order])[sample_order.pk]]
    rows = [{**row, "order_item_id": Param(f"item{sample_items.index(row['order_item_id'])}")}
            for row in sample_rows(CommissionRecord.objects.filter(order=sample_order))]
    insert = InsertSQL(CommissionRecord, rows, vary={"order_id": "order"}, returning=False)
    sales_sql = (f"UPDATE {Member._meta.db_table} SET own_paid_sales = own_paid_sales + %(sales)s"
                 " WHERE id = %(buyer)s")
    items = _items_by_order(orders)
    buyers = {b.user_id: b.pk for b in world["buyers"]}
    latencies = []
    with connection.cursor() as cursor:
        for order in orders:
            sales = sum(item.paid_amount for item in items[order.pk])
            params = {"order": order.pk, "buyer": buyers[order.user_id],
                      "sales": prepared(Member, "own_paid_sales", sales)}
            params.update({f"item{k}": item.pk for k, item in enumerate(items[order.pk])})
            start = time.perf_counter()
            with transaction.atomic():
                insert.execute(cursor, params)
                cursor.execute(sales_sql, params)
            latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def bench_paid_orders(n: int) -> None:
    say(f"\n== paid orders → commission records ({n} orders × {ITEMS_PER_ORDER} items × 2 tiers) ==")
    world = _world(buyers=50)
    orders = _orders(world, 2 * n)
    services, queries = _time_services(orders[:n])
    expected = n * ITEMS_PER_ORDER * TIERS
    written = _records_of(orders[:n])
    expect(written == expected,
           f"commission_create_for_order wrote {written} records for {n} orders, not {expected}: the buyers"
           " are not under the 2-reseller chain, so the bench measures no commission work")
    floor = _time_floor(orders[n:], world, sample_order=orders[0])
    expect(_records_of(orders[n:]) == expected, "the raw-SQL floor did not write the same records")
    med_s, med_f = statistics.median(services), statistics.median(floor)
    say(f"{'':28} {'median ms':>10} {'p95 ms':>10} {'orders/s':>10}")
    say(f"{'commission_create_for_order':28} {med_s:10.3f} {percentile(services, 95):10.3f}"
        f" {1000 * n / sum(services):10.1f}")
    say(f"{'raw-SQL floor':28} {med_f:10.3f} {percentile(floor, 95):10.3f} {1000 * n / sum(floor):10.1f}")
    say(f"ratio (median): {med_s / med_f:.2f}x   (target ≤ 2x)   queries per order: {queries:.1f}")


def _due_records(total: int) -> None:
    """Bulk-load ``total`` pending records on items whose window has closed."""
    from django.utils import timezone

    from distribution.models import CommissionRecord
    from distribution.referral.services.members import member_get_or_create_for_user
    from mall.models import SKU, User
    from orders.models import Order, OrderItem

    say(f"  loading {total:,} due records …")
    now = timezone.now()
    sku = SKU.objects.select_related("product").first()
    # Beneficiaries: 250 sellers and 250 mids, as members.
    User.objects.bulk_create([User(phone=f"1{4_000_000_000 + i:010d}", password="!bench")
                              for i in range(2 * BENEFICIARY_PAIRS)], batch_size=1000)
    members = [member_get_or_create_for_user(user=u).pk
               for u in User.objects.filter(phone__startswith="14").order_by("pk")]
    buyer = User.objects.filter(phone__startswith="131").first()
    shop_id = Order.objects.values_list("shop_id", flat=True).first()
    orders_needed = total // (2 * ITEMS_PER_ORDER)
    template = Order.objects.first()
    batch = 5000
    for start in range(0, orders_needed, batch):
        count = min(batch, orders_needed - start)
        orders = Order.objects.bulk_create([
            Order(number=f"B{start + i:019d}", user_id=buyer.pk, shop_id=shop_id, state="completed",
                  subtotal=Decimal("79.80"), shipping_fee=0, total_amount=Decimal("79.80"),
                  receiver="压测", receiver_phone="13800138000", province="浙江省", city="杭州市",
                  district="西湖区", address_detail="1 号", payment_deadline=now,
                  created_at=template.created_at)
            for i in range(count)])
        items = OrderItem.objects.bulk_create([
            OrderItem(order=o, sku=sku, product=sku.product, product_title="压测商品",
                      unit_price=Decimal("39.90"), cost_price=Decimal("20.00"), quantity=1,
                      line_amount=Decimal("39.90"),
                      paid_amount=Decimal("39.90"), window_closes_at=now, window_closed_at=now)
            for o in orders for _ in range(ITEMS_PER_ORDER)])
        records = []
        for n, item in enumerate(items):
            pair = (start * ITEMS_PER_ORDER + n) % BENEFICIARY_PAIRS
            terms = ((1, members[2 * pair], "3.99"), (2, members[2 * pair + 1], "1.99"))
            for tier, member_id, amount in terms:
                records.append(CommissionRecord(
                    order_id=item.order_id, order_item=item, beneficiary_id=member_id, tier=tier,
                    level_name="金牌", base_amount=Decimal("39.90"), rate=Decimal("0.1") / tier,
                    original_amount=Decimal(amount), amount=Decimal(amount)))
        CommissionRecord.objects.bulk_create(records, batch_size=5000)
        say(f"  … {min(start + count, orders_needed) * 2 * ITEMS_PER_ORDER:,}/{total:,}")


FLOOR_BATCH_SQL = """
WITH settled AS (
    UPDATE distribution_commissionrecord SET state = 'settled', settled_at = now()
    WHERE id IN (SELECT r.id FROM distribution_commissionrecord r
                 JOIN orders_orderitem i ON i.id = r.order_item_id
                 WHERE r.state = 'pending' AND i.window_closed_at IS NOT NULL ORDER BY r.id LIMIT %s)
      AND state = 'pending'
    RETURNING id, beneficiary_id, amount
), wallets AS (
    UPDATE distribution_wallet w SET available = w.available + s.total, updated_at = now()
    FROM (SELECT beneficiary_id, sum(amount) AS total FROM settled GROUP BY beneficiary_id) s
    WHERE w.member_id = s.beneficiary_id
    RETURNING w.id, w.member_id, w.available
)
INSERT INTO distribution_ledgerentry (wallet_id, kind, available_delta, held_delta, withdrawn_delta,
                                      available_after, commission_record_id, reason, created_at)
SELECT w.id, 'commission_credit', s.amount, 0, 0, w.available, s.id, '', now()
FROM settled s JOIN wallets w ON w.member_id = s.beneficiary_id
"""


def _floor_settle(batch: int) -> float:
    from django.db import connection, transaction

    from distribution.models import CommissionRecord, Wallet

    members = list(CommissionRecord.objects.values_list("beneficiary_id", flat=True).distinct())
    Wallet.objects.bulk_create([Wallet(member_id=m) for m in members], ignore_conflicts=True)
    start = time.perf_counter()
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(FLOOR_BATCH_SQL, [batch])
            if cursor.rowcount == 0:
                break
    return time.perf_counter() - start


def _reset() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE distribution_ledgerentry")
        cursor.execute("UPDATE distribution_commissionrecord SET state = 'pending', settled_at = NULL")
        cursor.execute("UPDATE distribution_wallet SET available = 0, held = 0, withdrawn = 0")
        cursor.execute("VACUUM ANALYZE distribution_commissionrecord")
        cursor.execute("VACUUM ANALYZE distribution_wallet")


def bench_settlement(total: int) -> None:
    from distribution.reseller.services.levels import commissions_settle_and_review_levels
    from distribution.wallet.services.reconcile import wallets_reconcile

    say(f"\n== settlement sweep over {total:,} due records ==")
    _due_records(total)
    _reset()
    with heartbeat("raw-SQL floor settling"):
        floor = _floor_settle(batch=1000)
    expect(_credits() == total, f"the floor settled {_credits():,} of {total:,} records")
    say(f"  raw-SQL floor: {floor:.1f} s")
    _reset()
    with heartbeat("settlement sweep settling"):
        start = time.perf_counter()
        result = commissions_settle_and_review_levels(batch=1000)  # what the beat task runs
        elapsed = time.perf_counter() - start
    expect(result.records == total, f"commissions_settle_due settled {result.records:,} of {total:,} records")
    say(f"  commissions_settle_due: {result.records:,} records, ¥{result.amount:,}, {elapsed:.1f} s"
        f" ({result.records / elapsed:,.0f} records/s)")
    say(f"  ratio: {elapsed / floor:.2f}x the floor   target: ≤ 2x the floor, 100k in ≤ 15 s")
    report = wallets_reconcile()
    say(f"  reconcile_wallets: {'clean' if report.ok else report.problems[:3]}"
        f" ({report.wallets_checked} wallets, {report.records_checked:,} records)")
    expect(report.ok, "the wallets do not reconcile after the settlement")


def _credits() -> int:
    from distribution.models import LedgerEntry

    return LedgerEntry.objects.filter(kind=LedgerEntry.Kind.COMMISSION_CREDIT).count()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run.py commission", description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=400)
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args(argv or [])
    with bench_database(bench_db_name(DB_BASE)):
        bench_paid_orders(args.orders)
        bench_settlement(args.records)
    return 0
