"""Bulk SQL for the console bench: members, shops, orders, items, refunds, commission and the
ledger, built with ``INSERT … SELECT … FROM generate_series`` (seconds per million rows).

Columns come from the models: every column the bench does not give an expression for is
bound once from its field's default, and a NOT NULL column without a default stops the build
(``BenchBroken``), so a new column is noticed instead of silently missing.

The shape (``n`` is the row number):
- users/members 1…M; the first S are resellers with shops 1…S (shop n is owned by user n);
  the others are downlines of one of them, joined over the last 100 days, one bind source
  in five each (link, QR, code, staff, none);
- orders 1…N: the first ``day_orders`` paid today (the rollup's day), the rest over the
  previous 99 days; one item each; one in fifty still to ship; 2 % refunded 5.00 a day later;
- one commission record per item, settled 15 days after payment (credited in the ledger).
"""

from bench.common import BenchBroken, Progress, say


def series_insert(model, exprs: dict[str, str], source: str, params: tuple = ()) -> int:
    """``INSERT INTO <model> (every column) SELECT <exprs or defaults> FROM <source>``."""
    from django.db import connection

    quote = connection.ops.quote_name
    columns, select, bound = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.attname not in exprs:
            continue  # the database numbers it
        columns.append(quote(field.column))
        if field.attname in exprs:
            select.append(exprs[field.attname])
            continue
        default = field.get_default()
        if default is None and not field.null:
            raise BenchBroken(f"{model.__name__}.{field.attname}: NOT NULL without a default; give it one")
        select.append("%s")
        bound.append(field.get_db_prep_save(default, connection))
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(columns)}) "
           f"SELECT {', '.join(select)} FROM {source}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*bound, *params])
        return cursor.rowcount


def _series(model, first: int, last: int, exprs: dict[str, str], label: str, step: int = 200_000) -> None:
    progress = Progress(label, last - first + 1)
    for start in range(first, last + 1, step):
        end = min(last, start + step - 1)
        series_insert(model, exprs, "generate_series(%s::bigint, %s::bigint) AS n", (start, end))
        progress.step(end - start + 1)


def _reset_sequences(models) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"(SELECT COALESCE(MAX(id), 1) FROM {table}))")


def _catalogue(products: int) -> None:
    from decimal import Decimal

    from mall.models import SKU, Category, Product, Supplier

    supplier = Supplier.objects.create(name="bench", contact_name="-", contact_phone="-",
                                       settlement_account_name="-", settlement_bank="-",
                                       settlement_account_no="-")
    category = Category.objects.create(name="bench")
    for i in range(1, products + 1):
        product = Product.objects.create(supplier=supplier, category=category, title=f"bench product {i}")
        SKU.objects.create(product=product, specs={}, spec_key="", price=Decimal("10.00"),
                           cost_price=Decimal("5.00"), stock=1)


