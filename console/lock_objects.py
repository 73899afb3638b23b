"""Every lock the console takes."""

import datetime

from common.db import LockNamespace, advisory_xact_lock


def rollup_day_lock(*, day: datetime.date) -> None:
    """One rollup of a day at a time: two runs would both delete the day's rows and the
    second one's inserts would then collide with the first one's."""
    advisory_xact_lock(day.toordinal(), namespace=LockNamespace.CONSOLE_ROLLUP)
