"""Referral forest benchmark (issue 5): sign-up tree work, placement, ancestors, team
figures and a sustained 8-client burst, each next to the adjacency-list floor.

    python bench/run.py referral [--sizes 10000,100000,1000000] [--signups 500]
                                 [--burst-seconds 20] [--clients 8] [--interval 5]

PostgreSQL only (DATABASE_URL names the server); builds and drops its own database
(``quanzi_bench_referral_<run id>``).
"Sign-up" is the tree work of a sign-up, as in production: the member row, its binding
history row and the coalesced placement scheduling (a cache key and, once per window, a
Celery message to Redis), in one transaction; the user rows are created beforehand.
The floors: ``bench_adjacency(id, parent_id)`` with a self FK and a parent index, filled
with the same tree; one ORM ``create()`` and one raw ``INSERT`` per row, autocommit.
"""

import argparse
import multiprocessing
import random
import statistics
import time

from bench.common import bench_database, bench_db_name, heartbeat, ms, percentile, say, setup_django, summary
from bench.referral_data import build

# Spawned burst processes import this module again and inherit the run id: same name.
DB_NAME = bench_db_name("quanzi_bench_referral")
SMOKE_ARGS = ["--sizes", "2000", "--signups", "50", "--burst-seconds", "2", "--clients", "2",
              "--interval", "1", "--paced-rate", "20"]
TEAM_TARGET = 100_000
ADJACENCY_DDL = (
    "CREATE TABLE bench_adjacency (id bigserial PRIMARY KEY,"
    " parent_id bigint REFERENCES bench_adjacency (id) DEFERRABLE INITIALLY DEFERRED);"
    " CREATE INDEX bench_adjacency_parent ON bench_adjacency (parent_id)")
ANCESTORS_FLOOR_SQL = (
    "WITH RECURSIVE up(id, parent_id, n) AS (SELECT id, parent_id, 0 FROM bench_adjacency WHERE id = %s"
    " UNION ALL SELECT a.id, a.parent_id, up.n + 1"
    " FROM bench_adjacency a JOIN up ON a.id = up.parent_id"
    " WHERE up.n < 3) SELECT id FROM up WHERE n > 0 ORDER BY n")
TEAM_FLOOR_SQL = (
    "WITH RECURSIVE down(id) AS (SELECT id FROM bench_adjacency WHERE parent_id = %s"
    " UNION ALL SELECT a.id FROM bench_adjacency a JOIN down ON a.parent_id = down.id)"
    " SELECT count(*) FROM down")
SALES_FLOOR_SQL = (
    "WITH RECURSIVE down(id, sales) AS ("
    " SELECT id, own_paid_sales FROM distribution_member WHERE parent_id = %s"
    " UNION ALL SELECT m.id, m.own_paid_sales FROM distribution_member m JOIN down ON m.parent_id = down.id)"
    " SELECT COALESCE(SUM(sales), 0) FROM down")


_MODEL = []


def _adjacency_model():
    if _MODEL:
        return _MODEL[0]
    from django.db import models

    class BenchAdjacency(models.Model):  # noqa: DJ008 - never printed
        parent = models.ForeignKey("self", null=True, on_delete=models.DO_NOTHING, db_constraint=False)

        class Meta:
            app_label = "distribution"
            managed = False
            db_table = "bench_adjacency"

    _MODEL.append(BenchAdjacency)
    return BenchAdjacency


class Floors:
    def __init__(self) -> None:
        from django.db import connection

        self.model = _adjacency_model()
        self.connection = connection

    def orm_insert(self, parent_id: int) -> None:
        self.model.objects.create(parent_id=parent_id)

    def raw_insert(self, parent_id: int) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_adjacency (parent_id) VALUES (%s)", [parent_id])


def _timed(fn, *args) -> float:
    started = time.perf_counter_ns()
    fn(*args)
    return ms(time.perf_counter_ns() - started)


def _signup(user_id: int, code: str):
    from django.db import transaction

    from distribution.referral.services.members import member_create_for_user
    from mall.models import User

    with transaction.atomic():  # on-commit scheduling runs inside the timing, at the exit
        return member_create_for_user(user=User(pk=user_id), invite_code=code, source="link")


