"""The daily member profile: lifecycle stage, RFM scores and the KOC flag.

Definitions (also in crm/README.md), with ``today`` a Shanghai date and "days since" counted
from the Shanghai date of the moment:

- a *paid order* is an order with ``paid_at`` set that is not cancelled (fully refunded
  orders are cancelled, so they do not count); *spend* is the sum of their ``total_amount``;
- *stage*: days since the last paid order (since joining when there is none) ≥ ``lost_days``
  → 流失 lost; ≥ ``sleep_days`` → 沉睡 asleep; else at most one paid order → 新客 new; else
  活跃 active;
- *R*: 0 without a paid order; 3 if the last was ≤ ``r_days_high`` days ago, 2 if ≤
  ``r_days_mid``, else 1. *F*: 0 / 1 / 2 from ``f_orders_mid`` / 3 from ``f_orders_high``
  paid orders. *M*: 0 for no spend / 1 / 2 from ``m_amount_mid`` / 3 from ``m_amount_high``;
- *KOC*: direct sign-ups (members bound directly under them) ≥ ``koc_min_invites`` and
  paid orders of those sign-ups ≥ ``koc_min_orders``.
"""

from datetime import date, datetime

from django.db import transaction
from django.db.models import Count, Max, Min

from common.fields import money_sum
from crm.models import LifecycleSettings, MemberProfile, Stage, StageChange
from crm.rules import local
from distribution.models import Member
from mall.models import User
from orders.models import Order, OrderState

CHUNK = 2000
_FIELDS = ["paid_orders", "spend", "first_paid_at", "last_paid_at", "stage", "previous_stage", "r_score",
           "f_score", "m_score", "invites", "invitee_orders", "is_koc", "computed_on"]


def _paid_orders():
    return Order.objects.filter(paid_at__isnull=False).exclude(state=OrderState.CANCELLED)


def _days(today: date, moment: datetime | None) -> int | None:
    return None if moment is None else (today - local(moment).date()).days


def stage_for(*, orders: int, days_idle: int, s: LifecycleSettings) -> str:
    if days_idle >= s.lost_days:
        return Stage.LOST
    if days_idle >= s.sleep_days:
        return Stage.ASLEEP
    return Stage.NEW if orders <= 1 else Stage.ACTIVE


def rfm_for(*, days_since: int | None, orders: int, spend, s: LifecycleSettings) -> tuple[int, int, int]:
    r = (0 if days_since is None else 3 if days_since <= s.r_days_high
         else 2 if days_since <= s.r_days_mid else 1)
    f = 0 if orders == 0 else 3 if orders >= s.f_orders_high else 2 if orders >= s.f_orders_mid else 1
    m = 0 if not spend else 3 if spend >= s.m_amount_high else 2 if spend >= s.m_amount_mid else 1
    return r, f, m


def profiles_compute(*, today: date) -> int:
    """Recompute every member's profile for ``today`` (safe to run twice: an upsert)."""
    s = LifecycleSettings.get_solo()
    # order_by(): a model's default ordering would join the GROUP BY and split the groups.
    orders = {row["user_id"]: row for row in _paid_orders().order_by().values("user_id").annotate(
        n=Count("id"), first=Min("paid_at"), last=Max("paid_at"), spend=money_sum("total_amount"))}
    invites = dict(Member.objects.filter(parent__isnull=False).order_by().values_list("parent__user_id")
                   .annotate(n=Count("id")))
    invitee_orders = dict(_paid_orders().filter(user__member__parent__isnull=False).order_by()
                          .values_list("user__member__parent__user_id").annotate(n=Count("id")))
    previous = dict(MemberProfile.objects.values_list("user_id", "stage"))
    users = list(User.objects.values_list("pk", "date_joined"))
    for start in range(0, len(users), CHUNK):
        rows = [_profile(uid, joined, orders.get(uid), invites.get(uid, 0), invitee_orders.get(uid, 0),
                         previous.get(uid, ""), today, s) for uid, joined in users[start:start + CHUNK]]
        # The change log feeds the churn digest; one row per member and day, so a second
        # run the same day (which sees no change any more) adds nothing and loses nothing.
        changes = [StageChange(user_id=p.user_id, day=today, from_stage=p.previous_stage, to_stage=p.stage)
                   for p in rows if p.previous_stage and p.previous_stage != p.stage]
        with transaction.atomic():
            MemberProfile.objects.bulk_create(rows, update_conflicts=True, unique_fields=["user"],
                                              update_fields=_FIELDS)
            StageChange.objects.bulk_create(changes, ignore_conflicts=True)
    return len(users)


def _profile(uid, joined, row, invites, invitee_orders, previous, today, s) -> MemberProfile:  # noqa: PLR0917
    n = row["n"] if row else 0
    last = row["last"] if row else None
    spend = row["spend"] if row else 0
    days_since = _days(today, last)
    stage = stage_for(orders=n, days_idle=days_since if last else _days(today, joined), s=s)
    r, f, m = rfm_for(days_since=days_since, orders=n, spend=spend, s=s)
    return MemberProfile(
        user_id=uid, paid_orders=n, spend=spend, first_paid_at=row["first"] if row else None,
        last_paid_at=last,
        stage=stage, previous_stage=previous, r_score=r, f_score=f, m_score=m, invites=invites,
        invitee_orders=invitee_orders,
        is_koc=invites >= s.koc_min_invites and invitee_orders >= s.koc_min_orders, computed_on=today)
