"""Coupon claims under a burst, on PostgreSQL: N members claim one template at once.

Run: ``python bench/run.py promotions [--claims 500 --connections 40 --stock 100]``. It
builds its own database, creates the members, then releases ``--connections`` threads
(each with its own connection) together; they share the claims between them. It prints
the wall time of the burst (target for 500 claims: under 5 s) and checks the outcome:
exactly ``--stock`` coupons issued, the rest refused as sold out.
"""

import argparse
import sys
import threading
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: python bench/bench_promotions.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench_database, bench_db_name, expect, say

DB_BASE = "quanzi_bench_promotions"
SMOKE_ARGS = ["--claims", "40", "--connections", "8", "--stock", "10"]


def _members(n: int) -> list:
    from mall.models import User

    User.objects.bulk_create([User(phone=f"139{i:08d}", nickname=f"会员{i}") for i in range(n)])
    return list(User.objects.order_by("pk"))


def _burst(members: list, template_id: int, connections_n: int) -> tuple[float, list]:
    from django.db import connections

    from promotions.errors import CouponSoldOut
    from promotions.services.issue import coupon_claim

    barrier = threading.Barrier(connections_n + 1)
    outcomes: list = []
    lock = threading.Lock()

    def work(i: int) -> None:
        try:
            connections["default"].ensure_connection()
            barrier.wait()
            mine = []
            for user in members[i::connections_n]:
                try:
                    mine.append(coupon_claim(template_id=template_id, user=user))
                except CouponSoldOut as exc:
                    mine.append(exc)
            with lock:
                outcomes.extend(mine)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(connections_n)]
    for thread in threads:
        thread.start()
    barrier.wait()
    t0 = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - t0, outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run.py promotions", description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=500)
    parser.add_argument("--connections", type=int, default=40)
    parser.add_argument("--stock", type=int, default=100)
    args = parser.parse_args(argv or [])
    db_name = bench_db_name(DB_BASE)
    with bench_database(db_name, settings_module="config.settings.test", use_redis=False):
        from promotions.models import Coupon, CouponTemplate

        members = _members(args.claims)
        template = CouponTemplate.objects.create(name="压测券", kind="threshold", threshold=100, amount=10,
                                                 stock=args.stock, valid_days=7)
        wall, outcomes = _burst(members, template.pk, args.connections)
        issued = sum(isinstance(o, Coupon) for o in outcomes)
        expect(len(outcomes) == args.claims, f"{len(outcomes)} outcomes for {args.claims} claims")
        expect(issued == min(args.stock, args.claims) == Coupon.objects.count(),
               f"{issued} coupons issued for a stock of {args.stock}")
        say(f"bench_promotions: {args.claims} concurrent claims on one template (stock {args.stock}) through "
            f"{args.connections} connections, PostgreSQL ({db_name})")
        say(f"  burst wall time: {wall:.2f} s   ({args.claims / wall:.0f} claims/s)   target < 5 s for 500")
        say(f"  issued {issued}, refused (sold out) {len(outcomes) - issued}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
