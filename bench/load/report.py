"""Print the load run's table from locust's CSV: per endpoint, requests, failures, p50 /
p95 / p99 and throughput, each latency also as a ratio to the floor view (/healthz) of the
same run; then check the targets. Exit 1 when a target is missed or anything failed."""

import csv
import sys
from pathlib import Path

PAGE_P95_MS, CHECKOUT_P95_MS = 300, 500
FLOOR = "floor: /healthz"


def main(stats_csv: str) -> int:
    with Path(stats_csv).open() as f:
        all_rows = list(csv.DictReader(f))
    rows = [r for r in all_rows if r["Name"] != "Aggregated"]
    by_name = {r["Name"]: r for r in rows}
    floor = by_name.get(FLOOR)
    floor_p50 = float(floor["50%"]) if floor else float("nan")
    floor_p95 = float(floor["95%"]) if floor else float("nan")
    print(f"{'endpoint':34} {'reqs':>7} {'fail':>5} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'req/s':>7}"
          f" {'p50/floor':>9} {'p95/floor':>9}")
    problems = []
    total_fail = 0
    for r in sorted(rows, key=lambda r: r["Name"]):
        p50, p95, p99 = float(r["50%"]), float(r["95%"]), float(r["99%"])
        fails = int(r["Failure Count"])
        total_fail += fails
        print(f"{r['Name'][:34]:34} {int(r['Request Count']):7d} {fails:5d} {p50:7.0f} {p95:7.0f} {p99:7.0f}"
              f" {float(r['Requests/s']):7.1f} {p50 / floor_p50:9.1f} {p95 / floor_p95:9.1f}")
        if r["Name"].startswith("page: ") and p95 > PAGE_P95_MS:
            problems.append(f"{r['Name']}: p95 {p95:.0f} ms > {PAGE_P95_MS} ms")
        if r["Name"] == "api: checkout" and p95 > CHECKOUT_P95_MS:
            problems.append(f"{r['Name']}: p95 {p95:.0f} ms > {CHECKOUT_P95_MS} ms")
    if total_fail:
        problems.append(f"{total_fail} failed requests")
    agg = next(r for r in all_rows if r["Name"] == "Aggregated")
    print(f"\nall: {int(agg['Request Count'])} requests, {float(agg['Requests/s']):.1f} req/s;"
          f" targets: pages p95 <= {PAGE_P95_MS} ms, checkout p95 <= {CHECKOUT_P95_MS} ms, zero errors")
    for problem in problems:
        print(f"MISSED: {problem}")
    print("load: OK" if not problems else "load: FAILED")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
