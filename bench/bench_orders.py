"""Checkout → pay benchmark on PostgreSQL, next to the raw-SQL floor for the same writes.

Run: ``python bench/run.py orders [--orders N]`` (``make bench BENCH_ARGS=orders``). It
builds its own database (``quanzi_bench_orders_<run id>``, dropped at the end) and, per
order, times:

- checkout: ``order_create`` with a client idempotency key, as the H5 page and the API
  send one (price snapshot, order + item + timeline rows, guarded stock decrement,
  ``order_created`` hook);
- pay: ``payment_notice_handle`` on a genuine sandbox notice (RSA-SHA256 verification,
  AES-GCM decryption, then the locked, idempotent ``payment_confirm``).

Opening the cashier and the provider signing the notice happen outside the timer: that
is the provider's work, not the shop's. The buyer is bound under a 2-reseller chain, so
both hooks of the distribution app do their real work (snapshot at checkout, commission
records at payment).

The floor writes the same rows with hand-written SQL on the same connection, in two
transactions per order: UPDATE sku, INSERT order (with its client_token) / item / event /
attribution / plans; then SELECT … FOR UPDATE, the duplicate-payment SELECT, INSERT
payment, UPDATE order, INSERT event, UPDATE member, INSERT records. Each INSERT is built
once from the model and binds the values of rows the code wrote in the warm-up, so a new
column or a new storage for money (integer fen) is followed without editing the floor.
Then checkout alone, without and with a coupon (promotions' ``discount_reserve`` and
``order_created`` work: the coupon's row lock, the used mark, the order link), in the same
run, with the queries of each. The run fails if the code's writes per order no longer match
the floor's tables, or if the chain earns no commission: the figures would compare different work.
"""

import argparse
import logging
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

if __package__ in (None, ""):  # run as a script: python bench/bench_orders.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    InsertSQL,
    Progress,
    bench_database,
    bench_db_name,
    expect,
    percentile,
    prepared,
    sample_rows,
    say,
    writes,
)

DB_BASE = "quanzi_bench_orders"
SMOKE_ARGS = ["--orders", "20"]
WARM_UP = 20
TIERS = 2  # the buyer's chain: seller (tier 1) under mid (tier 2)


def _fixtures(n: int) -> dict:
    from mall.models import SKU, Category, Product, Supplier, User
    from mall.services.shops import platform_shop_get
    from orders.models import Address

    supplier = Supplier.objects.create(
        name="bench",
        contact_name="b",
        contact_phone="13800000000",
        settlement_account_name="b",
        settlement_bank="b",
        settlement_account_no="1",
    )
    category = Category.objects.create(name="bench")
    product = Product.objects.create(
        supplier=supplier, category=category, title="压测商品", status=Product.Status.ON_SHELF
    )
    skus = [
        SKU.objects.create(
            product=product,
            specs={"款": str(i)},
            spec_key=f"款:{i}",
            price=Decimal("39.90"),
            cost_price=Decimal("20.00"),
            stock=10 * (n + WARM_UP),
        )
        for i in range(2)
    ]
    user = User.objects.create_user("13900000001", "bench-password-1")
    chain = _referral_chain(user)
    address = Address.objects.create(
        user=user,
        receiver="压测",
        phone="13800138000",
        province="浙江省",
        city="杭州市",
        district="西湖区",
        detail="1 号",
        is_default=True,
    )
    # A view passes the session's shop, already loaded.
    return {"skus": skus, "user": user, "address": address, "shop": platform_shop_get(), **chain}


def _referral_chain(buyer_user) -> dict:
    """The usual case: the buyer was invited by a reseller, who was invited by another, so
    checkout snapshots a 2-tier chain and payment creates 2 commission records."""
    from distribution.commission.services.rules import level_rate_set
    from distribution.models import Member, ResellerLevel
    from distribution.referral.services.members import member_create_for_user
    from mall.models import User

    level = ResellerLevel.objects.create(name="金牌", weight=10)
    level_rate_set(level=level, tier=1, rate=Decimal("0.10"), operator=None)
    level_rate_set(level=level, tier=2, rate=Decimal("0.05"), operator=None)
    mid = member_create_for_user(user=User.objects.create_user("13900000002", "bench-password-1"))
    seller = member_create_for_user(user=User.objects.create_user("13900000003", "bench-password-1"),
                                    invite_code=mid.invite_code)
    Member.objects.filter(pk__in=[mid.pk, seller.pk]).update(is_reseller=True, level=level)
    buyer = member_create_for_user(user=buyer_user, invite_code=seller.invite_code)
    expect(buyer.parent_id == seller.pk and seller.parent_id == mid.pk,
           "the buyer is not bound under the 2-reseller chain")
    return {"buyer_member": buyer.pk, "seller": seller.pk, "mid": mid.pk}


