"""The daily rollup: idempotent, re-runnable for a past day, all or nothing, safe in parallel;
the liability rebuilt from the ledger; the beat task and the backfill command."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from console import tasks
from console.dates import local_today
from console.models import (
    DailyBuyerSales,
    DailyLiability,
    DailyNewMembers,
    DailyProductSales,
    DailySales,
    RollupRun,
)
from console.selectors.figures import sales_summary
from console.selectors.filters import ReportFilter
from console.services import rollup
from console.services.rollup import figures_rollup_day
from distribution.commission.selectors import commission_liability
from orders.models import OrderState
from tests.concurrency import run_parallel
from tests.console.conftest import roll_up_world
from tests.console.world import _order, at, build_world

D = Decimal
TABLES = (DailySales, DailyProductSales, DailyBuyerSales, DailyNewMembers, DailyLiability)


def snapshot(day: datetime.date) -> dict:
    return {m.__name__: sorted(map(repr, m.objects.filter(day=day).values_list(
        *[f.attname for f in m._meta.concrete_fields if f.name != "id"]))) for m in TABLES}


def test_rolling_a_day_up_twice_gives_the_same_rows(world):
    before = snapshot(world.B)

    figures_rollup_day(day=world.B)
    figures_rollup_day(day=world.B)

    assert snapshot(world.B) == before
    # Day B: shops SA (o1) and SB (o3) → 2 sales rows; X in SA and X in SB → 2 product rows;
    # buyers (c1, SA) and (c2, SB) → 2; members: (mA, link) c1, (mA, qr) c2, (mB, code) c3,
    # and (no inviter, none) for mA becoming a reseller → 4; one liability row.
    assert {name: len(rows) for name, rows in before.items()} == {
        "DailySales": 2, "DailyProductSales": 2, "DailyBuyerSales": 2, "DailyNewMembers": 4,
        "DailyLiability": 1}
    assert RollupRun.objects.filter(day=world.B).count() == 1


def test_a_past_day_can_be_rolled_up_again_after_a_late_change(world):
    f = ReportFilter(first=world.B, last=world.day(1))
    # A late payment recorded for day B (e.g. a reconciled notice): 15.00 in shop SB.
    _order(world.c["c3"], world.SB, world.X.skus.first(), 1, "15.00", paid=at(world.B, 18),
           state=OrderState.PAID)
    assert sales_summary(f).gmv == D("230.00")  # 180 (B) + 50 (B+1): the tables do not know yet

    figures_rollup_day(day=world.B)

    # B: 180 + 15 = 195.00, 3 orders; B+1 untouched: 50.00, 2 orders → 245.00, 5 orders.
    assert (sales_summary(f).gmv, sales_summary(f).paid_orders) == (D("245.00"), 5)
    assert DailySales.objects.get(day=world.day(1), shop=world.SA).gmv == D("20.00")


def test_a_rollup_that_fails_halfway_leaves_the_day_as_it_was(world, monkeypatch):
    before = snapshot(world.B)

    def boom(*args, **kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(rollup, "_member_rows", boom)  # after the deletes and the first inserts
    with pytest.raises(RuntimeError):
        figures_rollup_day(day=world.B)

    assert snapshot(world.B) == before


def test_liability_is_what_was_owed_at_the_end_of_each_day(world):
    rows = {r.day: r for r in DailyLiability.objects.all()}

    # Pending at the end of B: k1 10.00 + k2 8.00 = 18.00 (k3 not made yet).
    # End of B+1: k3 was made and cancelled that day → still 18.00.
    # End of B+2: k2 settled at noon → 10.00; B+3 the same. B−1: nothing yet.
    assert [rows[world.day(n)].pending for n in (-1, 0, 1, 2, 3)] == [
        D("0.00"), D("18.00"), D("18.00"), D("10.00"), D("10.00")]
    # Every ledger entry was posted today, so the wallets owed nothing on those days.
    assert {(r.available, r.held, r.debt) for d, r in rows.items() if d < local_today()} == {
        (D("0.00"), D("0.00"), D("0.00"))}
    today = rows[local_today()]
    # Now: pending k1 10.00; mA 25.00 − 7.00 − 3.00 held = 15.00 available, 10.00 held;
    # mB −5.00 is debt, not netted against mA.
    assert (today.pending, today.available, today.held, today.debt) == (
        D("10.00"), D("15.00"), D("10.00"), D("5.00"))
    live = commission_liability()
    assert (live.pending, live.available, live.held, live.debt) == (
        today.pending, today.available, today.held, today.debt)


def test_the_beat_task_rolls_up_today_and_yesterday_and_can_run_twice(raw_world):
    today = local_today()

    tasks.rollup_recent_days()
    tasks.rollup_recent_days()

    assert sorted(RollupRun.objects.values_list("day", flat=True)) == [today - datetime.timedelta(days=1),
                                                                        today]
    assert DailyLiability.objects.count() == 2


def test_backfill_command_shows_progress_and_fills_every_day(raw_world):
    out = StringIO()

    call_command("console_backfill", "--from", raw_world.day(-1).isoformat(), "--to",
                 raw_world.day(3).isoformat(), stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"[1/5  20%] {raw_world.day(-1)}: 0 paid orders")
    assert lines[1].startswith(f"[2/5  40%] {raw_world.B}: 2 paid orders")
    assert lines[-1].startswith("rolled up 5 days")
    assert RollupRun.objects.filter(day__gte=raw_world.day(-1), day__lte=raw_world.day(3)).count() == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_rollups_of_one_day_at_once_both_finish_with_the_same_rows():
    w = build_world()
    roll_up_world(w)
    before = snapshot(w.B)

    results = run_parallel(3, lambda i: figures_rollup_day(day=w.B).paid_orders)

    # Without the day's lock the later inserts collide with the first run's (IntegrityError).
    assert results == [2, 2, 2]
    assert snapshot(w.B) == before


def test_demo_command_gives_the_demo_finance_staff_the_console_and_fills_90_days(db):
    from django.contrib.auth.models import Permission

    from distribution.demo import data as demo_data
    from tests.mall.factories import UserFactory

    finance = UserFactory(phone=demo_data.FINANCE_PHONE, is_staff=True)

    call_command("console_seed_demo", stdout=StringIO())
    call_command("console_seed_demo", stdout=StringIO())

    assert sorted(Permission.objects.filter(user=finance).values_list("codename", flat=True)) == [
        "export_finance", "export_reports", "view_dashboard", "view_reports"]
    assert RollupRun.objects.count() == 90
    assert RollupRun.objects.order_by("day").last().day == local_today()
