"""Share-funnel benchmark (issue 11): what recording a visit adds to a landing page, the
roll-up over a million visits, and the reseller's funnel page on top of it.

    python bench/run.py funnel [--requests 600] [--visits 1000000] [--links 600]

PostgreSQL only; builds and drops its own database (``quanzi_bench_funnel_<run id>``).

- **Recording overhead.** The share landing ``/s/<code>`` (invite lookup, session, redirect)
  requested by new visitors through Django's test client (the whole middleware stack, the
  session row included), alternately with recording on and off (``share_visit_record``
  swapped for a no-op) in the same run; each "on" request inserts a new visit row. Printed:
  p50 / p95 of both and their difference, plus the recording call itself, timed inside the
  request (cache read of the link id + the ``INSERT … ON CONFLICT DO NOTHING``). Target:
  ≤ 1 ms added at p95.
- **A million visits.** ``--visits`` rows for one reseller over ``--links`` links (shop and
  products × link / QR / poster) and the last 30 days, written with bulk SQL
  (``generate_series``, 100k a statement, progress shown); then the roll-up of 31 days, run
  twice (the second must give the same rows: idempotent).
- **Funnel page.** ``/distribution/funnel/?days=30`` and the API, signed in as that reseller:
  p50 / p95 and the number of queries (asserted ≤ 10). Target: ≤ 300 ms.
"""

import argparse
import os
import time

from bench.common import Progress, bench_database, bench_db_name, expect, heartbeat, percentile, say

DB_BASE = "quanzi_bench_funnel"
SMOKE_ARGS = ["--requests", "40", "--visits", "20000", "--links", "30"]
MAX_QUERIES = 10
CHUNK = 100_000


