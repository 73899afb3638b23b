"""Checkout → pay benchmark on PostgreSQL, next to the raw-SQL floor for the same writes.

Run: ``python bench/bench_orders.py [--orders N]`` (or through ``bench/run.py``, which calls
``main()``). It creates its own database ``quanzi_bench_orders`` (dropped at the end),
migrates it and, per order, times:

- checkout: ``order_create`` (price snapshot, order + item + timeline rows, guarded
  stock decrement, ``order_created`` hook);
- pay: ``payment_notice_handle`` on a genuine sandbox notice (RSA-SHA256 verification,
  AES-GCM decryption, then the locked, idempotent ``payment_confirm``).

Opening the cashier and the provider signing the notice happen outside the timer: that
is the provider's work, not the shop's. The buyer is bound under a 2-reseller chain, so
both hooks of the distribution app do their real work (snapshot at checkout, commission
records at payment). The floor does the same rows with hand-written SQL on the same
connection: UPDATE sku, INSERT order/item/event/attribution/plans; then SELECT … FOR
UPDATE, INSERT payment, UPDATE order, INSERT event, UPDATE member, INSERT records, in two
transactions per order.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "quanzi_bench_orders"
PG_BASE = os.environ.get("BENCH_PG_BASE", "postgres://postgres@127.0.0.1:5432")


def _psql_admin(sql: str) -> None:
    import psycopg2

    conn = psycopg2.connect(f"{PG_BASE}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql)
    conn.close()


def _setup_django(key_dir: str) -> None:
    os.environ["DATABASE_URL"] = f"{PG_BASE}/{DB_NAME}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ["PAYMENT_SANDBOX_KEY_DIR"] = key_dir
    os.environ["PAYMENT_SANDBOX_AUTOGENERATE_KEYS"] = "true"
    os.environ["PAYMENT_NOTIFY_BASE_URL"] = "http://127.0.0.1:9"
    sys.path.insert(0, str(ROOT))
    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)  # the provider's undelivered-notice lines are noise here
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _fixtures(n: int) -> dict:
    from mall.models import SKU, Category, Product, Supplier, User
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
            stock=10 * n,
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
    return {"skus": skus, "user": user, "address": address, **chain}


def _referral_chain(buyer_user) -> dict:
    """The usual case: the buyer was invited by a reseller, who was invited by another, so
    checkout snapshots a 2-tier chain and payment creates 2 commission records."""
    from distribution.models import Member, ResellerLevel
    from distribution.services.members import member_create_for_user
    from distribution.services.rules import level_rate_set
    from mall.models import User

    level = ResellerLevel.objects.create(name="金牌", weight=10)
    level_rate_set(level=level, tier=1, rate=Decimal("0.10"), operator=None)
    level_rate_set(level=level, tier=2, rate=Decimal("0.05"), operator=None)
    mid = member_create_for_user(user=User.objects.create_user("13900000002", "bench-password-1"))
    seller = member_create_for_user(user=User.objects.create_user("13900000003", "bench-password-1"),
                                    invite_code=mid.invite_code)
    Member.objects.filter(pk__in=[mid.pk, seller.pk]).update(is_reseller=True, level=level)
    buyer = member_create_for_user(user=buyer_user, invite_code=seller.invite_code)
    return {"buyer_member": buyer.pk, "seller": seller.pk, "mid": mid.pk}


def _run_services(n: int, fx: dict) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orders.payments import sandbox_provider
    from orders.services.checkout import CheckoutLine, order_create
    from orders.services.payment import payment_notice_handle, payment_start

    sku = fx["skus"][0]
    latencies, checkout_queries, pay_queries = [], [], []
    for _ in range(n):
        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as q1:
            order = order_create(
                user=fx["user"], address=fx["address"], shop=fx["shop"], lines=[CheckoutLine(sku.pk, 1)]
            )
        t1 = time.perf_counter()
        start = payment_start(order=order)  # provider side: not timed
        trade = sandbox_provider.cashier_pay(token=start.cashier_url.rstrip("/").rsplit("/", 1)[-1])
        headers, body = sandbox_provider.trade_notice_build(trade)
        t2 = time.perf_counter()
        with CaptureQueriesContext(connection) as q2:
            payment_notice_handle(provider="sandbox", headers=headers, body=body)
        t3 = time.perf_counter()
        latencies.append((t1 - t0) + (t3 - t2))
        if os.environ.get("BENCH_SHOW_QUERIES") and not checkout_queries:
            for q in (*q1.captured_queries, *q2.captured_queries):
                print("   ", q["time"], q["sql"][:150])
        checkout_queries.append(len(q1))
        pay_queries.append(len(q2))
    return {
        "latencies": latencies,
        "checkout_queries": statistics.median(checkout_queries),
        "pay_queries": statistics.median(pay_queries),
    }


CHECKOUT_SQL = [
    "UPDATE mall_sku SET stock = stock - 1 WHERE id = %(sku)s AND stock >= 1",
    """INSERT INTO orders_order (number, user_id, shop_id, state, subtotal, discount_amount, shipping_fee,
       total_amount, note, receiver, receiver_phone, province, city, district, address_detail,
       payment_deadline, payment_provider, carrier, tracking_no, cancel_reason, created_at)
       VALUES (%(number)s, %(user)s, %(shop)s, 'pending_payment', 39.90, 0, 10.00, 49.90, '', '压测',
       '13800138000', '浙江省', '杭州市', '西湖区', '1 号', now() + interval '30 minutes', '', '', '', '',
       now()) RETURNING id""",
    """INSERT INTO orders_orderitem (order_id, sku_id, product_id, product_title, sku_specs, sku_spec_text,
       unit_price, cost_price, quantity, line_amount, discount_amount, paid_amount, refunded_quantity,
       refunded_amount) VALUES (%(order)s, %(sku)s, %(product)s, '压测商品', '{}', '', 39.90, 20.00, 1, 39.90,
       0, 39.90, 0, 0) RETURNING id""",
    "INSERT INTO orders_orderevent (order_id, kind, message, created_at)"
    " VALUES (%(order)s, 'created', '', now())",
    # distribution's snapshot (order_created hook): who earns what on this order
    "INSERT INTO distribution_orderattribution (order_id, buyer_id, reseller_id, policy, tiers, cap_rate,"
    " created_at) VALUES (%(order)s, %(buyer)s, %(seller)s, 'binding', 2, 0.5, now())",
    "INSERT INTO distribution_commissionplan (order_item_id, tier, beneficiary_id, level_name, rate)"
    " VALUES (%(item)s, 1, %(seller)s, '金牌', 0.1), (%(item)s, 2, %(mid)s, '金牌', 0.05)",
]
PAY_SQL = [
    "SELECT id, state, total_amount FROM orders_order WHERE number = %(number)s FOR UPDATE",
    "SELECT 1 FROM orders_payment WHERE provider = 'sandbox' AND transaction_id = %(txn)s",
    """INSERT INTO orders_payment (order_id, provider, transaction_id, amount, paid_at, source, raw,
       created_at) VALUES (%(order)s, 'sandbox', %(txn)s, 49.90, now(), 'notice', '{}', now())""",
    "UPDATE orders_order SET state = 'paid', paid_at = now()"
    " WHERE id = %(order)s AND state = 'pending_payment'",
    "INSERT INTO orders_orderevent (order_id, kind, message, created_at)"
    " VALUES (%(order)s, 'paid', '', now())",
    # distribution's records (order_paid hook)
    "UPDATE distribution_member SET own_paid_sales = own_paid_sales + 39.90 WHERE id = %(buyer)s",
    "INSERT INTO distribution_commissionrecord (order_id, order_item_id, beneficiary_id, tier, level_name,"
    " base_amount, rate, original_amount, amount, reversed_amount, state, created_at) VALUES"
    " (%(order)s, %(item)s, %(seller)s, 1, '金牌', 39.90, 0.1, 3.99, 3.99, 0, 'pending', now()),"
    " (%(order)s, %(item)s, %(mid)s, 2, '金牌', 39.90, 0.05, 1.99, 1.99, 0, 'pending', now())",
]


def _run_floor(n: int, fx: dict, shop_id: int, prefix: str) -> list[float]:
    from django.db import connection, transaction

    sku = fx["skus"][1]
    latencies = []
    for i in range(n):
        params = {
            "sku": sku.pk,
            "product": sku.product_id,
            "user": fx["user"].pk,
            "shop": shop_id,
            "number": f"{prefix}{i:016d}",
            "txn": f"{prefix}FLOOR{i:020d}",
            "buyer": fx["buyer_member"],
            "seller": fx["seller"],
            "mid": fx["mid"],
        }
        t0 = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(CHECKOUT_SQL[0], params)
            cur.execute(CHECKOUT_SQL[1], params)
            params["order"] = cur.fetchone()[0]
            cur.execute(CHECKOUT_SQL[2], params)
            params["item"] = cur.fetchone()[0]
            for sql in CHECKOUT_SQL[3:]:
                cur.execute(sql, params)
        with transaction.atomic(), connection.cursor() as cur:
            for sql in PAY_SQL:
                cur.execute(sql, params)
        latencies.append(time.perf_counter() - t0)
    return latencies


def _report(n: int, services: dict, floor: list[float]) -> None:
    svc = services["latencies"]
    svc_rate, floor_rate = n / sum(svc), n / sum(floor)
    print(f"bench_orders: checkout → pay, {n} orders, sequential, PostgreSQL ({DB_NAME})")
    print(
        f"  services : {svc_rate:8.1f} orders/s   p50 {_pct(svc, 0.5) * 1000:6.2f} ms   "
        f"p95 {_pct(svc, 0.95) * 1000:6.2f} ms"
    )
    print(
        f"  raw SQL  : {floor_rate:8.1f} orders/s   p50 {_pct(floor, 0.5) * 1000:6.2f} ms   "
        f"p95 {_pct(floor, 0.95) * 1000:6.2f} ms"
    )
    print(
        f"  ratio (services / floor, mean latency): {floor_rate and svc_rate and floor_rate / svc_rate:.2f}"
        f"   target <= 5"
    )
    print(
        f"  queries per checkout: {services['checkout_queries']:.0f}   "
        f"per payment notice: {services['pay_queries']:.0f}   (floor: {len(CHECKOUT_SQL)} + {len(PAY_SQL)},"
        f" plus BEGIN/COMMIT)"
    )


def child(n: int) -> None:
    with tempfile.TemporaryDirectory() as key_dir:
        _setup_django(key_dir)
        from mall.services.shops import platform_shop_get

        fx = _fixtures(n)
        fx["shop"] = platform_shop_get()  # a view passes the session's shop, already loaded
        shop_id = fx["shop"].pk
        _run_services(min(20, n), fx)  # warm-up: imports, key loading, plan caches
        _run_floor(min(20, n), fx, shop_id, "W")
        services = _run_services(n, fx)
        floor = _run_floor(n, fx, shop_id, "B")
        _report(n, services, floor)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=300)
    args = parser.parse_args(argv if argv is not None else [])
    _psql_admin(f"DROP DATABASE IF EXISTS {DB_NAME}")
    _psql_admin(f"CREATE DATABASE {DB_NAME}")
    try:
        # A fresh interpreter: Django may already be set up on another database by bench/run.py.
        return subprocess.call(
            [sys.executable, str(Path(__file__).resolve()), "--child", "--orders", str(args.orders)], cwd=ROOT
        )
    finally:
        _psql_admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


if __name__ == "__main__":
    if "--child" in sys.argv:
        parsed = argparse.ArgumentParser()
        parsed.add_argument("--child", action="store_true")
        parsed.add_argument("--orders", type=int, default=300)
        child(parsed.parse_args().orders)
    else:
        sys.exit(main(sys.argv[1:]))
