"""Local days (the site's time zone, Asia/Shanghai) and their bounds in UTC."""

import datetime

from django.utils import timezone


def local_today() -> datetime.date:
    return timezone.localdate()


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """``[start, end)`` of a local day, as aware datetimes."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return start, end


def days_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Every day from ``first`` to ``last``, both included."""
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
