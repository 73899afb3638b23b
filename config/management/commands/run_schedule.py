"""Run the beat schedule in this process, without a broker: the embedded mode's scheduler.

``make run`` starts it beside the development server, so unpaid orders are cancelled,
receipts confirmed, windows closed, commissions settled and trees placed as they would be
with ``celery beat`` + a worker. Each task runs in-process (``Task.apply``); every one of
them is a database sweep that is safe to run twice, so overlapping with a real worker is
harmless. With ``--once`` it runs every task once and exits.
"""

import logging
import time
from datetime import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from config.celery import app


class Command(BaseCommand):
    help = "Run the Celery beat schedule in-process (embedded mode, no broker needed)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="run every task once and exit")
        parser.add_argument("--tick", type=float, default=1.0, help="seconds between checks")

    def handle(self, *args: object, once: bool = False, tick: float = 1.0, **options: object) -> None:
        app.loader.import_default_modules()
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)  # one line per run is noise
        schedule = settings.CELERY_BEAT_SCHEDULE
        last_run: dict[str, datetime] = {}
        self.stdout.write(f"run_schedule: {len(schedule)} periodic tasks"
                          f"{' (once)' if once else f', checking every {tick:g} s'}")
        while True:
            for name, entry in schedule.items():
                due = once or name not in last_run or entry_is_due(entry, last_run[name])
                if due:
                    last_run[name] = timezone.now()
                    self._run(name, entry["task"])
            if once:
                return
            time.sleep(tick)

    def _run(self, name: str, task_name: str) -> None:
        try:
            result = app.tasks[task_name].apply()
            if result.failed():
                self.stderr.write(f"{name}: failed: {result.result!r}")
        except Exception as exc:  # keep the scheduler alive; the next tick retries
            self.stderr.write(f"{name}: {exc!r}")


def entry_is_due(entry: dict, last: datetime) -> bool:
    schedule = entry["schedule"]
    if hasattr(schedule, "is_due"):
        return schedule.is_due(last).is_due
    return (timezone.now() - last) >= schedule  # a timedelta
