"""crm benchmark (issue 14): evaluating an audience pack over N members, the outbox
dispatcher's throughput through two Celery worker processes with the cap check on, and the
daily profile computation over N members.

    python bench/run.py crm [--members 1000000] [--messages 100000]

PostgreSQL only; builds and drops its own database (``quanzi_bench_crm_<run id>``).

- Members and their daily profiles are written set-based (``generate_series``), with
  stages, spend and last orders spread deterministically; a pack of three conditions
  (stage in 沉睡/流失, spend ≥ ¥100, KOC false) is counted with ``pack_preview_count`` and
  frozen (its id list read) as ``pack_send`` does. Target: ≤ 5 s at 1,000,000 members.
- The dispatcher, through the production path: ``messages_enqueue`` queues M inbox
  messages over M/2 members (two each, so the 1-a-day cap skips half; the cap check is on,
  quiet hours are switched off), then two real ``celery -A config worker --pool=solo``
  processes (one process each; Redis broker, this run's own queues through
  ``QUANZI_QUEUE_*``, the bench database) take ``crm.tasks.dispatch_outbox`` tasks sent
  with ``app.send_task``. The backlog is fanned out as small tasks (``max_batches`` ≤ 10
  claims of 500, about eight per worker process, plus two spare ones that find the queue
  empty), so both processes work until the end; concurrent runs split the rows with SKIP
  LOCKED. Timed from the first send until no message is queued (polled in the database).
  Target: ≥ 1,000 messages/s. Each worker's share is read from its log. The cap-check cost
  is timed apart: the per-batch window-count query over 500 members, per message.
- The daily profile: a referral member for every user (most parents with 3-4 direct
  sign-ups) and N/2 orders over the first third of the users (one or two each, over 200
  days, one in twenty cancelled) are written set-based; then ``profiles_compute`` runs in a
  fresh process over the N members (over the profiles written above, so every row is an
  update, as in the nightly run): its time, its peak RSS (VmHWM) and the stages reached.
"""

import argparse
import multiprocessing
import os
import re
import resource
import shutil
import time
from datetime import time as time_of_day
from datetime import timedelta
from pathlib import Path

from bench.common import (
    Progress,
    bench_database,
    bench_db_name,
    bench_queue,
    celery_workers,
    expect,
    heartbeat,
    queues_delete,
    redis_required,
    say,
    setup_django,
)

DB_BASE = "quanzi_bench_crm"
DB_NAME = bench_db_name(DB_BASE)
SMOKE_ARGS = ["--members", "3000", "--messages", "2000"]


