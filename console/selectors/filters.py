"""The reports' filters: a date range (local days, both ends included), a shop, a reseller level.

How the filters apply (the README defines every figure):

- sales figures (GMV, orders, refunds, top products and resellers) keep the orders placed
  through the chosen shop, or through the shops whose owner has the chosen reseller level
  now;
- member figures (加粉, retention, LTV) keep the members whose upline is the chosen shop's
  owner, or whose upline has the chosen level now;
- repurchase keeps the buyers' orders in the chosen shop(s).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q

from console.dates import day_bounds


@dataclass(frozen=True)
class ReportFilter:
    first: datetime.date
    last: datetime.date
    shop_id: int | None = None
    level_id: int | None = None

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        return day_bounds(self.first)[0], day_bounds(self.last)[1]

    def shop_q(self, prefix: str = "") -> Q:
        """Rows of a table with a ``shop`` column (``prefix`` reaches it through a relation)."""
        q = Q()
        if self.shop_id is not None:
            q &= Q(**{f"{prefix}shop_id": self.shop_id})
        if self.level_id is not None:
            q &= Q(**{f"{prefix}shop__owner__member__level_id": self.level_id})
        return q

    def inviter_q(self, field: str = "inviter") -> Q:
        """Members (or rows about members) by their upline ``field``."""
        q = Q()
        if self.shop_id is not None:
            q &= Q(**{f"{field}__user__shop__id": self.shop_id})
        if self.level_id is not None:
            q &= Q(**{f"{field}__level_id": self.level_id})
        return q

    def day_q(self, field: str = "day") -> Q:
        return Q(**{f"{field}__gte": self.first, f"{field}__lte": self.last})
