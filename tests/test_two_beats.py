"""Two ``celery beat`` processes started by mistake double no effect (issue 15).

The production shape, compressed: two beats (each with its own schedule file, every interval
sweep due each second: ``QUANZI_BEAT_EVERY_SECONDS=1``) send every sweep twice as often as
one would, and two workers (two threads each) run them, so the same sweep runs at the same
moment in different processes. The world has due work for each money sweep:

- 24 received orders whose after-sales window has passed: ``close_aftersale_windows``
  closes them, then ``settle_commissions`` settles their commission (tier 1 ¥10, tier 2 ¥5);
  enough work that the sweeps' transactions last long enough to overlap;
- five unpaid orders past their deadline (2 units each of a SKU with 20): ``cancel_expired_orders``;
- one order paid at the provider whose notice never came: ``reconcile_payments`` records it.

The compressed schedule is aligned on the wall clock (config/beat.py), so both beats send each
sweep at the same instant, the worst case. Once each beat has sent each of those sweeps several
times, every effect must be there once.
"""

import re
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from config.celery import app
from distribution.models import CommissionRecord, LedgerEntry, Wallet
from distribution.wallet.services.reconcile import wallets_reconcile
from mall.models import SKU
from orders.models import Order, OrderEvent, OrderItem, Payment
from tests.celery_procs import BROKER, RUN_QUEUE, celery_env, celery_start, celery_stop, require_redis
from tests.distribution.commission_world import buy, make_world, receive, sku
from tests.mall.factories import SKUFactory
from tests.orders.conftest import _payment_settings, sandbox_key_dir  # noqa: F401
from tests.orders.factories import open_and_pay_at_cashier, place_order

MONEY_QUEUE, IDLE_QUEUE = f"{RUN_QUEUE}-beats-money", f"{RUN_QUEUE}-beats-idle"
SWEEPS = {  # beat entry → task, the sweeps this world has work for
    "orders-cancel-expired": "orders.tasks.cancel_expired_orders",
    "orders-reconcile-payments": "orders.tasks.reconcile_payments",
    "orders-close-aftersale-windows": "orders.tasks.close_aftersale_windows",
    "distribution-settle-commissions": "distribution.tasks.settle_commissions",
}
SENDS_PER_BEAT = 3  # each beat sends each sweep at least this often before we look
PAST = timedelta(minutes=10)
RECEIVED = 24  # orders of one unit at ¥100: ¥10 to the seller (tier 1) and ¥5 to the mid (tier 2)


def _world():
    world = make_world(tiers=2)
    goods = sku("100.00", "40.00", stock=100)
    received = [receive(buy(world.buyer, [(goods, 1)])) for _ in range(RECEIVED)]
    OrderItem.objects.filter(order__in=received).update(window_closes_at=timezone.now() - PAST)
    scarce = SKUFactory(stock=20)
    expired = [place_order(lines=[(scarce, 2)]) for _ in range(5)]
    Order.objects.filter(pk__in=[o.pk for o in expired]).update(payment_deadline=timezone.now() - PAST)
    lost_notice = buy(world.buyer, [(goods, 2)], paid=False)
    open_and_pay_at_cashier(lost_notice)
    Order.objects.filter(pk=lost_notice.pk).update(payment_started_at=timezone.now() - PAST)
    return world, goods, scarce, received, expired, lost_notice


def _sends(log: Path, entry: str) -> int:
    return log.read_text().count(f"Sending due task {entry} ")


def _all_done(received, expired, lost_notice) -> bool:
    settled = CommissionRecord.objects.filter(order_item__order__in=received, state="settled")
    return (settled.count() == 2 * RECEIVED
            and Order.objects.filter(pk__in=[o.pk for o in expired], state="cancelled").count() == 5
            and Order.objects.filter(pk=lost_notice.pk, state="paid").exists())