def measure_signups(forest, count: int, first_user: int) -> dict:
    floors = Floors()
    rng = random.Random(11)
    signup_ms, orm_ms, raw_ms = [], [], []
    for i in range(count + 30):  # interleaved, so drift hits all three alike; 30 warm-up rounds
        parent = forest.draw_parent(rng)
        timings = (_timed(floors.orm_insert, parent + 1), _timed(floors.raw_insert, parent + 1),
                   _timed(_signup, first_user + i, forest.codes[parent]))
        if i >= 30:
            orm_ms.append(timings[0])
            raw_ms.append(timings[1])
            signup_ms.append(timings[2])
    return {"signup": signup_ms, "orm": orm_ms, "raw": raw_ms}


def measure_ancestors(forest, samples: int = 300) -> dict:
    from django.db import connection

    from distribution.models import Member
    from distribution.referral.selectors import member_ancestors

    rng = random.Random(3)
    pending = list(Member.objects.filter(lft=0).values_list("id", flat=True)[:100])
    ids = [rng.randrange(1, forest.n + 1) for _ in range(samples - len(pending))] + pending
    ours, floor = [], []
    for member_id in ids:
        ours.append(_timed(member_ancestors, member_id))
        with connection.cursor() as cursor:
            started = time.perf_counter_ns()
            cursor.execute(ANCESTORS_FLOOR_SQL, [min(member_id, forest.n)])
            cursor.fetchall()
            floor.append(ms(time.perf_counter_ns() - started))
    return {"ours": ours, "floor": floor, "pending_sampled": len(pending)}


def team_member(forest) -> int:
    best = min(range(1, forest.n), key=lambda i: abs(forest.sizes[i] - 1 - TEAM_TARGET))
    return best + 1


def measure_team(member_id: int, runs: int = 30, floor_runs: int = 5) -> dict:
    from django.db import connection

    from distribution.models import Member
    from distribution.referral import selectors

    member = Member.objects.get(pk=member_id)
    size = [_timed(lambda: selectors.team_size(member=member)) for _ in range(runs)]
    sales = [_timed(lambda: selectors.team_paid_sales(member=member)) for _ in range(runs)]
    both = [_timed(lambda: selectors.team_figures(member=member)) for _ in range(runs)]
    floor_size, floor_sales = [], []
    for _ in range(floor_runs):
        with connection.cursor() as cursor:
            floor_size.append(_timed(cursor.execute, TEAM_FLOOR_SQL, [member_id]))
            floor_sales.append(_timed(cursor.execute, SALES_FLOOR_SQL, [member_id]))
    return {"team": selectors.team_figures(member=member), "size": size, "sales": sales, "both": both,
            "floor_size": floor_size, "floor_sales": floor_sales}


def place(tree_id: int = 1):
    from distribution.referral.services.placement import referral_tree_place_pending

    started = time.perf_counter_ns()
    result = referral_tree_place_pending(tree_id=tree_id, wait=True)
    return result, ms(time.perf_counter_ns() - started)


def dense_shift(tree_id: int = 1) -> tuple[int, float]:
    """What the dense design pays per batch: one ``width_bucket`` shift of every row
    right of the leftmost insertion point (here: just right of the root's lft, typical of
    a preferential-attachment batch). Run for the timing, then rolled back."""
    from django.db import connection, transaction

    started = time.perf_counter_ns()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE distribution_member SET"
                " lft = lft + (ARRAY[0, 2])[width_bucket(lft, ARRAY[2::bigint]) + 1],"
                " rght = rght + (ARRAY[0, 2])[width_bucket(rght, ARRAY[2::bigint]) + 1]"
                " WHERE tree_id = %s AND rght >= 2 AND lft > 0", [tree_id])
            rows = cursor.rowcount
        elapsed = ms(time.perf_counter_ns() - started)
        transaction.set_rollback(True)
    return rows, elapsed


def full_respace(tree_id: int = 1) -> tuple[int, float]:
    """The worst case of the gapped design: every number of the tree spread again. Only
    when no smaller subtree can grow into free room (never, in these runs)."""
    from django.db import transaction

    from distribution import lock_objects
    from distribution.referral.tree.placement import respace_tree

    started = time.perf_counter_ns()
    with transaction.atomic():
        lock_objects.tree_lock(tree_id)
        rows = respace_tree(tree_id)
    return rows, ms(time.perf_counter_ns() - started)


def table_stats() -> tuple[int, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size('distribution_member'),"
                       " (SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'distribution_member')")
        total, dead = cursor.fetchone()
    return int(total), int(dead or 0)


def vacuum() -> float:
    from django.db import connection

    started = time.perf_counter_ns()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) distribution_member")
    return ms(time.perf_counter_ns() - started)