def _members(n: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO mall_user (password, is_superuser, phone, nickname, avatar, is_staff, is_active,"
            " date_joined) SELECT '!', false, (12000000000 + g)::text, 'm' || g, '', false, true,"
            " now() - interval '200 days'"
            " FROM generate_series(1, %s) g", [n])
        cursor.execute(
            "INSERT INTO crm_memberprofile (user_id, paid_orders, spend, first_paid_at, last_paid_at, stage,"
            " previous_stage, r_score, f_score, m_score, invites, invitee_orders, is_koc, koc_from_funnel,"
            " computed_on)"
            " SELECT id, id % 7, (id % 97) * 1000, now() - interval '150 days',"
            " now() - ((id % 120) || ' days')::interval,"
            " (ARRAY['new','active','asleep','lost'])[1 + id % 4], '', 1 + id % 3, 1 + id % 3, 1 + id % 3,"
            " id % 5, id % 3, id % 50 = 0, false, current_date FROM mall_user")
        cursor.execute("ANALYZE mall_user; ANALYZE crm_memberprofile")


def bench_pack(members: int) -> None:
    from crm.services.packs import pack_members, pack_preview_count

    conditions = {"stages": ["asleep", "lost"], "min_spend": "100", "koc": False}
    started = time.perf_counter()
    _members(members)
    say(f"  {members:,} members and profiles written in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    count = pack_preview_count(conditions=conditions)
    counted = time.perf_counter() - started
    started = time.perf_counter()
    frozen = list(pack_members(conditions=conditions))
    froze = time.perf_counter() - started
    expect(count == len(frozen) > 0, "the preview count and the frozen list differ")
    say(f"  pack of 3 conditions over {members:,} members: {count:,} match; count {counted:.2f} s,"
        f" freeze (read the id list) {froze:.2f} s   target: ≤ 5 s")


WORKERS = 2
_RESULT = re.compile(r"dispatch_outbox\[[^\]]+\] succeeded in [\d.]+s: (\d+)")


def _enqueue(messages: int) -> list[int]:
    from django.utils import timezone

    from crm.models import MessageTemplate, ReachSettings, SourceKind
    from crm.rules import in_quiet_hours
    from crm.services.outbox import messages_enqueue
    from mall.models import User

    reach = ReachSettings.get_solo()
    if in_quiet_hours(timezone.now(), start=reach.quiet_start, end=reach.quiet_end):
        # measure decisions to send, not deferrals
        ReachSettings.objects.update(quiet_start=time_of_day(0), quiet_end=time_of_day(0))
        say("  (quiet hours now: switched off for the bench, so messages are decided, not deferred)")
    ids = list(User.objects.order_by("pk").values_list("pk", flat=True)[: messages // 2])
    template = MessageTemplate.objects.create(name="bench", title="{nickname}", body="hi {nickname}")
    started = time.perf_counter()
    for occasion in ("a", "b"):
        messages_enqueue(template=template, user_ids=ids, source_kind=SourceKind.STAFF, source_id=1,
                         occasion=occasion)
    say(f"  enqueued {2 * len(ids):,} messages in {time.perf_counter() - started:.1f} s")
    return ids


def _fan_out(total: int) -> tuple[int, int]:
    """(tasks, batches per task): small tasks, several per worker process, so both stay busy
    to the end; a few spare tasks, which find the queue empty and return at once."""
    from crm.services.dispatch import BATCH_SIZE

    batches = max(1, -(-total // BATCH_SIZE))
    per_task = min(10, max(1, -(-batches // (8 * WORKERS))))
    return -(-batches // per_task) + WORKERS, per_task


def _wait_empty(total: int, started: float) -> float:
    """Poll the outbox until no message is queued (a claimed batch stays queued until its
    commit); the seconds since ``started``."""
    from crm.models import Message, MessageState

    queued = Message.objects.filter(state=MessageState.QUEUED)
    shown = time.perf_counter()
    while queued.exists():
        time.sleep(0.1)
        if time.perf_counter() - shown >= 5:
            shown = time.perf_counter()
            say(f"  … {total - queued.count():,}/{total:,} decided after {shown - started:.0f} s")
        expect(shown - started < 900, "the outbox was not drained in 900 s")
    return time.perf_counter() - started


def _worker_shares(workers) -> list[tuple[int, int]]:
    """(tasks, messages decided) of each worker process, from its log."""
    shares = []
    for log in workers.logs:
        results = [int(n) for n in _RESULT.findall(log.read_text())]
        shares.append((len(results), sum(results)))
    return shares


def bench_dispatch(messages: int) -> None:
    from django.utils import timezone

    from config.celery import app
    from crm.models import Message, MessageState
    from crm.services.dispatch import BATCH_SIZE, _sent_counts

    redis_required("The dispatcher bench")
    queue = bench_queue("messages")
    queues = {"QUANZI_QUEUE_MESSAGES": queue, "QUANZI_QUEUE_DEFAULT": bench_queue("default"),
              "QUANZI_QUEUE_MONEY": bench_queue("money")}
    ids = _enqueue(messages)
    total = 2 * len(ids)
    tasks, per_task = _fan_out(total)
    # A production worker keeps its database connection (production settings: 60 s).
    try:
        with celery_workers(queues=[queue], processes=WORKERS,
                            env={**queues, "DJANGO_CONN_MAX_AGE": "60"}) as workers:
            started = time.perf_counter()
            with app.connection_for_write() as conn:
                for _ in range(tasks):
                    app.send_task("crm.tasks.dispatch_outbox", kwargs={"max_batches": per_task}, queue=queue,
                                  connection=conn)
            elapsed = _wait_empty(total, started)
    finally:
        left = queues_delete([queue])  # spare tasks not run yet: the queue is this run's own
    say(f"  {tasks} tasks of ≤ {per_task} batches of {BATCH_SIZE} sent; {left} spare ones left unrun")
    sent = Message.objects.filter(state=MessageState.SENT).count()
    decided = Message.objects.exclude(state=MessageState.QUEUED).count()
    expect(decided == total and sent == len(ids), f"decided {decided}, sent {sent} of {total}")
    shares = _worker_shares(workers)
    expect(sum(n for _t, n in shares) == total, f"the workers' logs account for {shares}, not {total}")
    expect(total <= BATCH_SIZE or all(n for _t, n in shares), f"a worker process did no work: {shares}")
    shutil.rmtree(workers.logdir)  # kept when a check failed
    say(f"  {WORKERS} Celery worker processes (--pool=solo, over Redis) decided {decided:,} messages"
        f" in {elapsed:.1f} s: {decided / elapsed:,.0f} messages/s ({sent:,} sent, {decided - sent:,}"
        f" skipped by the 1-a-day cap)   target: ≥ 1,000/s")
    say("  per worker process: " + "; ".join(f"{t} tasks, {n:,} messages" for t, n in shares)
        + f"; load average {os.getloadavg()[0]:.1f}")
    sample = ids[:500]
    starts = [timezone.now() - timedelta(days=d) for d in (1, 7)]
    rounds = 20
    started = time.perf_counter()
    for _ in range(rounds):
        _sent_counts(sample, starts)
    per = (time.perf_counter() - started) / (rounds * len(sample))
    say(f"  cap check (window counts of a 500-member batch): {per * 1e6:.0f} µs per message")


def _profile_inputs(members: int) -> int:
    """Referral members for every user (a quarter of them each with 3-4 direct sign-ups)
    and members/2 paid orders over the first third of the users (one or two each, paid
    over the last 200 days, one in twenty cancelled). Returns the orders written."""
    from django.db import connection

    from bench.console_data import series_insert
    from distribution.models import Member
    from mall.models import Shop
    from orders.models import Order

    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM mall_user")
        expect(cursor.fetchone() == (1, members), "the users are not numbered 1…members")
    progress = Progress("referral members", members)
    for start in range(1, members + 1, 200_000):
        end = min(members, start + 199_999)
        series_insert(Member, {
            "id": "n", "user_id": "n", "invite_code": "'C' || n",
            "parent_id": "CASE WHEN n < 8 OR mod(n, 5) = 0 THEN NULL ELSE n / 4 END",
            "tree_id": "n", "depth": "CASE WHEN n < 8 OR mod(n, 5) = 0 THEN 0 ELSE 1 END",
            "lft": "CASE WHEN n < 8 OR mod(n, 5) = 0 THEN 1 ELSE 0 END",
            "rght": "CASE WHEN n < 8 OR mod(n, 5) = 0 THEN 2 ELSE 0 END",
            "joined_at": "now() - interval '200 days'"},
            "generate_series(%s::bigint, %s::bigint) AS n", (start, end))
        progress.step(end - start + 1)
    series_insert(Shop, {"id": "1", "owner_id": "1", "name": "'bench'", "created_at": "now()",
                         "updated_at": "now()"}, "(SELECT 1) AS one")
    orders, buyers = members // 2, max(1, members // 3)
    paid = "now() - interval '1 hour' * mod(n * 37, 4800)"
    total = "(1000 + mod(n * 37, 60000))"
    progress = Progress("orders", orders)
    for start in range(1, orders + 1, 200_000):
        end = min(orders, start + 199_999)
        series_insert(Order, {
            "id": "n", "number": "'P' || lpad(n::text, 12, '0')", "user_id": f"1 + mod(n * 7919, {buyers})",
            "shop_id": "1", "state": "CASE WHEN mod(n, 20) = 0 THEN 'cancelled' ELSE 'completed' END",
            "subtotal": total, "total_amount": total, "shipping_fee": "0", "receiver": "'王'",
            "receiver_phone": "'13800000000'", "province": "'浙江省'", "city": "'杭州市'",
            "district": "'西湖区'", "address_detail": "'1 号'", "payment_deadline": paid, "paid_at": paid,
            "created_at": f"{paid} - interval '1 minute'"},
            "generate_series(%s::bigint, %s::bigint) AS n", (start, end))
        progress.step(end - start + 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE distribution_member; ANALYZE orders_order")
    return orders


def _peak_rss_mib() -> float:
    """This process's peak resident set (VmHWM, Linux). Not ``ru_maxrss``: that survives
    the exec of a spawned child, so it starts at the parent's size at the fork."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _profiles_child(queue) -> None:
    """``profiles_compute`` in a fresh process: its peak RSS is this computation's."""
    setup_django(DB_NAME)
    from django.utils import timezone

    from crm.services.profiles import profiles_compute

    baseline = _peak_rss_mib()
    started = time.perf_counter()
    count = profiles_compute(today=timezone.localdate())
    elapsed = time.perf_counter() - started
    queue.put((count, elapsed, baseline, _peak_rss_mib()))


def bench_profiles(members: int) -> None:
    from django.db import connections
    from django.db.models import Count

    from crm.models import MemberProfile, StageChange

    started = time.perf_counter()
    with heartbeat("profile inputs"):
        orders = _profile_inputs(members)
    say(f"  {members:,} referral members and {orders:,} orders written"
        f" in {time.perf_counter() - started:.1f} s")
    connections.close_all()
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_profiles_child, args=(queue,))
    child.start()
    with heartbeat("profiles_compute"):
        count, elapsed, baseline, peak = queue.get(timeout=3600)
    child.join()
    expect(count == members == MemberProfile.objects.count(), f"{count} profiles computed of {members}")
    stages = dict(MemberProfile.objects.values_list("stage").annotate(n=Count("pk")).order_by())
    koc = MemberProfile.objects.filter(is_koc=True).count()
    expect(koc > 0 and len(stages) == 4, f"the bench data reach too few cases: {stages}, {koc} KOC")
    say(f"  profiles computed for {count:,} members in {elapsed:.1f} s ({count / elapsed:,.0f} a second);"
        f" peak RSS {peak:.0f} MiB ({baseline:.0f} MiB after Django set-up);"
        f" load average {os.getloadavg()[0]:.1f}")
    say(f"  stages {stages}, {koc:,} KOC, {StageChange.objects.count():,} stage changes logged")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run.py crm", description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--messages", type=int, default=100_000)
    args = parser.parse_args(argv or [])
    with bench_database(DB_NAME):
        bench_pack(args.members)
        bench_dispatch(min(args.messages, args.members))
        bench_profiles(args.members)
    return 0