def _checkout_rows(order_id: int) -> dict:
    """What checkout wrote for one order, read back (before the cashier opens)."""
    from distribution.models import CommissionPlan, OrderAttribution
    from orders.models import Order, OrderEvent, OrderItem

    return {
        "order": sample_rows(Order.objects.filter(pk=order_id)),
        "item": sample_rows(OrderItem.objects.filter(order_id=order_id)),
        "created": sample_rows(OrderEvent.objects.filter(order_id=order_id)),
        "attribution": sample_rows(OrderAttribution.objects.filter(order_id=order_id)),
        "plans": sample_rows(CommissionPlan.objects.filter(order_item__order_id=order_id)),
    }


def _payment_rows(order_id: int) -> dict:
    from distribution.models import CommissionRecord
    from orders.models import OrderEvent, Payment

    return {
        "payment": sample_rows(Payment.objects.filter(order_id=order_id)),
        "paid": sample_rows(OrderEvent.objects.filter(order_id=order_id, kind=OrderEvent.Kind.PAID)),
        "records": sample_rows(CommissionRecord.objects.filter(order_id=order_id)),
    }


def _run_services(n: int, fx: dict, *, label: str, sample: bool = False) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orders.payments.sandbox import notices, provider
    from orders.services.checkout import CheckoutLine, order_create
    from orders.services.payment import payment_notice_handle, payment_start

    sku = fx["skus"][0]
    tokens = [f"h5:{secrets.token_urlsafe(16)}" for _ in range(n)]  # the H5 form's one-time token
    latencies, checkout_queries, pay_queries, checkout_latencies = [], [], [], []
    rows: dict = {}
    progress = Progress(label, n)
    for i in range(n):
        connection.queries_log.clear()  # the log is bounded (9,000): a full one counts nothing
        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as q1:
            order = order_create(user=fx["user"], address=fx["address"], shop=fx["shop"],
                                 lines=[CheckoutLine(sku.pk, 1)], client_token=tokens[i])
        t1 = time.perf_counter()
        last = i == n - 1
        if sample and last:
            rows.update(_checkout_rows(order.pk))  # not timed
        start = payment_start(order=order)  # provider side: not timed
        trade = provider.cashier_pay(token=start.cashier_url.rstrip("/").rsplit("/", 1)[-1])
        headers, body = notices.trade_notice_build(trade)
        t2 = time.perf_counter()
        with CaptureQueriesContext(connection) as q2:
            payment_notice_handle(provider="sandbox", headers=headers, body=body)
        t3 = time.perf_counter()
        latencies.append((t1 - t0) + (t3 - t2))
        checkout_latencies.append(t1 - t0)
        statements = [q["sql"] for q in (*q1.captured_queries, *q2.captured_queries)]
        if os.environ.get("BENCH_SHOW_QUERIES") and not checkout_queries:
            for sql in statements:
                say("   ", sql[:int(os.environ.get("BENCH_SHOW_QUERIES_WIDTH", "150"))])
        checkout_queries.append(len(q1))
        pay_queries.append(len(q2))
        if sample and last:
            rows.update(_payment_rows(order.pk))
        progress.step()
    return {
        "latencies": latencies,
        "checkout_latencies": checkout_latencies,
        "checkout_queries": statistics.median(checkout_queries),
        "pay_queries": statistics.median(pay_queries),
        "writes": writes(statements),  # the last order's: steady state, no first-use rows
        "rows": rows,
    }