def check_tree() -> tuple[bool, str, float]:
    from datetime import timedelta

    from django.utils import timezone

    from distribution.referral.tree.check import check_forest

    started = time.perf_counter_ns()
    report = check_forest(stale_before=timezone.now() - timedelta(seconds=60))
    return report.ok, report.summary(), ms(time.perf_counter_ns() - started)


# ----------------------------------------------------------------- burst (processes)

def _ready(start, seconds: float) -> tuple[float, float]:
    """Report ready (Django set up), wait for the common start; (start_at, stop_at)."""
    ready, go, start_at = start
    ready.put(True)
    go.wait()
    return start_at.value, start_at.value + seconds


def _client(kind: str, users: list[int], codes: list[str], parents: list[int], start, seconds: float,
            pace: float, offset: float, queue) -> None:
    """Sign up (or insert the floor row) as fast as possible, or every ``pace`` seconds
    (clients staggered by ``offset``, so a paced load arrives evenly, not in lockstep)."""
    setup_django(DB_NAME)
    floors = Floors() if kind == "floor" else None
    start_at, stop_at = _ready(start, seconds)
    records = []
    next_at = start_at + offset
    for i, user_id in enumerate(users):
        time.sleep(max(0.0, next_at - time.time()))
        next_at += pace
        if time.time() >= stop_at:
            break
        started = time.perf_counter_ns()
        if floors is not None:
            floors.orm_insert(parents[i % len(parents)])
            member_id = 0
        else:
            member_id = _signup(user_id, codes[i % len(codes)]).pk
        records.append((time.time(), member_id, ms(time.perf_counter_ns() - started)))
    queue.put(records)


def _placer(interval: float, start, seconds: float, queue) -> None:
    """The production schedule: a placement of the tree every ``interval`` seconds
    (coalesced queued task + sweep), right away again if a batch overran."""
    setup_django(DB_NAME)
    from distribution.referral.services.placement import referral_tree_place_pending

    start_at, stop_at = _ready(start, seconds)
    batches = []
    next_run = start_at + interval
    while True:
        time.sleep(max(0.0, next_run - time.time()))
        started = time.perf_counter_ns()
        result = referral_tree_place_pending(tree_id=1, wait=True)
        batches.append((time.time(), ms(time.perf_counter_ns() - started), result.placed, result.rewritten,
                        len(result.respaced), result.placed_ids))
        if time.time() > stop_at + 1 and result.placed == 0:
            break
        next_run = max(next_run + interval, time.time())
    queue.put(batches)


def _sampler(member_id: int, start, seconds: float, queue) -> None:
    setup_django(DB_NAME)
    from distribution.models import Member
    from distribution.referral import selectors

    start_at, stop_at = _ready(start, seconds)
    samples = []
    time.sleep(max(0.0, start_at - time.time()))
    while time.time() < stop_at:
        member = Member.objects.get(pk=member_id)
        samples.append(_timed(lambda m=member: selectors.team_figures(member=m)))
        time.sleep(0.25)
    queue.put(samples)


def _collect(queue, procs: list) -> list:
    """One message from each process; fails (instead of waiting forever) if one died."""
    import queue as queues

    messages = []
    while len(messages) < len(procs):
        try:
            messages.append(queue.get(timeout=1.0))
        except queues.Empty:
            dead = [p for p in procs if p.exitcode not in (None, 0)]
            if dead:
                for proc in procs:
                    proc.terminate()
                raise RuntimeError(f"a burst process died (exit code {dead[0].exitcode})") from None
    return messages


