"""Refresh the precomputed team figures of the biggest teams (``models/rollup.py``).

One pass per tree big enough to hold such a team: the tree's placed members read in
``lft`` order (an index-only scan of ``member_tree_lft_idx``, one statement, so one
consistent snapshot), a stack of open intervals, and each member's team size and sales
falling out when its interval closes: O(tree) time, O(depth) memory. Safe to run twice
at once: each run upserts its rows stamped with its own start and then deletes only rows
stamped before it (members whose team is no longer big, or moved to a smaller tree).
"""

from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from common.money import from_fen
from distribution.models import Member, TeamRollup
from distribution.models.rollup import TEAM_ROLLUP_MIN_SIZE

TABLE = Member._meta.db_table
FETCH = 20_000


@dataclass(frozen=True)
class RollupResult:
    trees: int
    members_scanned: int
    rows: int


def _tree_teams(tree_id: int, min_size: int) -> tuple[list[tuple[int, int, int]], int]:
    """``[(member id, team size, team sales in fen)]`` of the members of ``tree_id`` whose
    placed team has at least ``min_size`` members, and how many rows were read."""
    found: list[tuple[int, int, int]] = []
    stack: list[tuple[int, int, int, int, int]] = []  # id, rght, rows before, fen before, own fen
    count = fen = 0

    def close(entry: tuple[int, int, int, int, int]) -> None:
        member_id, _rght, count_before, fen_before, own = entry
        size = count - count_before - 1
        if size >= min_size:
            found.append((member_id, size, fen - fen_before - own))

    with connection.chunked_cursor() as cursor:
        cursor.execute(f"SELECT id, lft, rght, own_paid_sales FROM {TABLE}"  # noqa: S608 - table name
                       " WHERE tree_id = %s AND lft > 0 ORDER BY lft", [tree_id])
        while rows := cursor.fetchmany(FETCH):
            for member_id, lft, rght, own in rows:
                while stack and stack[-1][1] < lft:
                    close(stack.pop())
                stack.append((member_id, rght, count, fen, int(own)))
                count += 1
                fen += int(own)
    while stack:
        close(stack.pop())
    return found, count


def team_rollups_refresh(*, min_size: int = TEAM_ROLLUP_MIN_SIZE) -> RollupResult:
    """Recompute the rollup rows of every team of at least ``min_size`` placed members."""
    started = timezone.now()
    trees = list(Member.objects.filter(lft__gt=0).order_by().values("tree_id").annotate(n=Count("id"))
                 .filter(n__gt=min_size).values_list("tree_id", flat=True))
    rows, scanned = [], 0
    for tree_id in trees:
        found, count = _tree_teams(tree_id, min_size)
        scanned += count
        rows.extend(TeamRollup(member_id=member_id, team_size=size, team_sales=from_fen(sales_fen),
                               computed_at=started) for member_id, size, sales_fen in found)
    with transaction.atomic():
        TeamRollup.objects.bulk_create(rows, batch_size=2000, update_conflicts=True, unique_fields=["member"],
                                       update_fields=["team_size", "team_sales", "computed_at"])
        TeamRollup.objects.filter(computed_at__lt=started).delete()
    return RollupResult(trees=len(trees), members_scanned=scanned, rows=len(rows))