def _persistent_connection() -> None:
    """As a production worker with ``CONN_MAX_AGE``: one connection for the whole run, not
    one per request (else every request pays a PostgreSQL connect, and the query capture
    sees a fresh connection)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)


def _world(links: int):
    from distribution.models import Member, ShareChannel, ShareLink
    from distribution.referral.services.members import member_create_for_user
    from mall.models import Category, Product, Shop, Supplier, User

    user = User.objects.create(phone="13800000001", password="!bench", nickname="小雨")
    reseller = member_create_for_user(user=user, invite_code=None)
    Member.objects.filter(pk=reseller.pk).update(is_reseller=True)
    reseller.refresh_from_db()
    Shop.objects.create(owner=user, name="小雨的店")
    supplier = Supplier.objects.create(name="bench", contact_name="b", contact_phone="13800000000",
                                       settlement_account_name="b", settlement_bank="b",
                                       settlement_account_no="1")
    category = Category.objects.create(name="bench")
    per_product = len(ShareChannel.values)
    products = Product.objects.bulk_create([
        Product(supplier=supplier, category=category, title=f"压测商品 {i}", status=Product.Status.ON_SHELF)
        for i in range(max(1, links // per_product))])
    rows = [ShareLink(reseller=reseller, channel=channel, product=None) for channel in ShareChannel.values]
    rows += [ShareLink(reseller=reseller, channel=channel, product=product)
             for product in products for channel in ShareChannel.values]
    ShareLink.objects.bulk_create(rows[:links])
    return reseller


def bench_recording(reseller, requests: int) -> None:
    from django.test import Client

    import distribution.views as share_views
    from distribution.funnel import recording

    real = recording.share_visit_record
    inside: list[float] = []

    def timed(*args, **kwargs) -> None:
        started = time.perf_counter_ns()
        real(*args, **kwargs)
        inside.append((time.perf_counter_ns() - started) / 1e6)

    def skip(*args, **kwargs) -> None:
        return None

    url = f"/s/{reseller.invite_code}?src=qr"
    timings: dict[str, list[float]] = {"on": [], "off": []}
    for warm in range(20):  # connections, caches, the link row
        share_views.share_visit_record = timed if warm % 2 else skip
        Client(HTTP_HOST="localhost").get(url)
    inside.clear()
    progress = Progress("landing requests", requests)
    for i in range(requests):
        mode = "on" if i % 2 else "off"
        share_views.share_visit_record = timed if mode == "on" else skip
        client = Client(HTTP_HOST="localhost")  # a new visitor: new session, new visit row
        started = time.perf_counter_ns()
        response = client.get(url)
        timings[mode].append((time.perf_counter_ns() - started) / 1e6)
        expect(response.status_code == 302, f"the landing answered {response.status_code}")
        progress.step()
    share_views.share_visit_record = real
    from distribution.models import ShareVisit

    expect(ShareVisit.objects.count() >= requests // 2, "every recorded request wrote a visit row")
    on, off = timings["on"], timings["off"]
    say(f"landing /s/<code>?src=qr, ms (p50 / p95), load average {os.getloadavg()[0]:.1f}:")
    say(f"  recording off   {percentile(off, 50):7.3f} / {percentile(off, 95):7.3f}  ({len(off)} requests)")
    say(f"  recording on    {percentile(on, 50):7.3f} / {percentile(on, 95):7.3f}  ({len(on)} requests)")
    added = percentile(on, 95) - percentile(off, 95)
    say(f"  difference      {percentile(on, 50) - percentile(off, 50):7.3f} / {added:7.3f}")
    call95 = percentile(inside, 95)
    say(f"  recording call  {percentile(inside, 50):7.3f} / {call95:7.3f}  (timed inside the request)")
    say(f"  target ≤ 1 ms added at p95: {'met' if call95 <= 1.0 else 'NOT met'} (the call's own p95)")


def bench_recording_call(reseller, calls: int) -> None:
    """The recording call alone, many times (a new visitor each), next to its floor in the
    same run: one ``SELECT 1`` round trip on the same connection. On a loaded machine both
    p95s grow together; the difference is what recording costs."""
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.signed_cookies import SessionStore
    from django.db import connection
    from django.test import RequestFactory

    from distribution.funnel.recording import share_visit_record

    factory = RequestFactory()
    record, floor = [], []
    for i in range(calls):
        request = factory.get("/s/x")
        request.session, request.user = SessionStore(), AnonymousUser()
        started = time.perf_counter_ns()
        if i % 2:
            share_visit_record(request, reseller=reseller, channel="poster")
            record.append((time.perf_counter_ns() - started) / 1e6)
        else:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            floor.append((time.perf_counter_ns() - started) / 1e6)
    say(f"recording call alone, ms (p50 / p95), {calls // 2} each, load average {os.getloadavg()[0]:.1f}:")
    say(f"  floor: SELECT 1      {percentile(floor, 50):7.3f} / {percentile(floor, 95):7.3f}")
    say(f"  share_visit_record   {percentile(record, 50):7.3f} / {percentile(record, 95):7.3f}"
        f"  (target ≤ 1 ms at p95: {'met' if percentile(record, 95) <= 1.0 else 'NOT met'})")


def fill_visits(reseller, visits: int) -> None:
    from django.db import connection

    from distribution.models import ShareLink, ShareVisit

    link_ids = list(ShareLink.objects.filter(reseller=reseller).order_by("pk").values_list("pk", flat=True))
    table = ShareVisit._meta.db_table
    progress = Progress("visits written", visits, every=2.0)
    started = time.perf_counter()
    # Visitor g on day (g % 30) back, link (g / 30) mod n: unique (day, link, visitor) rows.
    sql = (f"INSERT INTO {table} (day, link_id, visitor) "
           "SELECT CURRENT_DATE - (g %% 30), (%s::bigint[])[1 + (g / 30) %% %s], g "
           "FROM generate_series(%s, %s) AS g ON CONFLICT DO NOTHING")
    with connection.cursor() as cursor:
        for start in range(1, visits + 1, CHUNK):
            end = min(visits, start + CHUNK - 1)
            cursor.execute(sql, [link_ids, len(link_ids), start, end])
            progress.step(end - start + 1)
        cursor.execute(f"VACUUM ANALYZE {table}")
    elapsed = time.perf_counter() - started
    say(f"  {visits:,} visits over {len(link_ids)} links and 30 days in {elapsed:.1f} s")


def bench_rollup() -> None:
    from distribution.funnel.rollup import funnel_rollup
    from distribution.models import ShareDaily

    def snapshot() -> list[tuple]:
        return list(ShareDaily.objects.order_by("link_id", "day").values_list(
            "link_id", "day", "visitors", "signups", "orders", "amount", "commission"))

    for run in (1, 2):
        started = time.perf_counter()
        with heartbeat("roll-up"):
            result = funnel_rollup(days=31)
        say(f"  roll-up of 31 days, run {run}: {result.rows:,} rows in {time.perf_counter() - started:.2f} s")
        rows = snapshot()
        if run == 1:
            first = rows
    expect(rows == first, "a second roll-up gave different rows")


def bench_funnel_page(reseller, visits: int, samples: int = 30) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="localhost")
    client.force_login(reseller.user)
    for path in ("/distribution/funnel/?days=30", "/api/v1/distribution/funnel/?days=30"):
        client.get(path)  # warm
        connection.queries_log.clear()  # a full log (maxlen) would count nothing
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        expect(response.status_code == 200, f"{path} answered {response.status_code}")
        count = len(queries)  # now: the next request clears the connection's query log
        expect(0 < count <= MAX_QUERIES, f"{path}: {count} queries (at most {MAX_QUERIES})")
        timings = []
        for _ in range(samples):
            started = time.perf_counter_ns()
            client.get(path)
            timings.append((time.perf_counter_ns() - started) / 1e6)
        p95 = percentile(timings, 95)
        say(f"  {path}: {percentile(timings, 50):.1f} / {p95:.1f} ms (p50 / p95), {count} queries, "
            f"{visits:,} visits; target ≤ 300 ms: {'met' if p95 <= 300 else 'NOT met'}")
    data = client.get("/api/v1/distribution/funnel/?days=30").json()
    expect(data["totals"]["visitors"] == visits, f"the funnel shows {data['totals']['visitors']} visits")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run.py funnel", description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--links", type=int, default=600)
    args = parser.parse_args(argv or [])
    with bench_database(bench_db_name(DB_BASE)):
        _persistent_connection()
        reseller = _world(args.links)
        bench_recording(reseller, args.requests)
        bench_recording_call(reseller, args.requests * 4)
        from distribution.models import ShareVisit

        ShareVisit.objects.all().delete()
        say(f"a million visits ({args.visits:,}):")
        fill_visits(reseller, args.visits)
        bench_rollup()
        bench_funnel_page(reseller, args.visits)
    return 0
