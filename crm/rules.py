"""The anti-disturbance rule as pure time arithmetic (no database): quiet hours and the
calendar-day windows of the caps, in Asia/Shanghai (``REACH_TIME_ZONE``).

Windows are calendar days: "1 a day" means at most one message per Shanghai day, "7 in 7
days" at most 7 in any 7 consecutive Shanghai days. Checking, at each send, the days from
``window_start(now, days)`` to now is enough to hold the cap in *every* window: the last
send of any window checked a span that covers the whole window.
"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

REACH_TIME_ZONE = ZoneInfo("Asia/Shanghai")


def local(moment: datetime) -> datetime:
    return moment.astimezone(REACH_TIME_ZONE)


def in_quiet_hours(moment: datetime, *, start: time, end: time) -> bool:
    """``start`` inclusive, ``end`` exclusive; a span over midnight when ``start > end``;
    no quiet hours when they are equal."""
    t = local(moment).time()
    if start == end:
        return False
    if start < end:
        return start <= t < end
    return t >= start or t < end


def quiet_hours_end(moment: datetime, *, start: time, end: time) -> datetime:
    """The first instant after ``moment`` outside the quiet hours (UTC)."""
    here = local(moment)
    candidate = here.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if candidate <= here:
        candidate += timedelta(days=1)
    return candidate.astimezone(UTC)


def window_start(moment: datetime, *, days: int) -> datetime:
    """Shanghai midnight ``days - 1`` days before ``moment``'s day (UTC)."""
    day = local(moment).date() - timedelta(days=days - 1)
    return datetime.combine(day, time(0), tzinfo=REACH_TIME_ZONE).astimezone(UTC)
