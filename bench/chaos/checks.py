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
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
# The sweeps run every 15 s to 1 min: due for longer than this is stuck (CHAOS_STUCK_SECONDS).
STUCK_AFTER = timedelta(seconds=int(os.environ.get("CHAOS_STUCK_SECONDS", "180")))


def _duplicates(table: str, columns: str, where: str = "") -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM (SELECT {columns} FROM {table} {where}"
                       f" GROUP BY {columns} HAVING count(*) > 1) d")
        return cursor.fetchone()[0]


def _tree_and_wallets(check) -> None:
    from django.core.management import call_command

    for command in ("check_referral_tree", "reconcile_wallets"):
        out = io.StringIO()
        try:
            call_command(command, stdout=out, stderr=out)
            check(command, True, out.getvalue().strip().splitlines()[-1] if out.getvalue().strip() else "")
        except (SystemExit, Exception) as exc:  # both commands exit non-zero on a finding
            check(command, False, (out.getvalue().strip() or str(exc))[-300:])


def _stock(check, accounts: dict) -> None:
    """stock + sold = initial per SKU, over the load's orders (after ``last_order_before``):
    a cancelled order gave its stock back, a live one holds it. A demo order that was unpaid
    at the top-up and has been cancelled since gave stock back on top of the initial."""
    from django.db import connection, transaction

    # One snapshot (REPEATABLE READ): under the load, a checkout committing between the
    # stock and the sold reads would show one unit missing that is not.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        _stock_in_snapshot(check, accounts)


def _stock_in_snapshot(check, accounts: dict) -> None:
    from django.db.models import Q, Sum

    from mall.models import SKU
    from orders.models import Order, OrderItem, Refund

    after = Q(order_id__gt=accounts["last_order_before"])
    if Refund.objects.filter(after).exists():
        check("stock + sold = initial", False, "refunds on the load's orders: the chaos load makes none")
        return
    sold = dict(OrderItem.objects.filter(after).exclude(order__state=Order.State.CANCELLED)
                .values("sku_id").annotate(n=Sum("quantity")).values_list("sku_id", "n"))
    released = dict(OrderItem.objects.filter(order_id__in=accounts.get("unpaid_orders_before", []),
                                             order__state=Order.State.CANCELLED)
                    .values("sku_id").annotate(n=Sum("quantity")).values_list("sku_id", "n"))
    stock = dict(SKU.objects.values_list("pk", "stock"))
    bad = []
    for s in accounts["skus"]:
        sku = s["sku_id"]
        if stock[sku] + sold.get(sku, 0) - released.get(sku, 0) != s["initial_stock"]:
            bad.append((sku, stock[sku], sold.get(sku, 0), released.get(sku, 0), s["initial_stock"]))
    cancelled = Order.objects.filter(pk__gt=accounts["last_order_before"],
                                     state=Order.State.CANCELLED).count()
    check("stock + sold = initial", not bad,
          f"{len(accounts['skus'])} SKUs, {sum(sold.values())} units held by live orders,"
          f" {cancelled} cancelled orders gave theirs back" if not bad
          else f"bad (sku, stock, sold, released, initial): {bad[:5]}")


def _expected_records(order_ids: list[int]) -> set[tuple[int, int, int, Decimal]]:
    """(item, tier, beneficiary, amount at payment) that the commission rules give each
    paid order: its frozen plans through the engine's arithmetic (``calc``), keeping only
    amounts above zero, exactly as ``commission_create_for_order`` writes them."""
    from distribution.commission.calc import TierTerm, item_commissions
    from distribution.models import CommissionPlan, OrderAttribution

    caps = dict(OrderAttribution.objects.filter(order_id__in=order_ids).values_list("order_id", "cap_rate"))
    by_item: dict[int, list[CommissionPlan]] = {}
    for plan in (CommissionPlan.objects.filter(order_item__order_id__in=order_ids)
                 .select_related("order_item").order_by("order_item_id", "tier")):
        by_item.setdefault(plan.order_item_id, []).append(plan)
    expected = set()
    for item_id, plans in by_item.items():
        item = plans[0].order_item
        amounts = item_commissions(
            base=item.paid_amount, quantity=item.quantity, unit_cost=item.cost_price,
            cap_rate=caps[item.order_id],
            terms=[TierTerm(tier=p.tier, beneficiary_id=p.beneficiary_id, rate=p.rate,
                            fixed_per_unit=p.fixed_per_unit) for p in plans])
        expected |= {(item_id, p.tier, p.beneficiary_id, amounts[p.tier])
                     for p in plans if amounts[p.tier] > 0}
    return expected


