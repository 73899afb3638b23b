"""Cohort figures: retention (留存), repurchase (复购率) and LTV, from ``DailyBuyerSales``.

Definitions (the README repeats them):

- A **sign-up cohort** is the members who joined on one local day (``Member.joined_at``).
- **Retention at N days** (N = 7, 30): the share of the cohort with at least one paid order
  on days ``join + 1 … join + N`` (the sign-up day itself is left out: buying on the day you
  join is conversion, not retention). Shown only once day ``join + N`` is over.
- **LTV at N days** (N = 30, 90, 180): net paid (order totals paid minus refunds that
  succeeded) on days ``join … join + N − 1``, divided by the cohort's size. Shown only once
  that last day is over.
- **Repurchase within N days** (N = 30, 90): of the buyers whose first paid order ever falls
  in the range, the share with a second paid order at most N days after the first (a second
  order on the same day counts). A recent first order may still be repeated: the figure can
  only grow until ``first + N`` is over.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Min
from django.utils import timezone

from common.money import ZERO
from console.dates import local_today
from console.models import DailyBuyerSales
from console.selectors.figures import average, ratio
from console.selectors.filters import ReportFilter
from distribution.models import Member

RETENTION_DAYS = (7, 30)
LTV_DAYS = (30, 90, 180)
REPURCHASE_DAYS = (30, 90)
ONE_DAY = datetime.timedelta(days=1)


@dataclass
class Cohort:
    day: datetime.date
    size: int = 0
    retained: dict[int, int] = field(default_factory=dict)
    net_paid: dict[int, Decimal] = field(default_factory=dict)
    complete: dict[int, bool] = field(default_factory=dict)

    def retention(self, days: int) -> Decimal | None:
        return ratio(self.retained.get(days, 0), self.size) if self.complete[days] else None

    def ltv(self, days: int) -> Decimal | None:
        return average(self.net_paid.get(days, ZERO), self.size) if self.complete[days] else None


def sign_up_cohorts(f: ReportFilter) -> list[Cohort]:
    """One cohort per sign-up day of the range that has members, oldest first."""
    start, end = f.bounds
    joined = {user_id: timezone.localtime(at).date() for user_id, at in
              Member.objects.filter(f.inviter_q("parent"), joined_at__gte=start, joined_at__lt=end)
              .values_list("user_id", "joined_at").iterator(chunk_size=5000)}
    today = local_today()
    cohorts: dict[datetime.date, Cohort] = {}
    for day in sorted(set(joined.values())):
        complete = {n: day + datetime.timedelta(days=n) < today for n in RETENTION_DAYS}
        complete |= {n: day + datetime.timedelta(days=n - 1) < today for n in LTV_DAYS}
        cohorts[day] = Cohort(day=day, complete=complete)
    for day in joined.values():
        cohorts[day].size += 1
    _fold_purchases(cohorts, joined, f)
    return list(cohorts.values())


def _fold_purchases(cohorts: dict[datetime.date, Cohort], joined: dict[int, datetime.date],
                    f: ReportFilter) -> None:
    horizon = f.last + datetime.timedelta(days=max(LTV_DAYS))
    rows = (DailyBuyerSales.objects.filter(user_id__in=list(joined), day__gte=f.first, day__lte=horizon)
            .values_list("user_id", "day", "paid_orders", "paid_amount", "refund_amount")
            .order_by("user_id", "day"))
    seen: dict[int, set[int]] = defaultdict(set)  # user → retention windows already counted
    for user_id, day, orders, paid, refunded in rows.iterator(chunk_size=5000):
        join = joined[user_id]
        cohort = cohorts[join]
        age = (day - join).days  # 0 = the sign-up day
        for n in LTV_DAYS:
            if 0 <= age <= n - 1:
                cohort.net_paid[n] = cohort.net_paid.get(n, ZERO) + paid - refunded
        if orders <= 0:
            continue
        for n in RETENTION_DAYS:
            if 1 <= age <= n and n not in seen[user_id]:
                seen[user_id].add(n)
                cohort.retained[n] = cohort.retained.get(n, 0) + 1


@dataclass(frozen=True)
class Repurchase:
    buyers: int
    repeated: dict[int, int]

    def rate(self, days: int) -> Decimal | None:
        return ratio(self.repeated.get(days, 0), self.buyers)


def repurchase(f: ReportFilter) -> Repurchase:
    """复购率 over the buyers whose first paid order (in the filtered shops) is in the range."""
    buyer_rows = DailyBuyerSales.objects.filter(f.shop_q(), paid_orders__gt=0)
    firsts = dict(buyer_rows.values("user_id").annotate(first=Min("day"))
                  .filter(first__gte=f.first, first__lte=f.last).values_list("user_id", "first")
                  .order_by())
    horizon = f.last + datetime.timedelta(days=max(REPURCHASE_DAYS))
    orders_by_day: dict[int, dict[datetime.date, int]] = defaultdict(lambda: defaultdict(int))
    for user_id, day, orders in (buyer_rows.filter(user_id__in=list(firsts), day__lte=horizon)
                                 .values_list("user_id", "day", "paid_orders").iterator(chunk_size=5000)):
        orders_by_day[user_id][day] += orders
    repeated: dict[int, int] = dict.fromkeys(REPURCHASE_DAYS, 0)
    for user_id, first in firsts.items():
        days = orders_by_day[user_id]
        second = first if days[first] >= 2 else min((d for d in days if d > first), default=None)
        if second is None:
            continue
        for n in REPURCHASE_DAYS:
            if (second - first).days <= n:
                repeated[n] += 1
    return Repurchase(buyers=len(firsts), repeated=repeated)
