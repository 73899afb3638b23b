"""Staff console: dashboard latency, one day's rollup, a streamed CSV export of every order.

Builds (bulk SQL, ``bench/console_data.py``) M members and N orders, ``--day-orders`` of them
paid today, then measures:

1. the rollup of today (target ≤ 30 s for 100,000 orders), and the days before, for the charts;
2. the admin home with the dashboard, through Django's test client as a signed-in superuser
   (target ≤ 500 ms with 1,000,000 members and 1,000,000 orders);
3. the finance export of every order as CSV, through the view, in a fresh process so its peak
   RSS is its own (targets: constant memory, ≥ 20,000 rows/s).

Checks that it measures real work: the rollup finds exactly the orders paid today, the page
shows the dashboard with today's order count, and the CSV has one line per order.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    Progress,
    bench_database,
    bench_db_name,
    expect,
    heartbeat,
    percentile,
    say,
    setup_django,
)

DB_BASE = "quanzi_bench_console"
SMOKE_ARGS = ["--members", "3000", "--orders", "3000", "--day-orders", "600", "--shops", "50",
              "--chart-days", "3", "--runs", "3"]


def bench_rollup(day_orders: int, chart_days: int) -> None:
    import datetime

    from console.dates import local_today
    from console.services.rollup import figures_rollup_day

    today = local_today()
    started = time.perf_counter()
    result = figures_rollup_day(day=today)
    seconds = time.perf_counter() - started
    expect(result.paid_orders == day_orders, f"rollup found {result.paid_orders} orders, not {day_orders}")
    say(f"rollup of today: {result.paid_orders:,} paid orders, {result.rows:,} rows in {seconds:.2f} s"
        f" (target ≤ 30 s: {'met' if seconds <= 30 else 'NOT met'})")
    again = time.perf_counter()
    figures_rollup_day(day=today)
    say(f"  the same day again (idempotent rewrite): {time.perf_counter() - again:.2f} s")
    progress = Progress("earlier days rolled up (for the charts)", chart_days)
    took = []
    for back in range(1, chart_days + 1):
        took.append(figures_rollup_day(day=today - datetime.timedelta(days=back)).seconds)
        progress.step()
    if took:
        say(f"  an earlier day (the other orders over 99 days): median {statistics.median(took):.2f} s")


def bench_dashboard(runs: int, day_orders: int) -> None:
    from django.conf import settings
    from django.test import Client

    from console.selectors.dashboard import dashboard
    from mall.models import User

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    admin = User.objects.create_superuser("13999999999", "bench-pass-123", is_staff=True)
    client = Client()
    client.force_login(admin)
    page = client.get("/admin/")
    html = page.content.decode()
    expect(page.status_code == 200 and 'data-testid="dashboard"' in html, "no dashboard on the admin home")
    expect(f'data-testid="paid-orders">{day_orders}<' in html, "the dashboard does not show today's orders")
    timings, selector = [], []
    for _ in range(runs):
        started = time.perf_counter()
        client.get("/admin/")
        timings.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        dashboard()
        selector.append((time.perf_counter() - started) * 1000)
    p50, p95 = statistics.median(timings), percentile(timings, 95)
    say(f"admin home with the dashboard: median {p50:.0f} ms, p95 {p95:.0f} ms over {runs} runs"
        f" (target ≤ 500 ms: {'met' if p95 <= 500 else 'NOT met'}); its queries alone: median "
        f"{statistics.median(selector):.0f} ms")


def bench_export(db_name: str, orders: int) -> None:
    """The export in a child process: its peak RSS is the export's, not the build's."""
    with heartbeat("CSV export"):
        child = subprocess.run([sys.executable, __file__, "--export-child", db_name], check=False,
                               capture_output=True, text=True, env=os.environ)
    expect(child.returncode == 0, f"the export process failed:\n{child.stderr[-3000:]}")
    out = child.stdout
    figures = json.loads(out.strip().splitlines()[-1])
    expect(figures["rows"] == orders, f"the CSV has {figures['rows']:,} rows, not {orders:,}")
    rate = figures["rows"] / figures["seconds"]
    verdict = "met" if rate >= 20_000 else "NOT met"
    say(f"CSV export of every order through the view: {figures['rows']:,} rows, {figures['mb']:.0f} MB in "
        f"{figures['seconds']:.1f} s = {rate:,.0f} rows/s (target ≥ 20,000: {verdict});"
        f" peak RSS {figures['rss_before']:.0f} MiB before, {figures['rss_after']:.0f} MiB after"
        f" (+{figures['rss_after'] - figures['rss_before']:.0f} MiB)")


def export_child(db_name: str) -> None:
    setup_django(db_name, use_redis=False)
    from django.conf import settings
    from django.test import Client

    from mall.models import User

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(User.objects.get(phone="13999999999"))
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    response = client.get("/admin/console/finance/export/orders.csv", {"first": "2000-01-01",
                                                                       "last": "2100-12-31"})
    lines = size = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\n")
        size += len(chunk)
    seconds = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rows": lines - 1, "seconds": seconds, "mb": size / 1e6, "rss_before": rss_before,
                      "rss_after": rss_after}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run.py console", description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--day-orders", type=int, default=100_000)
    parser.add_argument("--shops", type=int, default=1000)
    parser.add_argument("--chart-days", type=int, default=29)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv or [])
    expect(args.day_orders <= args.orders, "--day-orders cannot exceed --orders")
    name = bench_db_name(DB_BASE)
    with bench_database(name):
        from bench.console_data import build

        say(f"building {args.members:,} members, {args.shops:,} shops, {args.orders:,} orders "
            f"({args.day_orders:,} today) with bulk SQL")
        started = time.perf_counter()
        with heartbeat("build"):
            build(members=args.members, shops=args.shops, orders=args.orders, day_orders=args.day_orders)
        say(f"built in {time.perf_counter() - started:.0f} s")
        bench_rollup(args.day_orders, args.chart_days)
        bench_dashboard(args.runs, args.day_orders)
        bench_export(name, args.orders)
    return 0


if __name__ == "__main__" and sys.argv[1:2] == ["--export-child"]:
    export_child(sys.argv[2])
