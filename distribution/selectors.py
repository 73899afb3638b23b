"""Reads of the referral forest.

Team figures come from the MPTT range of a member: one index-only range query over
``member_tree_lft_idx`` (tree_id, lft) INCLUDE (rght, depth, own_paid_sales). Members who
joined in the last few seconds are pending (not numbered yet) and are counted once placed:
team figures are fresh within the placement bound (30 s; see ``distribution/tree``).
The parent chain, which commissions use, is exact at once.

Raw SQL here formats only table and column names taken from the models (hence the
``noqa: S608``); every value is a bound parameter.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from common.money import ZERO, from_fen
from distribution.models import BindMode, Member, ReferralSettings, ResellerApplication, ResellerLevel

TABLE = Member._meta.db_table
MAX_ANCESTOR_DEPTH = 3


@dataclass(frozen=True)
class TeamFigures:
    size: int  # every descendant
    paid_sales: Decimal  # SUM(own_paid_sales) over the descendants


def _range_sql(select: str) -> str:
    return f"SELECT {select} FROM {TABLE} WHERE tree_id = %s AND lft > %s AND lft < %s"  # noqa: S608


def team_figures(*, member: Member) -> TeamFigures:
    """Team size and team paid sales in one range query (current numbers of ``member``)."""
    if not member.lft:
        return TeamFigures(size=0, paid_sales=ZERO)
    with connection.cursor() as cursor:
        cursor.execute(_range_sql("count(*), COALESCE(SUM(own_paid_sales), 0)"),
                       [member.tree_id, member.lft, member.rght])
        size, sales = cursor.fetchone()
    return TeamFigures(size=int(size), paid_sales=from_fen(int(sales)))  # own_paid_sales is in fen


def team_size(*, member: Member) -> int:
    if not member.lft:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(_range_sql("count(*)"), [member.tree_id, member.lft, member.rght])
        return int(cursor.fetchone()[0])


def team_paid_sales(*, member: Member) -> Decimal:
    if not member.lft:
        return ZERO
    with connection.cursor() as cursor:
        cursor.execute(_range_sql("COALESCE(SUM(own_paid_sales), 0)"),
                       [member.tree_id, member.lft, member.rght])
        return from_fen(int(cursor.fetchone()[0]))


def member_ancestors(member_id: int, depth: int = MAX_ANCESTOR_DEPTH) -> list[int]:
    """Ids of the upline chain, nearest first, at most ``depth`` (<= 3) steps.

    Walks ``parent_id`` with a recursive CTE, never ``lft``/``rght``: it is right for a
    member who joined a second ago and is not placed yet.
    """
    depth = max(0, min(depth, MAX_ANCESTOR_DEPTH))
    if depth == 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE up(id, parent_id, n) AS ("  # noqa: S608
            f" SELECT id, parent_id, 0 FROM {TABLE} WHERE id = %s"
            f" UNION ALL SELECT m.id, m.parent_id, up.n + 1 FROM {TABLE} m JOIN up ON m.id = up.parent_id"
            f" WHERE up.n < %s)"
            f" SELECT id FROM up WHERE n > 0 ORDER BY n",
            [member_id, depth],
        )
        return [row[0] for row in cursor.fetchall()]


def member_for_user(*, user_id: int) -> Member | None:
    return Member.objects.filter(user_id=user_id).first()


def member_direct_downlines(*, member: Member) -> QuerySet[Member]:
    """Direct downlines in join order (index (parent_id, id)); pending ones included."""
    return Member.objects.filter(parent_id=member.pk).select_related("user").order_by("id")


def binding_history(*, member: Member) -> QuerySet:
    return member.binding_history.select_related("old_parent__user", "new_parent__user", "operator")


# --- reseller centre: team summary, sales figures, level progress ----------------------------


@dataclass(frozen=True)
class TeamSummary:
    size: int  # every descendant (placed; fresh within the placement bound)
    paid_sales: Decimal  # their own paid sales, summed (the member's own are not included)
    direct_count: int  # tier 1: direct downlines, pending ones included
    tier2_count: int  # tier 2: downlines of direct downlines, pending ones included


def team_summary(*, member: Member) -> TeamSummary:
    """The team card: one range query (size, sales) and two index lookups on (parent_id, id).

    The tier-2 count is one query: a join of the member table with itself on the parent.
    """
    figures = team_figures(member=member)
    return TeamSummary(
        size=figures.size,
        paid_sales=figures.paid_sales,
        direct_count=Member.objects.filter(parent_id=member.pk).count(),
        tier2_count=Member.objects.filter(parent__parent_id=member.pk).count(),
    )


@dataclass(frozen=True)
class SalesFigures:
    """What level conditions look at: sales only, never headcount."""

    own_sales: Decimal
    team_sales: Decimal
    settled_commission: Decimal


def member_sales_figures(*, member: Member) -> SalesFigures:
    # services.commission imports this module (member_ancestors), so it is imported here.
    from distribution.commission.services.records import member_settled_commission

    return SalesFigures(
        own_sales=Decimal(member.own_paid_sales).quantize(ZERO),
        team_sales=team_paid_sales(member=member),
        settled_commission=Decimal(member_settled_commission(member_id=member.pk)).quantize(ZERO),
    )


@dataclass(frozen=True)
class ConditionProgress:
    key: str  # "own_sales" | "team_sales" | "settled_commission"
    required: Decimal
    current: Decimal

    @property
    def met(self) -> bool:
        return self.current >= self.required

    @property
    def percent(self) -> int:
        if self.required <= 0 or self.current >= self.required:
            return 100
        return max(0, int(self.current * 100 / self.required))


@dataclass(frozen=True)
class LevelProgress:
    current: ResellerLevel | None
    next_level: ResellerLevel | None  # the next level reached automatically, if any
    conditions: list[ConditionProgress]  # the next level's conditions that are above zero
    levels: list[ResellerLevel]  # every level, lowest first


CONDITION_FIELDS = (("own_sales", "min_own_sales"), ("team_sales", "min_team_sales"),
                    ("settled_commission", "min_settled_commission"))


def level_progress(*, member: Member, figures: SalesFigures) -> LevelProgress:
    levels = list(ResellerLevel.objects.order_by("weight"))
    current = next((lv for lv in levels if lv.pk == member.level_id), None)
    floor = current.weight if current is not None else -1
    next_level = next((lv for lv in levels if lv.auto_upgrade and lv.weight > floor), None)
    conditions = []
    if next_level is not None:
        conditions = [ConditionProgress(key=key, required=getattr(next_level, field),
                                        current=getattr(figures, key))
                      for key, field in CONDITION_FIELDS if getattr(next_level, field) > 0]
    return LevelProgress(current=current, next_level=next_level, conditions=conditions, levels=levels)


def reseller_application_latest(*, member: Member) -> ResellerApplication | None:
    return ResellerApplication.objects.filter(member_id=member.pk).order_by("-id").first()


def member_can_bind(*, member: Member) -> bool:
    """Whether an unbound member can still bind an inviter (``services.binding`` decides;
    this only keeps the pages from offering a form that can only fail)."""
    if member.parent_id is not None:
        return False
    rules = ReferralSettings.get_solo()
    if rules.bind_mode != BindMode.PERMANENT:
        return True
    return timezone.now() <= member.joined_at + timedelta(minutes=rules.permanent_window_minutes)
