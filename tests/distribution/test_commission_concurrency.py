"""I3 and I4 under real concurrency (PostgreSQL, parallel connections from threads or
HTTP requests to the live server)."""

import threading
import time
import urllib.request
from decimal import Decimal

import pytest
from django.db import OperationalError, connection, connections

from distribution.commission.services.records import commissions_settle_due
from distribution.models import CommissionRecord, LedgerEntry, Wallet, Withdrawal
from distribution.wallet.errors import InsufficientBalance
from distribution.wallet.services.payout_accounts import payout_account_create
from distribution.wallet.services.reconcile import wallets_reconcile
from distribution.wallet.services.wallet import wallet_adjust, wallet_for_member
from distribution.wallet.services.withdrawals import withdrawal_request
from orders.payments.sandbox import notices as sandbox_notices
from tests.distribution.commission_world import World, buy, close_windows, make_world, receive, sku
from tests.distribution.concurrency import run_parallel
from tests.distribution.factories import MemberFactory
from tests.orders.factories import open_and_pay_at_cashier

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
BANK_CARD = "6222021234567890128"


def test_twenty_concurrent_paid_notices_create_the_records_once(live_server, settings):
    world = make_world(tiers=2)
    order = buy(world.buyer, [(sku("100.00", "40.00"), 2)], paid=False)
    trade = open_and_pay_at_cashier(order)
    headers, body = sandbox_notices.trade_notice_build(trade)

    def send(_: int) -> int:
        request = urllib.request.Request(f"{live_server.url}/pay/notify/sandbox/", data=body,
                                         headers=headers, method="POST")
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status

    statuses = run_parallel(20, send)

    assert statuses == [204] * 20
    records = CommissionRecord.objects.filter(order=order)
    assert sorted(records.values_list("tier", "amount")) == [(1, Decimal("20.00")), (2, Decimal("10.00"))]


def _due_records(orders: int, *, world: World | None = None) -> World:
    world = world or make_world(tiers=2)
    product = sku("100.00", "40.00", stock=1000)
    for _ in range(orders):
        receive(buy(world.buyer, [(product, 1)]))
    close_windows()
    return world


def test_two_settlement_sweeps_at_once_settle_each_record_once():
    _due_records(orders=12)

    results = run_parallel(2, lambda _: commissions_settle_due(batch=5))

    assert sum(r.records for r in results) == 24
    assert CommissionRecord.objects.filter(state="settled").count() == 24
    assert LedgerEntry.objects.filter(kind="commission_credit").count() == 24
    assert wallets_reconcile().ok


def test_a_sweep_killed_mid_batch_then_rerun_settles_each_record_once():
    # Records settle in id order, 4 per batch: world A's 4 records make the first batch,
    # world B's 8 the next two. Holding B's tier-1 wallet row stalls the second batch.
    _due_records(orders=2)
    world_b = make_world(tiers=2, level_name="银牌")
    _due_records(orders=4, world=world_b)
    victim_wallet = Wallet.objects.get_or_create(member=world_b.seller)[0]
    holder = connections.create_connection("default")
    holder.set_autocommit(False)
    with holder.cursor() as cursor:  # hold a wallet row: the sweep's credit step will wait on it
        cursor.execute("SELECT id FROM distribution_wallet WHERE id = %s FOR UPDATE", [victim_wallet.pk])
    backend_pid: list[int] = []
    outcome: list[object] = []

    def sweep() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend_pid.append(cursor.fetchone()[0])
            outcome.append(commissions_settle_due(batch=4))
        except Exception as exc:  # the result under test
            outcome.append(exc)
        finally:
            connections.close_all()

    worker = threading.Thread(target=sweep)
    worker.start()
    killed = False
    for _ in range(400):  # wait until the sweep is blocked inside its second batch, then kill it
        with holder.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted AND pid = ANY(%s)",
                           [backend_pid or [0]])
            if cursor.fetchone()[0]:
                cursor.execute("SELECT pg_terminate_backend(%s)", [backend_pid[0]])
                killed = True
                break
        time.sleep(0.05)
    holder.rollback()
    holder.close()
    worker.join(timeout=60)
    outcome = outcome[0]

    assert killed
    assert isinstance(outcome, OperationalError)  # the worker died mid-batch
    settled_before_rerun = CommissionRecord.objects.filter(state="settled").count()
    assert settled_before_rerun == 4  # the first batch committed; the killed one left nothing
    assert LedgerEntry.objects.filter(kind="commission_credit").count() == 4

    rerun = commissions_settle_due(batch=4)

    assert rerun.records == 8
    assert CommissionRecord.objects.filter(state="settled").count() == 12
    assert LedgerEntry.objects.filter(kind="commission_credit").count() == 12
    assert wallets_reconcile().ok


def test_fifty_concurrent_withdrawals_of_the_whole_balance_accept_exactly_one():
    member = MemberFactory(is_reseller=True)
    wallet = wallet_for_member(member=member)
    wallet_adjust(wallet_id=wallet.pk, amount=Decimal("100.00"), operator=None, reason="测试入账")
    account = payout_account_create(member=member, channel="bank", holder_name="王小明", account=BANK_CARD,
                                 bank_name="工商银行")

    results = run_parallel(50, lambda i: withdrawal_request(
        member=member, amount="100.00", payout_account_id=account.pk, idempotency_key=f"key-{i:08d}")[0])

    accepted = [r for r in results if isinstance(r, Withdrawal)]
    refused = [r for r in results if isinstance(r, InsufficientBalance)]
    assert (len(accepted), len(refused)) == (1, 49)
    wallet.refresh_from_db()
    assert (wallet.available, wallet.held) == (Decimal("0.00"), Decimal("100.00"))
    assert wallets_reconcile().ok


def test_concurrent_requests_with_one_key_make_one_withdrawal():
    member = MemberFactory(is_reseller=True)
    wallet = wallet_for_member(member=member)
    wallet_adjust(wallet_id=wallet.pk, amount=Decimal("100.00"), operator=None, reason="测试入账")
    account = payout_account_create(member=member, channel="alipay", holder_name="王小明",
                                 account="13812345678")

    results = run_parallel(10, lambda _: withdrawal_request(
        member=member, amount="40.00", payout_account_id=account.pk, idempotency_key="same-key-0001"))

    assert all(isinstance(r, tuple) for r in results), results
    assert len({w.pk for w, _created in results}) == 1
    assert sorted(created for _w, created in results) == [False] * 9 + [True]
    wallet.refresh_from_db()
    assert (wallet.available, wallet.held) == (Decimal("60.00"), Decimal("40.00"))
