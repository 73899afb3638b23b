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

from django.db import connection, models
from django.db.models import QuerySet
from django.utils import timezone

from common.db import ModelSelect
from common.money import ZERO, from_fen
from distribution.models import BindMode, Member, ReferralSettings

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


_CHAIN_ROWS = ModelSelect(Member, related=("level",))  # on every checkout's path (the snapshot)


def member_chain(member_id: int | None = None, *, length: int, user_id: int | None = None) -> list[Member]:
    """The member (by id, or by its user's id) and its uplines, nearest first, ``length`` at
    most, with each one's level name as ``level_name_``: one recursive query over
    ``parent_id``."""
    table = Member._meta.db_table
    start = "id" if user_id is None else "user_id"
    walk = (f"WITH RECURSIVE up(id, parent_id, n) AS ("  # noqa: S608 - table names from the models
            f" SELECT id, parent_id, 1 FROM {table} WHERE {start} = %s"
            f" UNION ALL SELECT m.id, m.parent_id, up.n + 1 FROM {table} m JOIN up ON m.id = up.parent_id"
            f" WHERE up.n < %s) ")
    members = _CHAIN_ROWS.fetch("1 = 1", [member_id if user_id is None else user_id, length], prefix=walk,
                                join=" JOIN up ON up.id = t0.id", order_by="up.n")
    for member in members:
        member.level_name_ = member.level.name if member.level is not None else ""
    return members


def member_ancestors(member_id: int, depth: int = MAX_ANCESTOR_DEPTH) -> list[int]:
    """Ids of the upline chain, nearest first, at most ``depth`` (<= 3) steps: the same
    walk of ``parent_id`` the commission engine uses (``member_chain``), never
    ``lft``/``rght``, so it is right for a member who joined a second ago."""
    depth = max(0, min(depth, MAX_ANCESTOR_DEPTH))
    if depth == 0:
        return []
    return [member.pk for member in member_chain(member_id, length=depth + 1)[1:]]


def member_for_user(*, user_id: int) -> Member | None:
    return Member.objects.filter(user_id=user_id).first()


def member_direct_downlines(*, member: Member) -> QuerySet[Member]:
    """Direct downlines in join order (index (parent_id, id)); pending ones included."""
    return Member.objects.filter(parent_id=member.pk).select_related("user").order_by("id")


def binding_history(*, member: Member) -> QuerySet:
    return member.binding_history.select_related("old_parent__user", "new_parent__user", "operator")


def member_can_bind(*, member: Member) -> bool:
    """Whether an unbound member can still bind an inviter (``services.binding`` decides;
    this only keeps the pages from offering a form that can only fail)."""
    if member.parent_id is not None:
        return False
    rules = ReferralSettings.get_solo()
    if rules.bind_mode != BindMode.PERMANENT:
        return True
    return timezone.now() <= member.joined_at + timedelta(minutes=rules.permanent_window_minutes)


@dataclass(frozen=True)
class PlacementBacklog:
    pending: int  # members who joined and are not numbered in their tree yet
    oldest_seconds: float  # how long the oldest of them has waited (0 when none)


def placement_backlog() -> PlacementBacklog:
    """The placement lag (for ``/metrics``): pending members (``lft = 0``, on the partial
    index ``member_pending_idx``) and the age of the oldest."""
    row = (Member.objects.filter(lft=0)
           .aggregate(n=models.Count("pk"), oldest=models.Min("joined_at")))
    oldest = (timezone.now() - row["oldest"]).total_seconds() if row["oldest"] else 0.0
    return PlacementBacklog(pending=row["n"], oldest_seconds=max(oldest, 0.0))
