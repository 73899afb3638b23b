"""crm's rules as pure arithmetic (no database), in Asia/Shanghai (``REACH_TIME_ZONE``):
the anti-disturbance rule's quiet hours and calendar-day cap windows, and the daily
profile's lifecycle stage, RFM scores and KOC flag (thresholds from ``LifecycleSettings``;
definitions in crm/README.md "Profile figures"). ``services/profiles.py`` only gathers the
inputs and writes the results.

Windows are calendar days: "1 a day" means at most one message per Shanghai day, "7 in 7
days" at most 7 in any 7 consecutive Shanghai days. Checking, at each send, the days from
``window_start(now, days)`` to now is enough to hold the cap in *every* window: the last
send of any window checked a span that covers the whole window.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from crm.models.audience import Stage

if TYPE_CHECKING:
    from crm.models import LifecycleSettings

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


def days_ago(today: date, moment: datetime | None) -> int | None:
    """Days from ``moment``'s Shanghai date to ``today`` (a Shanghai date); None for None."""
    return None if moment is None else (today - local(moment).date()).days


def stage_for(*, orders: int, days_idle: int, s: LifecycleSettings) -> str:
    """``days_idle``: days since the last paid order, or since joining when there is none."""
    if days_idle >= s.lost_days:
        return Stage.LOST
    if days_idle >= s.sleep_days:
        return Stage.ASLEEP
    return Stage.NEW if orders <= 1 else Stage.ACTIVE


def rfm_for(*, days_since: int | None, orders: int, spend: Decimal,
            s: LifecycleSettings) -> tuple[int, int, int]:
    r = (0 if days_since is None else 3 if days_since <= s.r_days_high
         else 2 if days_since <= s.r_days_mid else 1)
    f = 0 if orders == 0 else 3 if orders >= s.f_orders_high else 2 if orders >= s.f_orders_mid else 1
    m = 0 if not spend else 3 if spend >= s.m_amount_high else 2 if spend >= s.m_amount_mid else 1
    return r, f, m


def koc_for(*, invites: int, invitee_orders: int, s: LifecycleSettings) -> bool:
    return invites >= s.koc_min_invites and invitee_orders >= s.koc_min_orders


def koc_inputs(*, invites: int, invitee_orders: int, funnel: tuple[int, int] | None) -> tuple[int, int, bool]:
    """KOC's two figures: the share funnel's (sign-ups, credited orders) when the member's
    links recorded any conversion, else the direct sign-ups and their paid orders; and
    whether they came from the funnel."""
    if funnel is not None and any(funnel):
        return funnel[0], funnel[1], True
    return invites, invitee_orders, False


def spend_band(spend: Decimal, *, s: LifecycleSettings) -> int:
    """0 below ``spend_band_1``, 1 below ``spend_band_2``, 2 below ``spend_band_3``, else 3."""
    bounds = (s.spend_band_1, s.spend_band_2, s.spend_band_3)
    return sum(1 for bound in bounds if spend >= bound)


def days_bucket(days: int, *, s: LifecycleSettings) -> int:
    """0 up to ``days_bucket_1`` days, 1 up to ``days_bucket_2``, 2 up to ``days_bucket_3``,
    else 3 (each bound inclusive)."""
    bounds = (s.days_bucket_1, s.days_bucket_2, s.days_bucket_3)
    return sum(1 for bound in bounds if days > bound)


def yuan(amount: Decimal) -> str:
    """``100`` for ¥100.00, ``99.5`` for ¥99.50: a tag name's figure."""
    return f"{amount.normalize():f}"


def spend_band_names(s: LifecycleSettings) -> list[str]:
    a, b, c = s.spend_band_1, s.spend_band_2, s.spend_band_3
    cent = Decimal("0.01")
    return [f"<¥{yuan(a)}", f"¥{yuan(a)}–{yuan(b - cent)}", f"¥{yuan(b)}–{yuan(c - cent)}", f"≥¥{yuan(c)}"]