def burst(forest, *, kind: str, clients: int, seconds: float, first_user: int, per_client: int,
          interval: float, team_member_id: int, rate: float = 0.0) -> dict:
    """``clients`` processes for ``seconds``: flat out, or ``rate`` sign-ups/s in all."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    # Every child reports ready once Django is set up; then all start at one instant.
    start = (ctx.Queue(), ctx.Event(), ctx.Value("d", 0.0))
    rng = random.Random(99 if kind == "signup" else 98)
    procs = []
    for c in range(clients):
        parents = [forest.draw_parent(rng) for _ in range(per_client)]
        users = list(range(first_user + c * per_client, first_user + (c + 1) * per_client))
        codes, parent_ids = [forest.codes[p] for p in parents], [p + 1 for p in parents]
        pace = clients / rate if rate else 0.0
        procs.append(ctx.Process(target=_client, args=(kind, users, codes, parent_ids, start, seconds,
                                                       pace, pace * c / clients, queue)))
    if kind == "signup":
        procs.append(ctx.Process(target=_placer, args=(interval, start, seconds, queue)))
        procs.append(ctx.Process(target=_sampler, args=(team_member_id, start, seconds, queue)))
    say(f"  burst ({kind}{f', {rate:.0f}/s' if rate else ''}): {clients} clients for {seconds:.0f} s …")
    for proc in procs:
        proc.start()
    _collect(start[0], procs)
    start[2].value = start_at = time.time() + 0.5
    stop_at = start_at + seconds
    start[1].set()
    with heartbeat(f"burst ({kind})"):
        results = _collect(queue, procs)
    for proc in procs:
        proc.join()
    records = [r for result in results if result and isinstance(result[0], tuple) and len(result[0]) == 3
               for r in result]
    batches = next((r for r in results if r and isinstance(r[0], tuple) and len(r[0]) == 6), [])
    samples = next((r for r in results if r and isinstance(r[0], float)), [])
    in_window = [r for r in records if start_at <= r[0] <= stop_at]
    out = {"count": len(records), "rate": len(in_window) / seconds, "latency": [r[2] for r in records],
           "batches": batches, "samples": samples}
    if kind == "signup":
        placed_at = {}
        for committed, _, _, _, _, ids in batches:
            for member_id in ids:
                placed_at.setdefault(member_id, committed)
        out["lags"] = [placed_at[m] - t for t, m, _ in records if m in placed_at]
        out["never_placed"] = sum(1 for _, m, _ in records if m not in placed_at)
    return out


# ----------------------------------------------------------------- report

def row(label: str, ours: str, floor: str = "") -> None:
    say(f"  {label:<38} {ours:<30} {floor}")


def report_size(n: int, signups: dict, batch, batch_ms: float, ancestors: dict, team: dict) -> None:
    s, o, r = signups["signup"], signups["orm"], signups["raw"]
    say(f"\n  == {n:,} members ==")
    row("", "quanzi", "adjacency-list floor")
    row("sign-up tree work, ms median / p95", summary(s), f"ORM {summary(o)}  raw {summary(r)}")
    row("  ratio to the ORM floor (median)", f"{statistics.median(s) / statistics.median(o):.2f}x",
        "target <= 3x, flat in tree size")
    row(f"placement batch of {batch.placed} pending", f"{batch_ms:.1f} ms",
        f"{batch.rewritten} rows written, {len(batch.respaced)} subtrees respaced")
    row("ancestors <= 3, ms median / p95", summary(ancestors["ours"]),
        f"CTE {summary(ancestors['floor'])}  ({ancestors['pending_sampled']} samples pending)")
    t = team
    say(f"  team of {t['team'].size:,} members (the team closest to {TEAM_TARGET:,}), paid sales"
        f" {t['team'].paid_sales}")
    row("  team size, ms median / p95", summary(t["size"]), f"recursive CTE {summary(t['floor_size'])}")
    row("  team sales, ms median / p95", summary(t["sales"]), f"recursive CTE {summary(t['floor_sales'])}")
    row("  both in one query", summary(t["both"]), "target <= 30 ms")


def report_paced(paced: dict, rate: float, seconds: float) -> None:
    say(f"\n  == paced: {rate:.0f} sign-ups/s (the target rate) for {seconds:.0f} s into the largest tree ==")
    row("sign-ups per second achieved", f"{paced['rate']:.1f}")
    row("sign-up latency, ms p50 / p95", summary(paced["latency"]))
    if paced["samples"]:
        row("team figures DURING the burst, ms", summary(paced["samples"]),
            f"max {max(paced['samples']):.1f}  (target <= 30 ms)")
    if paced.get("lags"):
        lags = paced["lags"]
        row("freshness lag commit->placed, s", f"median {statistics.median(lags):.1f}  max {max(lags):.1f}",
            f"never placed {paced['never_placed']}")


def report_burst(ours: dict, floor: dict, clients: int, seconds: float, after: dict) -> None:
    say(f"\n  == sustained: {clients} client processes for {seconds:.0f} s into the largest tree ==")
    row("sign-ups per second", f"{ours['rate']:.1f}", f"ORM inserts/s {floor['rate']:.1f}  (target >= 200)")
    row("sign-up latency under load, p50 / p95", summary(ours["latency"]),
        f"floor {summary(floor['latency'])}")
    batches = ours["batches"]
    working = [b for b in batches if b[2]]
    if working:
        placed, durations = [b[2] for b in working], [b[1] for b in working]
        row("placement batches with work", f"{len(working)}",
            f"pending per batch median {statistics.median(placed):.0f}, max {max(placed)}")
        row("  batch duration, ms median / max", f"{statistics.median(durations):.0f} / {max(durations):.0f}",
            f"rows written {sum(b[3] for b in batches)}, respaces {sum(b[4] for b in batches)}")
    lags = ours.get("lags", [])
    if lags:
        row("freshness lag commit->placed, s", f"median {statistics.median(lags):.1f}  p95"
            f" {percentile(lags, 95):.1f}  max {max(lags):.1f}",
            f"stated bound 30, target <= 60; never placed {ours['never_placed']}")
    if ours["samples"]:
        row("team figures DURING the burst, ms", summary(ours["samples"]), f"max {max(ours['samples']):.1f}")
    row("team figures right after, ms", summary(after["right_after"]), "target <= 30 ms")
    row("team figures after VACUUM, ms", summary(after["after_vacuum"]),
        f"VACUUM {after['vacuum_ms']:.0f} ms")
    mib = 2**20
    say(f"  member table + indexes: {after['size_before'] / mib:.0f} MiB before the burst,"
        f" {after['size_after'] / mib:.0f} MiB after ({after['dead_after']:,} dead tuples),"
        f" {after['size_vacuumed'] / mib:.0f} MiB after VACUUM")


def purge_queued_tasks() -> None:
    """Sign-ups queued placement tasks to the broker; no worker ran them (the bench places
    itself). Drop them so a later worker does not find them."""
    from django.conf import settings

    if settings.CELERY_BROKER_URL:
        from config.celery import app

        app.control.purge()


def run(args) -> int:
    try:
        return _run(args)
    finally:
        purge_queued_tasks()


def _run(args) -> int:
    sizes = [int(s) for s in args.sizes.split(",")]
    per_client = int(args.burst_seconds * 1500 / args.clients) + 2000
    extra = args.signups + 40 + 3 * args.clients * per_client
    with bench_database(DB_NAME):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(ADJACENCY_DDL)
        for n in sizes:
            say(f"\nbuilding {n:,} members ...")
            with heartbeat(f"building {n:,} members"):
                forest = build(n, extra_users=extra)
            first_user = n + 1
            say(f"  timing {args.signups} sign-ups, ancestors, placement, team figures …")
            signups = measure_signups(forest, args.signups, first_user)
            ancestors = measure_ancestors(forest)
            batch, batch_ms = place()
            team = measure_team(team_member(forest))
            report_size(n, signups, batch, batch_ms, ancestors, team)
            if n == max(sizes):
                first_user += args.signups + 30
                floor = burst(forest, kind="floor", clients=args.clients,
                              seconds=min(10.0, args.burst_seconds), first_user=first_user,
                              per_client=per_client, interval=args.interval, team_member_id=0)
                size_before, _ = table_stats()
                member_id = team_member(forest)
                ours = burst(forest, kind="signup", clients=args.clients, seconds=args.burst_seconds,
                             first_user=first_user + args.clients * per_client, per_client=per_client,
                             interval=args.interval, team_member_id=member_id)
                size_after, dead_after = table_stats()
                after = {"right_after": measure_team(member_id, runs=20, floor_runs=0)["both"],
                         "size_before": size_before, "size_after": size_after, "dead_after": dead_after}
                after["vacuum_ms"] = vacuum()
                after["after_vacuum"] = measure_team(member_id, runs=20, floor_runs=0)["both"]
                after["size_vacuumed"] = table_stats()[0]
                report_burst(ours, floor, args.clients, args.burst_seconds, after)
                paced = burst(forest, kind="signup", clients=args.clients, seconds=args.burst_seconds,
                              first_user=first_user + 2 * args.clients * per_client, per_client=per_client,
                              interval=args.interval, team_member_id=member_id, rate=args.paced_rate)
                report_paced(paced, args.paced_rate, args.burst_seconds)
            rows, shift_ms = dense_shift()
            say(f"  for comparison, the dense design's shift per batch: {rows:,} rows in {shift_ms:,.0f} ms"
                " (measured, rolled back)")
            vacuum()
            rows, respace_ms = full_respace()
            say(f"  worst case here, a respace of the whole tree: {rows:,} rows in {respace_ms:,.0f} ms")
            vacuum()
            with heartbeat("check_referral_tree"):
                ok, text, check_ms = check_tree()
            say(f"  check_referral_tree: {text} in {check_ms / 1000:.1f} s")
            if not ok:
                return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run.py referral", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--signups", type=int, default=500, help="timed sign-ups per size")
    parser.add_argument("--burst-seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--interval", type=float, default=5.0, help="placement interval during the burst")
    parser.add_argument("--paced-rate", type=float, default=200.0, help="sign-ups/s of the paced burst")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
