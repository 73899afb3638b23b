"""The console's beat task. Safe to run twice at once (the day's advisory lock queues the
second run, which then rewrites the same rows) or to be killed halfway (one transaction a day)."""

import datetime

from celery import shared_task

from console.dates import local_today
from console.services.rollup import figures_rollup_day


@shared_task(ignore_result=True)
def rollup_recent_days() -> int:
    """Today so far, and yesterday once more so its last minutes are in. Returns the paid
    orders rolled up."""
    today = local_today()
    return sum(figures_rollup_day(day=day).paid_orders
               for day in (today - datetime.timedelta(days=1), today))
