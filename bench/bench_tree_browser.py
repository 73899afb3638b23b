"""Staff referral-tree browser benchmark (issue 12): every view of the browser, end to end
through Django (middleware, session, permission check, template), on the bench forest.
Also the refresh of the precomputed figures of big teams (``TeamRollup``, every 5 minutes
in production), which the member pages read for teams of 5,000 members or more.

    python bench/run.py tree_browser [--members 1000000] [--runs 40]

The forest is the referral bench's (``bench/referral_data.py``: preferential attachment,
one tree, loaded with COPY), with nicknames on two users in three and reseller levels on
some members. Each view is requested ``--runs`` times with varied inputs; p50 / p95 are
printed next to the admin's own floor (the admin index page) and the target (300 ms).
PostgreSQL only; builds and drops its own database (``quanzi_bench_tree_browser_<run id>``).
"""

import argparse
import random
import time

from bench.common import bench_database, bench_db_name, expect, heartbeat, ms, percentile, say, summary
from bench.referral_data import build, phone

DB_NAME = bench_db_name("quanzi_bench_tree_browser")
SMOKE_ARGS = ["--members", "2000", "--runs", "3"]
TARGET_MS = 300.0
SURNAMES = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周"]
GIVEN = ["小雨", "阿杰", "Lily", "明", "芳", "伟", "静", "磊", "娜", "强", "敏", "军", "洋", "艳", "勇"]
TEAM_TARGET = 100_000


def decorate(n: int) -> None:
    """Nicknames for two users in three (10 surnames × 15 given names × a number), and
    three reseller levels spread over one member in five."""
    from django.db import connection

    from distribution.models import ResellerLevel

    levels = [ResellerLevel.objects.create(name=name, weight=w) for w, name in
              enumerate(["普通", "银牌", "金牌"], start=1)]
    surnames = "ARRAY[" + ", ".join(f"'{s}'" for s in SURNAMES) + "]"
    given = "ARRAY[" + ", ".join(f"'{g}'" for g in GIVEN) + "]"
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE mall_user SET nickname = ({surnames})[1 + id % 10]"
                       f" || ({given})[1 + (id / 10) % 15] || (id % 997)::text WHERE id % 3 <> 0")
        cursor.execute("UPDATE distribution_member SET is_reseller = true, reseller_since = joined_at,"
                       " level_id = (ARRAY[%s, %s, %s])[1 + id %% 3] WHERE id %% 5 = 0",
                       [lv.pk for lv in levels])
        cursor.execute("VACUUM (ANALYZE) mall_user, distribution_member")


def staff_client():
    from django.conf import settings
    from django.test import Client

    from mall.models import User

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    staff = User.objects.create_superuser("19900000000", "bench-password-1")
    client = Client()
    client.force_login(staff)
    return client


SQL_NS = [0]


def _count_sql(execute, sql, params, many, context):
    started = time.perf_counter_ns()
    try:
        return execute(sql, params, many, context)
    finally:
        SQL_NS[0] += time.perf_counter_ns() - started


def _get(client, url: str, params: dict | None = None, *, expect_text: str | None = None,
         sql: list | None = None) -> float:
    from django.db import connection

    SQL_NS[0] = 0
    started = time.perf_counter_ns()
    with connection.execute_wrapper(_count_sql):
        response = client.get(url, params or {})
    elapsed = ms(time.perf_counter_ns() - started)
    if sql is not None:
        sql.append(ms(SQL_NS[0]))
    expect(response.status_code == 200, f"GET {url} {params}: {response.status_code}")
    if expect_text is not None:
        expect(expect_text in response.content.decode(), f"GET {url} {params}: {expect_text!r} missing")
    return elapsed


