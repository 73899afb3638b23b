"""``manage.py console_backfill``: roll up past days again (the daily tables of the console).

Each day is one transaction (see ``console.services.rollup``), so the command can be stopped
and run again; a day already rolled up is simply rewritten. Progress is printed per day.
"""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from console.dates import local_today
from console.services.rollup import RollupResult, figures_rollup_range


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from error


class Command(BaseCommand):
    help = "Roll up the console's daily figures for past days (default: the last 90 days, today included)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=90, help="how many days back from today")
        parser.add_argument("--from", dest="first", type=_date, help="first day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="last", type=_date, help="last day (YYYY-MM-DD), default today")

    def handle(self, *args, days: int, first: datetime.date | None, last: datetime.date | None,
               **options) -> None:
        last = last or local_today()
        first = first or last - datetime.timedelta(days=days - 1)
        if first > last:
            raise CommandError("--from is after --to")
        started = time.perf_counter()
        verbosity = options.get("verbosity", 1)

        def progress(result: RollupResult, done: int, total: int) -> None:
            if verbosity >= 1:
                self.stdout.write(f"[{done}/{total} {done * 100 // total:3d}%] {result.day}: "
                                  f"{result.paid_orders} paid orders, {result.rows} rows, "
                                  f"{result.seconds:.2f} s")

        results = figures_rollup_range(first=first, last=last, progress=progress)
        orders = sum(r.paid_orders for r in results)
        self.stdout.write(self.style.SUCCESS(
            f"rolled up {len(results)} days ({first} … {last}), {orders} paid orders, "
            f"in {time.perf_counter() - started:.1f} s"))
