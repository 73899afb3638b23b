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
- *KOC*: sign-ups ≥ ``koc_min_invites`` and paid orders of those sign-ups ≥
  ``koc_min_orders``, counted from the share funnel when the member's share links recorded
  any conversion (sign-ups credited to their links; orders credited to their links that are
  still paid and not cancelled), else from the referral tree (members bound directly under
  them, and those members' paid orders).

The rules themselves are in ``crm/rules.py`` (``stage_for``, ``rfm_for``, ``koc_for``);
this module gathers their inputs and writes the results. Members are taken in id ranges of
``CHUNK``: per range a few aggregate queries (each by an indexed range of user ids), the
rules in Python, and one upsert (``INSERT … ON CONFLICT (user_id) DO UPDATE``) plus the
stage changes, in one transaction. Memory is bounded by one range, whatever the number of
members (1,000,000 measured in ``bench/bench_crm.py``); PostgreSQL and SQLite alike.
"""

from datetime import date

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q

from common.db import insert_rows
from common.fields import money_sum
from common.money import to_fen
from crm.models import LifecycleSettings, MemberProfile, StageChange
from crm.rules import days_ago, koc_for, koc_inputs, rfm_for, stage_for
from distribution.models import ConversionKind, Member, ShareConversion
from mall.models import User
from orders.models import Order, OrderState

CHUNK = 5000  # members per range (and per transaction)
ROWS_PER_INSERT = 1000  # x 15 columns: under SQLite's 32,766 bound parameters
_FIELDS = ("paid_orders", "spend", "first_paid_at", "last_paid_at", "stage", "previous_stage", "r_score",
           "f_score", "m_score", "invites", "invitee_orders", "koc_from_funnel", "is_koc", "computed_on")
_PROFILE_COLUMNS = tuple(MemberProfile._meta.get_field(name).column for name in ("user", *_FIELDS))
_CHANGE_COLUMNS = tuple(StageChange._meta.get_field(name).column
                        for name in ("user", "day", "from_stage", "to_stage"))


def paid_orders():
    """Paid orders as the profile (and the rule tags) count them."""
    return Order.objects.filter(paid_at__isnull=False).exclude(state=OrderState.CANCELLED)


def profiles_compute(*, today: date) -> int:
    """Recompute every member's profile for ``today`` (safe to run twice: an upsert)."""
    s = LifecycleSettings.get_solo()
    done = last_id = 0
    while True:
        users = list(User.objects.filter(pk__gt=last_id).order_by("pk")
                     .values_list("pk", "date_joined")[:CHUNK])
        if not users:
            return done
        _profiles_write(users, today=today, s=s)
        done += len(users)
        last_id = users[-1][0]


def _inputs(span: tuple[int, int]) -> tuple[dict, dict, dict, dict, dict]:
    """Paid-order figures, direct sign-ups, their paid orders, the share funnel's figures
    and the stored stage of the members whose ids are in ``span`` (inclusive), each a dict
    by user id."""
    lo, hi = span  # (related fields have no __range lookup)
    # order_by(): a model's default ordering would join the GROUP BY and split the groups.
    orders = {row["user_id"]: row for row in paid_orders().filter(user__gte=lo, user__lte=hi).order_by()
              .values("user_id").annotate(n=Count("id"), first=Min("paid_at"), last=Max("paid_at"),
                                          spend=money_sum("total_amount"))}
    # Sign-ups by their parent's user id range, plus the range of those parents' member ids:
    # the planner then reads the parent index (member ids follow user ids closely: a member
    # is created with its user) instead of scanning every member for each range.
    # (min/max in Python: an SQL MIN(id) … WHERE user_id BETWEEN is planned as a walk of the
    # primary key from its end, past every member outside the range.)
    parents = list(Member.objects.filter(user__gte=lo, user__lte=hi).order_by().values_list("pk", flat=True))
    invites, invitee_orders, funnel = {}, {}, {}
    if parents:
        near = {"parent__gte": min(parents), "parent__lte": max(parents),
                "parent__user__gte": lo, "parent__user__lte": hi}
        invites = dict(Member.objects.filter(**near).order_by().values_list("parent__user_id")
                       .annotate(n=Count("id")))
        invitee_orders = dict(paid_orders().filter(**{f"user__member__{k}": v for k, v in near.items()})
                              .order_by().values_list("user__member__parent__user_id").annotate(n=Count("id")))
        funnel = _funnel(near)
    previous = dict(MemberProfile.objects.filter(user__gte=lo, user__lte=hi).values_list("user_id", "stage"))
    return orders, invites, invitee_orders, funnel, previous


def _funnel(near: dict) -> dict[int, tuple[int, int]]:
    """(sign-ups, orders still paid and not cancelled) credited to the share links of the
    resellers in ``near`` (the sign-ups' parent bounds), by the reseller's user id."""
    bounds = {"link__reseller" + key.removeprefix("parent"): value for key, value in near.items()}
    credited = (Q(kind=ConversionKind.ORDER, order__paid_at__isnull=False)
                & ~Q(order__state=OrderState.CANCELLED))
    rows = (ShareConversion.objects.filter(**bounds).order_by().values_list("link__reseller__user_id")
            .annotate(signups=Count("id", filter=Q(kind=ConversionKind.SIGNUP)),
                      orders=Count("id", filter=credited)))
    return {uid: (signups, orders) for uid, signups, orders in rows}


@transaction.atomic
def _profiles_write(users: list[tuple], *, today: date, s: LifecycleSettings) -> None:
    """The profiles of ``users`` (ascending ids), from aggregates over their id range."""
    orders, invites, invitee_orders, funnel, previous = _inputs((users[0][0], users[-1][0]))
    adapt = connection.ops.adapt_datetimefield_value
    computed_on = connection.ops.adapt_datefield_value(today)
    rows, changes = [], []
    for uid, joined in users:
        row = orders.get(uid)
        n, first, last = (row["n"], row["first"], row["last"]) if row else (0, None, None)
        spend = row["spend"] if row else 0
        since = days_ago(today, last)
        stage = stage_for(orders=n, days_idle=since if last else days_ago(today, joined), s=s)
        r, f, m = rfm_for(days_since=since, orders=n, spend=spend, s=s)
        invited, invited_orders, from_funnel = koc_inputs(
            invites=invites.get(uid, 0), invitee_orders=invitee_orders.get(uid, 0), funnel=funnel.get(uid))
        before = previous.get(uid, "")
        rows.append((uid, n, to_fen(spend) if row else 0, adapt(first), adapt(last), stage, before, r, f, m,
                     invited, invited_orders, from_funnel,
                     koc_for(invites=invited, invitee_orders=invited_orders, s=s), computed_on))
        # The change log feeds the churn digest; one row per member and day, so a second
        # run the same day (which sees no change any more) adds nothing and loses nothing.
        if before and before != stage:
            changes.append((uid, computed_on, before, stage))
    for start in range(0, len(rows), ROWS_PER_INSERT):
        insert_rows(MemberProfile._meta.db_table, _PROFILE_COLUMNS, rows[start:start + ROWS_PER_INSERT],
                    update_on=(MemberProfile._meta.get_field("user").column,))
    for start in range(0, len(changes), ROWS_PER_INSERT):
        insert_rows(StageChange._meta.db_table, _CHANGE_COLUMNS, changes[start:start + ROWS_PER_INSERT],
                    ignore_conflicts=True)