def cases(forest, rng: random.Random, runs: int) -> dict:
    """(label → list of (url, params, text the page must show)) for every view."""
    from django.urls import reverse

    from distribution.models import Member

    n = forest.n
    search = reverse("admin:distribution_member_tree")
    member_url = lambda pk: reverse("admin:distribution_member_tree_member", args=[pk])  # noqa: E731
    children_url = lambda pk: reverse("admin:distribution_member_tree_children", args=[pk])  # noqa: E731
    ids = [rng.randrange(1, n + 1) for _ in range(runs)]
    hub = max(range(n), key=lambda i: forest.sizes[i] if i else -1) + 1  # the biggest team below the root
    big = min(range(1, n), key=lambda i: abs(forest.sizes[i] - 1 - TEAM_TARGET)) + 1
    root_children = Member.objects.filter(parent_id=1).count()
    last_page = max(1, (root_children + 19) // 20)
    third = runs // 3  # one surname (≈ 67k hits at 1M), surname + name (≈ 4k), a whole nickname
    prefixes = ([rng.choice(SURNAMES) for _ in range(third)]
                + [rng.choice(SURNAMES) + rng.choice(GIVEN) for _ in range(third)]
                + [rng.choice(SURNAMES) + rng.choice(GIVEN) + str(rng.randrange(997))
                   for _ in range(runs - 2 * third)])
    return {
        "search: full mobile number": [(search, {"q": phone(i)}, "****") for i in ids],
        "search: last 4 digits": [(search, {"q": phone(i)[-4:]}, "****") for i in ids],
        "search: last 4, page 3": [(search, {"q": phone(i)[-4:], "kind": "last4", "page": 3}, None)
                                   for i in ids],
        "search: invite code": [(search, {"q": forest.codes[i - 1]}, "****") for i in ids],
        "search: nickname prefix": [(search, {"q": p, "kind": "nickname"}, None) for p in prefixes],
        "member page: random member": [(member_url(i), None, "data-testid=\"chain-self\"") for i in ids],
        "member page: the root (whole tree)": [(member_url(1), None, "data-testid=\"downline\"")] * runs,
        f"member page: team of ~{TEAM_TARGET // 1000}k": [(member_url(big), None, None)] * runs,
        "member page: biggest team below root": [(member_url(hub), None, None)] * runs,
        f"expand: root's {root_children:,} children, page 1": [(children_url(1), {"page": 1}, None)] * runs,
        "expand: root's children, random page": [
            (children_url(1), {"page": rng.randrange(1, last_page + 1)}, None) for _ in range(runs)],
        "expand: random member": [(children_url(i), None, None) for i in ids],
        f"move form + team figures (~{TEAM_TARGET // 1000}k team)": [
            (reverse("admin:distribution_member_tree_move", args=[big]), None, None)] * runs,
    }, big


def measure(client, plan: dict, runs: int) -> tuple[dict, dict]:
    results, sql = {}, {}
    for label, requests in plan.items():
        _get(client, *requests[0][:2])  # warm the path once
        sql[label] = []
        results[label] = [_get(client, url, params, expect_text=text, sql=sql[label])
                          for url, params, text in requests[:runs]]
    return results, sql


def refresh_rollups() -> tuple[object, float]:
    from distribution.referral.services.team_rollups import team_rollups_refresh

    started = time.perf_counter_ns()
    result = team_rollups_refresh()
    return result, ms(time.perf_counter_ns() - started)


def confirm_step(client, big: int, runs: int) -> list[float]:
    """The move's confirm page (the target resolved, cycle check, team figures), not run."""
    from django.urls import reverse

    from distribution.models import Member

    url = reverse("admin:distribution_member_tree_move", args=[big])
    target = Member.objects.filter(parent_id=1).exclude(pk=big).order_by("-id").first()
    timings = []
    for _ in range(runs):
        started = time.perf_counter_ns()
        response = client.post(url, {"new_upline": target.invite_code, "reason": "bench"})
        timings.append(ms(time.perf_counter_ns() - started))
        expect(response.status_code == 200 and b"confirm-summary" in response.content, "confirm page missing")
    return timings


def index_used() -> tuple[bool, bool]:
    """EXPLAIN of the last-4 and nickname searches names their indexes (at this size)."""
    from django.db import connection

    from distribution.referral.browser.selectors import member_search

    found = []
    for query, kind, index in (("4321", "last4", "user_phone_last4_idx"),
                               ("王小雨1", "nickname", "user_nickname_prefix_idx")):
        sql, params = member_search(query=query, kind=kind)[:21].query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}", params)
            found.append(index in "\n".join(row[0] for row in cursor.fetchall()))
    return found[0], found[1]


def run(args) -> int:
    rng = random.Random(5)
    with bench_database(DB_NAME, use_redis=False):
        from django.db import connection

        from bench.bench_referral import ADJACENCY_DDL

        with connection.cursor() as cursor:
            cursor.execute(ADJACENCY_DDL)  # the loader fills the referral bench's floor table too
        say(f"\nbuilding {args.members:,} members ...")
        with heartbeat(f"building {args.members:,} members"):
            forest = build(args.members, extra_users=0)
            decorate(args.members)
        with heartbeat("team rollups"):
            rollup, rollup_ms = refresh_rollups()
            again, again_ms = refresh_rollups()
        expect(rollup.rows == again.rows, "two refreshes of an unchanged forest disagree")
        client = staff_client()
        plan, big = cases(forest, rng, args.runs)
        with heartbeat("timing the browser's views"):
            floor = [_get(client, "/admin/") for _ in range(args.runs)]
            results, sql = measure(client, plan, args.runs)
            results["move: confirm step (not run)"] = confirm_step(client, big, args.runs)
        last4, nickname = index_used()
        say(f"\n  == tree browser at {args.members:,} members, {args.runs} requests per view ==")
        say(f"  team rollup refresh: {rollup_ms / 1000:.1f} s (again {again_ms / 1000:.1f} s),"
            f" {rollup.members_scanned:,} members read, {rollup.rows} teams of >= 5,000 stored")
        say(f"  {'view':<46} {'p50 / p95 ms':<22} {'of which SQL p50':<18} target < {TARGET_MS:.0f} ms")
        say(f"  {'(floor) admin index page':<46} {summary(floor)}")
        over = []
        for label, timings in results.items():
            in_sql = f"{sorted(sql[label])[len(sql[label]) // 2]:8.3f}" if sql.get(label) else ""
            say(f"  {label:<46} {summary(timings)}   {in_sql}")
            if percentile(timings, 95) >= TARGET_MS:
                over.append(label)
        say(f"  EXPLAIN uses user_phone_last4_idx: {last4}; user_nickname_prefix_idx: {nickname}")
        say(f"  views over the target at p95: {', '.join(over) if over else 'none'}")
        if args.members >= 100_000:  # tiny tables are read whole, rightly
            expect(last4 and nickname, "a search no longer uses its index")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run.py tree_browser", description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=40)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