def build(*, members: int, shops: int, orders: int, day_orders: int, products: int = 50) -> None:
    from django.db import connection

    from distribution.models import CommissionRecord, LedgerEntry, Member, Wallet
    from mall.models import Shop, User
    from orders.models import Order, OrderItem, Refund

    _catalogue(products)
    base = "(date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai')"
    _series(User, 1, members, {
        "id": "n", "password": "'!'", "phone": "'15' || lpad(n::text, 9, '0')", "nickname": "'m' || n",
        "is_superuser": "false", "date_joined": "now()"}, "users")
    _series(Member, 1, members, {
        "id": "n", "user_id": "n", "invite_code": "'B' || n",
        "parent_id": f"CASE WHEN n <= {shops} THEN NULL ELSE 1 + mod(n * 31, {shops}) END",
        "tree_id": f"CASE WHEN n <= {shops} THEN n ELSE 1 + mod(n * 31, {shops}) END",
        "depth": f"CASE WHEN n <= {shops} THEN 0 ELSE 1 END",
        "lft": f"CASE WHEN n <= {shops} THEN 1 ELSE 0 END",
        "rght": f"CASE WHEN n <= {shops} THEN 2 ELSE 0 END",
        "joined_at": f"{base} - interval '1 day' * mod(n, 100) + interval '1 second' * mod(n * 17, 86400)",
        "bind_source": "(ARRAY['link', 'qr', 'code', 'staff', ''])[1 + mod(n, 5)]",
        "is_reseller": f"n <= {shops}",
        "reseller_since": f"CASE WHEN n <= {shops} THEN {base} - interval '1 day' * mod(n, 100) END",
        "own_paid_sales": "0"}, "members")
    _series(Shop, 1, shops, {"id": "n", "owner_id": "n", "name": "'shop ' || n", "created_at": "now()",
                             "updated_at": "now()"}, "shops")
    rest = max(1, orders - day_orders)
    paid = (f"CASE WHEN n <= {day_orders} "
            f"THEN {base} + interval '1 second' * ((n - 1) * 86399 / {day_orders}) "
            f"ELSE {base} - interval '1 second' * (1 + (n - {day_orders} - 1)::bigint * 99 * 86400 / {rest}) "
            "END")
    total = "(1000 + mod(n * 37, 20000))"
    _series(Order, 1, orders, {
        "id": "n", "number": "'B' || lpad(n::text, 12, '0')", "user_id": f"1 + mod(n * 7919, {members})",
        "shop_id": f"1 + mod(n, {shops})",
        "state": "CASE WHEN mod(n, 50) = 0 THEN 'paid' ELSE 'completed' END",
        "subtotal": total, "total_amount": total, "shipping_fee": "0", "receiver": "'王'",
        "receiver_phone": "'13800000000'", "province": "'浙江省'", "city": "'杭州市'", "district": "'西湖区'",
        "address_detail": "'1 号'", "payment_deadline": paid, "paid_at": paid,
        "created_at": f"{paid} - interval '1 minute'"}, "orders")
    _series(OrderItem, 1, orders, {
        "id": "n", "order_id": "n", "sku_id": f"1 + mod(n, {products})",
        "product_id": f"1 + mod(n, {products})", "product_title": "'bench product'", "unit_price": total,
        "cost_price": f"{total} / 2", "quantity": "1",
        "line_amount": total, "paid_amount": total}, "order items")
    source = "orders_order o JOIN orders_orderitem i ON i.order_id = o.id"
    say("  refunds, commission records, ledger …")
    series_insert(Refund, {
        "id": "o.id", "order_id": "o.id", "order_item_id": "i.id", "kind": "'after_window'",
        "reason": "'bench'",
        "quantity": "1", "refund_no": "'BR' || o.id", "provider": "'sandbox'", "amount": "500",
        "state": "'succeeded'", "created_at": "o.paid_at + interval '1 day'",
        "succeeded_at": "o.paid_at + interval '1 day'"}, f"{source} WHERE mod(o.id, 50) = 7")
    settled = "o.paid_at < now() - interval '15 days'"
    series_insert(CommissionRecord, {
        "id": "o.id", "order_id": "o.id", "order_item_id": "i.id", "beneficiary_id": "o.shop_id", "tier": "1",
        "base_amount": "i.paid_amount", "rate": "0.1", "original_amount": "i.paid_amount / 10",
        "amount": "i.paid_amount / 10", "state": f"CASE WHEN {settled} THEN 'settled' ELSE 'pending' END",
        "created_at": "o.paid_at",
        "settled_at": f"CASE WHEN {settled} THEN o.paid_at + interval '15 days' END"},
        source)
    _series(Wallet, 1, shops, {"id": "n", "member_id": "n", "created_at": "now()", "updated_at": "now()"},
            "wallets")
    series_insert(LedgerEntry, {
        "wallet_id": "c.beneficiary_id", "kind": "'commission_credit'", "available_delta": "c.amount",
        "available_after": "0", "commission_record_id": "c.id", "created_at": "c.settled_at"},
        "distribution_commissionrecord c WHERE c.state = 'settled'")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE distribution_wallet w SET available = s.total FROM (SELECT wallet_id, "
                       "SUM(available_delta) AS total FROM distribution_ledgerentry GROUP BY wallet_id) s "
                       "WHERE s.wallet_id = w.id")
        _reset_sequences([User, Member, Shop, Order, OrderItem, Refund, CommissionRecord, Wallet])
        # As autovacuum would have left a live table: statistics, and the visibility map that
        # lets the to-do counts be index-only scans (without it, 20,000 heap pages per count).
        say("  VACUUM ANALYZE …")
        cursor.execute("VACUUM (ANALYZE)")
