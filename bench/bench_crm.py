"""crm benchmark (issue 14): evaluating an audience pack over N members, and the outbox
dispatcher's throughput with two worker processes and the cap check on.

    python bench/run.py crm [--members 1000000] [--messages 100000]

PostgreSQL only; builds and drops its own database (``quanzi_bench_crm_<run id>``).

- Members and their daily profiles are written set-based (``generate_series``), with
  stages, spend and last orders spread deterministically; a pack of three conditions
  (stage in 沉睡/流失, spend ≥ ¥100, KOC false) is counted with ``pack_preview_count`` and
  frozen (its id list read) as ``pack_send`` does. Target: ≤ 5 s at 1,000,000 members.
- The dispatcher: ``messages_enqueue`` queues M inbox messages over M/2 members (two each,
  so the 1-a-day cap skips half), then two processes each run ``outbox_drain`` (the body of
  the Celery task ``crm.tasks.dispatch_outbox``) until the queue is empty. Not through a
  Celery broker: the task is a plain call of that function, and a broker adds only its
  round trip per task, not per message. Target: ≥ 1,000 messages/s. The cap-check cost is
  timed apart: the per-batch window-count query over 500 members, per message.
"""

import argparse
import multiprocessing
import time
from datetime import time as time_of_day
from datetime import timedelta

from bench.common import bench_database, bench_db_name, expect, say, setup_django

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
            " previous_stage, r_score, f_score, m_score, invites, invitee_orders, is_koc, computed_on)"
            " SELECT id, id % 7, (id % 97) * 1000, now() - interval '150 days',"
            " now() - ((id % 120) || ' days')::interval,"
            " (ARRAY['new','active','asleep','lost'])[1 + id % 4], '', 1 + id % 3, 1 + id % 3, 1 + id % 3,"
            " id % 5, id % 3, id % 50 = 0, current_date FROM mall_user")
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


def _drain(queue) -> None:
    setup_django(DB_NAME)
    from crm.tasks import outbox_drain

    started = time.perf_counter()
    decided = outbox_drain(budget_seconds=600)
    queue.put((decided, time.perf_counter() - started))


def bench_dispatch(messages: int) -> None:
    from django.db import connections
    from django.utils import timezone

    from crm.models import Message, MessageState, MessageTemplate, ReachSettings, SourceKind
    from crm.rules import in_quiet_hours
    from crm.services.dispatch import _sent_counts
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
    connections.close_all()
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_drain, args=(queue,)) for _ in range(2)]
    for proc in procs:
        proc.start()
    results = [queue.get(timeout=900) for _ in procs]
    for proc in procs:
        proc.join()
    elapsed = max(r[1] for r in results)  # each process's own time, after its Django set-up
    decided = sum(r[0] for r in results)
    sent = Message.objects.filter(state=MessageState.SENT).count()
    expect(decided == 2 * len(ids) and sent == len(ids), f"decided {decided}, sent {sent} of {2 * len(ids)}")
    say(f"  2 processes decided {decided:,} messages in {elapsed:.1f} s: {decided / elapsed:,.0f} messages/s"
        f" ({sent:,} sent, {decided - sent:,} skipped by the 1-a-day cap)   target: ≥ 1,000/s")
    sample = ids[:500]
    starts = [timezone.now() - timedelta(days=d) for d in (1, 7)]
    rounds = 20
    started = time.perf_counter()
    for _ in range(rounds):
        _sent_counts(sample, starts)
    per = (time.perf_counter() - started) / (rounds * len(sample))
    say(f"  cap check (window counts of a 500-member batch): {per * 1e6:.0f} µs per message")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run.py crm", description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--messages", type=int, default=100_000)
    args = parser.parse_args(argv or [])
    with bench_database(DB_NAME):
        bench_pack(args.members)
        bench_dispatch(min(args.messages, args.members))
    return 0