def _checkout_pairs(n: int, fx: dict, *, label: str) -> tuple[dict, dict]:
    """``order_create`` alone, without then with a coupon (one per order: a ¥5 无门槛 coupon
    granted beforehand), interleaved order by order so both meet the same machine state."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orders.services.checkout import CheckoutLine, order_create

    sku = fx["skus"][0]
    results = {False: {"latencies": [], "queries": []}, True: {"latencies": [], "queries": []}}
    progress = Progress(label, n)
    for i in range(n):
        for with_coupon in (False, True):
            connection.queries_log.clear()  # the log is bounded (9,000): a full one counts nothing
            t0 = time.perf_counter()
            with CaptureQueriesContext(connection) as q:
                order = order_create(user=fx["user"], address=fx["address"], shop=fx["shop"],
                                     lines=[CheckoutLine(sku.pk, 1)],
                                     discount_key=fx["coupon_keys"][i] if with_coupon else "",
                                     client_token=f"h5:{secrets.token_urlsafe(16)}")
            results[with_coupon]["latencies"].append(time.perf_counter() - t0)
            results[with_coupon]["queries"].append(len(q))
            expect((order.discount_amount > 0) == with_coupon, "the coupon was not applied as expected")
        progress.step()
    for result in results.values():
        result["queries"] = statistics.median(result["queries"])
    return results[False], results[True]


def _coupons_for(fx: dict, n: int) -> list[str]:
    from promotions.models import CouponSource, CouponTemplate
    from promotions.services.issue import coupon_grant

    template = CouponTemplate.objects.create(name="压测券", kind="no_threshold", amount=Decimal("5.00"),
                                             stock=n, valid_days=7, in_claim_centre=False)
    return [coupon_grant(template=template, user=fx["user"], source=CouponSource.STAFF, key=f"bench:{i}").key
            for i in range(n)]


def _coupon_report(without: dict, with_coupon: dict) -> None:
    mean_without = statistics.mean(without["latencies"])
    mean_with = statistics.mean(with_coupon["latencies"])
    say("  checkout alone (order_create), same run:")
    for label, result in (("without coupon", without), ("with coupon   ", with_coupon)):
        values = result["latencies"]
        mean, p50 = statistics.mean(values) * 1000, percentile(values, 50) * 1000
        say(f"    {label}: mean {mean:6.2f} ms   p50 {p50:6.2f} ms   {result['queries']:.0f} queries")
    say(f"    ratio (with / without, mean latency): {mean_with / mean_without:.2f}   target <= 1.3")


class Floor:
    """The same writes as checkout + payment, in raw SQL, from rows the code wrote."""

    def __init__(self, fx: dict, rows: dict) -> None:
        from distribution.models import CommissionPlan, CommissionRecord, Member, OrderAttribution
        from mall.models import SKU
        from orders.models import Order, OrderEvent, OrderItem, Payment

        expect(len(rows["plans"]) == TIERS and len(rows["records"]) == TIERS,
               f"the code planned {len(rows['plans'])} and paid {len(rows['records'])} commission records"
               f" per order; the bench's chain expects {TIERS}: it no longer measures the commission work")
        sku = fx["skus"][1]  # its own SKU row: the services' stock row is left alone
        item = {**rows["item"][0], "sku_id": sku.pk, "sku_specs": sku.specs, "sku_spec_text": sku.spec_text}
        by_order, by_item = {"order_id": "order"}, {"order_item_id": "item"}
        self.checkout = [
            InsertSQL(Order, rows["order"], vary={"number": "number", "client_token": "token"}),
            InsertSQL(OrderItem, [item], vary=by_order),
            InsertSQL(OrderEvent, rows["created"], vary=by_order, returning=False),
            InsertSQL(OrderAttribution, rows["attribution"], vary=by_order, returning=False),
            InsertSQL(CommissionPlan, rows["plans"], vary=by_item, returning=False),
        ]
        self.pay = [
            InsertSQL(Payment, rows["payment"], vary={**by_order, "transaction_id": "txn"}, returning=False),
            InsertSQL(OrderEvent, rows["paid"], vary={**by_order, "message": "txn"}, returning=False),
            InsertSQL(CommissionRecord, rows["records"], vary={**by_order, **by_item}, returning=False),
        ]
        q = {m: m._meta.db_table for m in (SKU, Order, Payment, Member)}
        self.stock_sql = f"UPDATE {q[SKU]} SET stock = stock - 1 WHERE id = %(sku)s AND stock >= 1"
        self.lock_sql = f"SELECT id, state, total_amount FROM {q[Order]} WHERE number = %(number)s FOR UPDATE"
        self.dup_sql = (f"SELECT 1 FROM {q[Payment]}"
                        " WHERE provider = %(provider)s AND transaction_id = %(txn)s")
        self.paid_sql = (f"UPDATE {q[Order]} SET state = %(paid)s, paid_at = now()"
                         f" WHERE id = %(order)s AND state = %(pending)s")
        self.sales_sql = (f"UPDATE {q[Member]} SET own_paid_sales = own_paid_sales + %(sales)s"
                          " WHERE id = %(buyer)s")
        self.fixed = {"sku": sku.pk, "buyer": fx["buyer_member"], "provider": rows["payment"][0]["provider"],
                      "paid": Order.State.PAID, "pending": Order.State.PENDING_PAYMENT,
                      "sales": prepared(Member, "own_paid_sales", rows["item"][0]["paid_amount"])}

    def writes(self) -> Counter:
        return writes([self.stock_sql, self.paid_sql, self.sales_sql,
                       *(insert.sql for insert in (*self.checkout, *self.pay))])

    def run(self, n: int, *, prefix: str, label: str) -> list[float]:
        from django.db import connection, transaction

        params = [{**self.fixed, "number": f"{prefix}{i:016d}", "token": f"h5:{prefix}{i:020d}",
                   "txn": f"{prefix}FLOOR{i:020d}"} for i in range(n)]
        order_insert, item_insert, *rest = self.checkout
        latencies, self.checkout_latencies = [], []
        progress = Progress(label, n)
        for p in params:
            t0 = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(self.stock_sql, p)
                order_insert.execute(cur, p)
                p["order"] = cur.fetchone()[0]
                item_insert.execute(cur, p)
                p["item"] = cur.fetchone()[0]
                for insert in rest:
                    insert.execute(cur, p)
            self.checkout_latencies.append(time.perf_counter() - t0)
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(self.lock_sql, p)
                cur.execute(self.dup_sql, p)
                self.pay[0].execute(cur, p)
                cur.execute(self.paid_sql, p)
                self.pay[1].execute(cur, p)
                cur.execute(self.sales_sql, p)
                self.pay[2].execute(cur, p)
            latencies.append(time.perf_counter() - t0)
            progress.step()
        return latencies

    @property
    def statements(self) -> tuple[int, int]:
        return 1 + len(self.checkout), 4 + len(self.pay)  # + stock; + lock, dup check, 2 updates


def _check_same_writes(services: Counter, floor: Counter) -> None:
    def show(counts: Counter) -> str:
        return ", ".join(f"{verb} {table} ×{n}" for (verb, table), n in sorted(counts.items())) or "-"

    expect(services == floor,
           "the raw-SQL floor no longer does the same writes as checkout + payment (per order):\n"
           f"  only the code writes:  {show(services - floor)}\n"
           f"  only the floor writes: {show(floor - services)}\n"
           "  update the floor in bench/bench_orders.py")


def _report(db_name: str, n: int, services: dict, floor: list[float], floor_checkout: list[float],
            statements: tuple[int, int]) -> None:
    svc = services["latencies"]
    svc_rate, floor_rate = n / sum(svc), n / sum(floor)

    def ms(values: list[float], pct: float) -> float:
        return percentile(values, pct) * 1000

    say(f"bench_orders: checkout → pay, {n} orders, sequential, PostgreSQL ({db_name})")
    for label, values, rate in (("services", svc, svc_rate), ("raw SQL ", floor, floor_rate)):
        say(f"  {label} : {rate:8.1f} orders/s   p50 {ms(values, 50):6.2f} ms   p95 {ms(values, 95):6.2f} ms")
    say(f"  ratio (services / floor, mean latency): {floor_rate / svc_rate:.2f}   target <= 3")
    checkout = services["checkout_latencies"]
    floor_pay = [f - c for f, c in zip(floor, floor_checkout, strict=True)]
    pay = [t - c for t, c in zip(svc, checkout, strict=True)]
    for label, code, raw in (("checkout", checkout, floor_checkout), ("payment", pay, floor_pay)):
        say(f"    {label:9}: code p50 {ms(code, 50):6.2f} ms, floor p50 {ms(raw, 50):6.2f} ms,"
            f" ratio of means {sum(code) / sum(raw):.2f}")
    say(f"  queries per checkout: {services['checkout_queries']:.0f}   "
        f"per payment notice: {services['pay_queries']:.0f}   (floor: {statements[0]} + {statements[1]},"
        f" plus BEGIN/COMMIT)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run.py orders", description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=300)
    args = parser.parse_args(argv or [])
    n = args.orders
    db_name = bench_db_name(DB_BASE)
    with tempfile.TemporaryDirectory() as key_dir:
        os.environ["PAYMENT_SANDBOX_KEY_DIR"] = key_dir
        os.environ["PAYMENT_SANDBOX_AUTOGENERATE_KEYS"] = "true"
        os.environ["PAYMENT_NOTIFY_BASE_URL"] = "http://127.0.0.1:9"  # nobody listens: not delivered
        with bench_database(db_name, settings_module="config.settings.test", use_redis=False):
            logging.disable(logging.INFO)  # the provider's undelivered-notice lines are noise here
            fx = _fixtures(n)
            # Warm-up: imports, key loading, plan caches, first-use rows; the floor's rows come from it.
            warm = _run_services(WARM_UP, fx, label="warm-up (code)", sample=True)
            floor = Floor(fx, warm["rows"])
            floor.run(WARM_UP, prefix="W", label="warm-up (floor)")
            services = _run_services(n, fx, label="checkout → pay (code)")
            floor_latencies = floor.run(n, prefix="B", label="checkout → pay (raw SQL)")
            _check_same_writes(services["writes"], floor.writes())
            _report(db_name, n, services, floor_latencies, floor.checkout_latencies, floor.statements)
            keys = _coupons_for(fx, n + WARM_UP)
            _checkout_pairs(WARM_UP, {**fx, "coupon_keys": keys[n:]}, label="warm-up (with / without coupon)")
            without, with_coupon = _checkout_pairs(n, {**fx, "coupon_keys": keys[:n]},
                                                   label="checkout without / with coupon")
            _coupon_report(without, with_coupon)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