def _commission(check, accounts: dict) -> None:
    """Every paid order of the load has exactly the records its plans give (none missing,
    none extra, the amounts of the rules); an order never paid has none."""
    from distribution.models import CommissionRecord
    from orders.models import Order

    paid_states = [Order.State.PAID, Order.State.SHIPPED, Order.State.RECEIVED, Order.State.COMPLETED]
    load = Order.objects.filter(pk__gt=accounts["last_order_before"])
    paid = list(load.filter(state__in=paid_states).values_list("pk", flat=True))
    expected = _expected_records(paid)
    actual = set(CommissionRecord.objects.filter(order_id__in=paid)
                 .values_list("order_item_id", "tier", "beneficiary_id", "original_amount"))
    unpaid = CommissionRecord.objects.filter(order__in=load.exclude(state__in=paid_states)).count()
    missing, extra = expected - actual, actual - expected
    ok = not missing and not extra and not unpaid
    check("paid orders have exactly their commission records", ok,
          f"{len(paid)} paid orders, {len(actual)} records" if ok
          else f"missing {sorted(missing)[:5]}, extra {sorted(extra)[:5]}, on unpaid orders {unpaid}")


def _duplicates_check(check) -> None:
    from distribution.models import CommissionRecord, LedgerEntry, Withdrawal
    from orders.models import Order, Payment

    ledger = LedgerEntry._meta.db_table
    dupes = {
        "payments per order": _duplicates(Payment._meta.db_table, "order_id"),
        "payments per transaction": _duplicates(Payment._meta.db_table, "provider, transaction_id"),
        "records per item and tier": _duplicates(CommissionRecord._meta.db_table, "order_item_id, tier"),
        "credits per record": _duplicates(ledger, "commission_record_id",
                                          f"WHERE kind = '{LedgerEntry.Kind.COMMISSION_CREDIT}'"),
        "ledger entries per withdrawal and kind": _duplicates(ledger, "withdrawal_id, kind",
                                                              "WHERE withdrawal_id IS NOT NULL"),
        "withdrawals per key": _duplicates(Withdrawal._meta.db_table, "wallet_id, idempotency_key"),
        "orders per client token": _duplicates(Order._meta.db_table, "user_id, client_token",
                                               "WHERE client_token <> ''"),
    }
    check("nothing duplicated", not any(dupes.values()),
          ", ".join(f"{k}: {v}" for k, v in dupes.items() if v)
          or f"{len(dupes)} kinds: payments, records, ledger credits and holds, withdrawals, orders")


def _stuck(check) -> None:
    """What a sweep should have moved on by now. Each count allows STUCK_AFTER past the
    moment the thing became due (sweeps run every 15 s to 1 min; a restart may cost one
    round), so work that is legitimately still waiting is not counted."""
    from django.utils import timezone

    from distribution.models import CommissionRecord
    from orders.models import Order
    from orders.payments.sandbox.models import SandboxTrade

    old = timezone.now() - STUCK_AFTER
    counts = {
        # cancel_expired_orders (1 min): unpaid past the deadline
        "unpaid past their deadline": Order.objects.filter(state=Order.State.PENDING_PAYMENT,
                                                           payment_deadline__lt=old).count(),
        # notices (15 s) and reconcile_payments (1 min): paid at the provider, no payment here
        # (a cancelled order with its payment is one refunded in full: not stuck)
        "paid at the provider but not here": Order.objects.filter(
            number__in=SandboxTrade.objects.filter(state=SandboxTrade.State.SUCCESS, success_time__lt=old)
            .values("out_trade_no"), payment__isnull=True).count(),
        # redeliver_notices (15 s): a notice whose turn came and went
        "notices overdue for redelivery": SandboxTrade.objects.filter(
            state=SandboxTrade.State.SUCCESS, notice_delivered_at__isnull=True,
            next_notice_at__lt=old).count(),
        # settle_commissions (1 min): pending commission on an item whose window has closed
        "due commission unsettled": CommissionRecord.objects.filter(
            state=CommissionRecord.State.PENDING, order_item__window_closed_at__lt=old).count(),
    }
    check("no order stuck", not any(counts.values()), ", ".join(f"{k}: {v}" for k, v in counts.items()))


def run_checks() -> list[tuple[str, bool, str]]:
    results = []

    def check(name: str, ok: bool, detail: str = "") -> None:
        results.append((name, ok, detail))

    accounts = json.loads(Path(os.environ.get("LOAD_ACCOUNTS", ROOT / "var" / "load" / "accounts.json"))
                          .read_text())
    _tree_and_wallets(check)
    _stock(check, accounts)
    _commission(check, accounts)
    _duplicates_check(check)
    _stuck(check)
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
