"""The consistency checks of a chaos run, on the stack's database (production settings).

Run as a script (``python bench/chaos/checks.py``, with the stack's environment): prints
one line per check and exits 1 when any fails. ``--break-one`` first corrupts one wallet
balance behind the ledger's back, to show that the checks do fail (then exits 1).
"""

import argparse
import io
import json
import os
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
STUCK_AFTER = timedelta(minutes=3)  # the sweeps run every minute: longer than this is stuck


def _duplicates(table: str, columns: str, where: str = "") -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM (SELECT {columns} FROM {table} {where}"
                       f" GROUP BY {columns} HAVING count(*) > 1) d")
        return cursor.fetchone()[0]


def run_checks() -> list[tuple[str, bool, str]]:
    from django.core.management import call_command
    from django.db.models import Count, Q, Sum
    from django.utils import timezone

    from distribution.models import CommissionPlan, CommissionRecord, LedgerEntry, Withdrawal
    from mall.models import SKU
    from orders.models import Order, OrderItem, Payment, Refund
    from orders.payments.sandbox.models import SandboxTrade

    results = []

    def check(name: str, ok: bool, detail: str = "") -> None:
        results.append((name, ok, detail))

    for command in ("check_referral_tree", "reconcile_wallets"):
        out = io.StringIO()
        try:
            call_command(command, stdout=out, stderr=out)
            check(command, True, out.getvalue().strip().splitlines()[-1] if out.getvalue().strip() else "")
        except (SystemExit, Exception) as exc:  # both commands exit non-zero on a finding
            check(command, False, (out.getvalue().strip() or str(exc))[-300:])

    accounts = json.loads((ROOT / "var" / "load" / "accounts.json").read_text())
    if Refund.objects.exists():
        check("stock + sold = initial", False, "refunds present: the chaos load makes none")
    else:
        live = ~Q(order__state=Order.State.CANCELLED)
        sold = dict(OrderItem.objects.filter(live).values("sku_id").annotate(n=Sum("quantity"))
                    .values_list("sku_id", "n"))
        stock = dict(SKU.objects.values_list("pk", "stock"))
        bad = [(s["sku_id"], stock[s["sku_id"]], sold.get(s["sku_id"], 0), s["initial_stock"])
               for s in accounts["skus"]
               if stock[s["sku_id"]] + sold.get(s["sku_id"], 0) != s["initial_stock"]]
        check("stock + sold = initial", not bad,
              f"{len(accounts['skus'])} SKUs" if not bad else f"bad (sku, stock, sold, initial): {bad[:5]}")

    paid_states = [Order.State.PAID, Order.State.SHIPPED, Order.State.RECEIVED, Order.State.COMPLETED]
    planned = (CommissionPlan.objects.filter(order_item__order__state__in=paid_states)
               .values("order_item__order_id").annotate(n=Count("pk")))
    recorded = dict(CommissionRecord.objects.values("order_id").annotate(n=Count("pk"))
                    .values_list("order_id", "n"))
    missing = [row["order_item__order_id"] for row in planned
               if recorded.get(row["order_item__order_id"], 0) == 0]
    too_many = [row["order_item__order_id"] for row in planned
                if recorded.get(row["order_item__order_id"], 0) > row["n"]]
    unpaid_with_records = CommissionRecord.objects.exclude(order__state__in=paid_states).exclude(
        order__state=Order.State.CANCELLED).count()
    problem = missing or too_many or unpaid_with_records
    check("paid orders have their commission records", not problem,
          f"{len(planned)} paid orders with plans" if not problem
          else f"missing {missing[:5]}, too many {too_many[:5]}, unpaid with records {unpaid_with_records}")

    dupes = {
        "payments per order": _duplicates(Payment._meta.db_table, "order_id"),
        "payments per transaction": _duplicates(Payment._meta.db_table, "provider, transaction_id"),
        "records per item and tier": _duplicates(CommissionRecord._meta.db_table, "order_item_id, tier"),
        "credits per record": _duplicates(LedgerEntry._meta.db_table, "commission_record_id",
                                          f"WHERE kind = '{LedgerEntry.Kind.COMMISSION_CREDIT}'"),
        "withdrawals per key": _duplicates(Withdrawal._meta.db_table, "wallet_id, idempotency_key"),
        "orders per client token": _duplicates(Order._meta.db_table, "user_id, client_token",
                                               "WHERE client_token <> ''"),
    }
    check("nothing duplicated", not any(dupes.values()),
          ", ".join(f"{k}: {v}" for k, v in dupes.items() if v)
          or "payments, records, credits, withdrawals, orders")

    old = timezone.now() - STUCK_AFTER
    unpaid_overdue = Order.objects.filter(state=Order.State.PENDING_PAYMENT, payment_deadline__lt=old).count()
    paid_at_provider = set(SandboxTrade.objects.filter(state=SandboxTrade.State.SUCCESS, success_time__lt=old)
                           .values_list("out_trade_no", flat=True))
    not_recorded = Order.objects.filter(
        number__in=paid_at_provider, state__in=[Order.State.PENDING_PAYMENT, Order.State.CANCELLED]).count()
    check("no order stuck", not unpaid_overdue and not not_recorded,
          f"unpaid past their deadline: {unpaid_overdue}, paid at the provider but not here: {not_recorded}")
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--break-one", action="store_true",
                        help="corrupt one wallet's balance first (the checks must then fail)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    import django

    django.setup()
    if args.break_one:
        from decimal import Decimal

        from django.db.models import F

        from common.fields import money_value
        from distribution.models import Wallet

        wallet = Wallet.objects.order_by("pk").first()
        Wallet.objects.filter(pk=wallet.pk).update(  # behind the ledger's back
            available=F("available") + money_value(Decimal("0.01")))
        print(f"  (broke wallet {wallet.pk} on purpose: +¥0.01 behind the ledger)")
    results = run_checks()
    for name, ok, detail in results:
        print(f"  {'ok  ' if ok else 'FAIL'} {name}: {detail}")
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