def _wait_until(predicate, *, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return predicate()


def _queue_length(name: str) -> int:
    with app.connection_for_write(BROKER) as conn:
        return conn.default_channel.client.llen(name)


def _purge(*names: str) -> None:
    with app.connection_for_write(BROKER) as conn:
        for name in names:
            conn.default_channel.queue_purge(name)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_beats_and_two_workers_settle_cancel_and_record_each_thing_exactly_once(tmp_path):
    require_redis()
    world, goods, scarce, received, expired, lost_notice = _world()
    env = celery_env(QUANZI_TEST_CELERY_EAGER="false", QUANZI_BEAT_EVERY_SECONDS="1",
                     QUANZI_QUEUE_MONEY=MONEY_QUEUE, QUANZI_QUEUE_MESSAGES=IDLE_QUEUE,
                     QUANZI_QUEUE_DEFAULT=IDLE_QUEUE, PAYMENT_NOTIFY_BASE_URL="http://127.0.0.1:9",
                     PAYMENT_SANDBOX_KEY_DIR=str(settings.PAYMENT_SANDBOX_KEY_DIR))
    _purge(MONEY_QUEUE, IDLE_QUEUE)
    workers = [celery_start(["worker", "--pool=threads", "--concurrency=2", "-Q", MONEY_QUEUE,
                             "-n", f"{MONEY_QUEUE}-{n}@%h", "--without-gossip", "--without-mingle",
                             "--without-heartbeat", "-l", "INFO"], env=env, log=tmp_path / f"worker-{n}.log")
               for n in (1, 2)]
    beat_logs = [tmp_path / f"beat-{n}.log" for n in (1, 2)]
    # Each beat with a schedule file of its own, as two hosts (or two `make prod`) would have.
    beats = [celery_start(["beat", "-s", str(tmp_path / f"schedule-{n}"),
                           "--pidfile", str(tmp_path / f"beat-{n}.pid"), "-l", "INFO"],
                          env=env, log=beat_logs[n - 1]) for n in (1, 2)]
    try:
        fired = _wait_until(lambda: all(_sends(log, entry) >= SENDS_PER_BEAT
                                        for log in beat_logs for entry in SWEEPS), seconds=45)
        _wait_until(lambda: _all_done(received, expired, lost_notice), seconds=10)
        celery_stop(*beats)
        drained = _wait_until(lambda: _queue_length(MONEY_QUEUE) == 0, seconds=20)
    finally:
        celery_stop(*beats, *workers)
        _purge(MONEY_QUEUE, IDLE_QUEUE)
    worker_log = "".join((tmp_path / f"worker-{n}.log").read_text() for n in (1, 2))

    # The run was what it claims: both beats sent every sweep several times, the workers ran
    # them (two threads each, so runs overlap) and nothing was left in the queue.
    assert fired, {log.name: {e: _sends(log, e) for e in SWEEPS} for log in beat_logs}
    assert drained
    for task in SWEEPS.values():
        runs = re.findall(rf"Task {re.escape(task)}\[[^\]]+\] succeeded", worker_log)
        assert len(runs) >= SENDS_PER_BEAT, task

    # Windows closed once each, orders completed; each record settled once, one ledger
    # credit per record, wallets hold exactly the sums.
    assert set(Order.objects.filter(pk__in=[o.pk for o in received]).values_list("state", flat=True)) == {
        "completed"}
    for order in received:
        assert OrderEvent.objects.filter(order=order, kind="item_window_closed").count() == 1
    settled = CommissionRecord.objects.filter(order_item__order__in=received)
    assert sorted(settled.values_list("state", "amount")) == [("settled", Decimal("5.00"))] * RECEIVED + [
        ("settled", Decimal("10.00"))] * RECEIVED
    credits = LedgerEntry.objects.filter(kind="commission_credit")
    assert sorted(credits.values_list("commission_record_id", flat=True)) == sorted(
        settled.values_list("pk", flat=True))
    assert not credits.values("commission_record").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert Wallet.objects.get(member=world.seller).available == Decimal("10.00") * RECEIVED
    assert Wallet.objects.get(member=world.mid).available == Decimal("5.00") * RECEIVED
    assert wallets_reconcile().ok

    # Each expired order cancelled once, its stock back once.
    for order in expired:
        assert Order.objects.get(pk=order.pk).state == "cancelled"
        assert OrderEvent.objects.filter(order=order, kind="cancelled").count() == 1
    assert SKU.objects.get(pk=scarce.pk).stock == 20

    # The lost notice's payment recorded once: one payment, one "paid" event, one commission
    # per tier (pending: its window is not even open).
    assert Order.objects.get(pk=lost_notice.pk).state == "paid"
    assert Payment.objects.filter(order=lost_notice).count() == 1
    assert OrderEvent.objects.filter(order=lost_notice, kind="paid").count() == 1
    assert sorted(CommissionRecord.objects.filter(order_item__order=lost_notice).values_list(
        "state", "amount")) == [("pending", Decimal("10.00")), ("pending", Decimal("20.00"))]
    assert SKU.objects.get(pk=goods.pk).stock == 100 - RECEIVED - 2

    # And no sweep failed on the way (a double caught only by a database backstop, e.g. the
    # ledger's unique (record, credit), shows up here).
    assert " raised unexpected" not in worker_log
