"""Every lock the referral app takes, in one place.

Who takes what (PostgreSQL; see ``distribution/tree/__init__.py`` for the whole design):

- placement and every structural rewrite of a tree's numbers (moves, handovers) hold the
  tree's transaction-scoped advisory lock EXCLUSIVELY; moves take the locks of both trees
  in ascending ``tree_id`` order, then (to make a new root) the global roots lock, always
  last, so two writers never wait on each other in a cycle;
- a new root takes the global roots lock, so ``max(tree_id) + 1`` is never handed out twice;
- a sign-up under an inviter takes no advisory lock at all: it holds ``FOR KEY SHARE`` on
  the inviter's row (the same lock its foreign key takes anyway). That lock does not
  conflict with placement (which rewrites ``lft``/``rght``: a NO KEY UPDATE), so sign-ups
  never wait for a placement; it does conflict with the ``FOR UPDATE`` a move takes on
  the subtree it moves, so the inviter's ``tree_id``/``depth`` a sign-up copies cannot be
  changed under it.

SQLite (the embedded mode) has no advisory or row locks: every write transaction there
starts with ``BEGIN IMMEDIATE`` (see ``config/settings/base.py``), which already admits
one writer at a time to the whole database, so each function below is a no-op there.

Raw SQL here formats only table and column names taken from the models (hence the
``noqa: S608``); every value is a bound parameter.
"""

from typing import NamedTuple

from django.db import connection

from common.db import LockNamespace, advisory_xact_lock, advisory_xact_try_lock, is_postgres
from distribution.models import (
    CommissionRecord,
    CommissionRules,
    LevelRate,
    Member,
    ProductCommission,
    ResellerProgram,
    Wallet,
    Withdrawal,
)

MEMBER_TABLE = Member._meta.db_table


class InviterRow(NamedTuple):
    id: int
    user_id: int
    tree_id: int
    depth: int


def tree_lock(tree_id: int) -> None:
    advisory_xact_lock(tree_id, LockNamespace.REFERRAL_TREE)


def trees_lock(tree_ids: set[int]) -> None:
    """Lock several trees, in ascending order (deadlock-free against other movers)."""
    for tree_id in sorted(tree_ids):
        tree_lock(tree_id)


def tree_try_lock(tree_id: int) -> bool:
    """Take the tree's lock if it is free; a placement never queues behind another one."""
    return advisory_xact_try_lock(tree_id, LockNamespace.REFERRAL_TREE)


def roots_lock() -> None:
    advisory_xact_lock(0, LockNamespace.REFERRAL_ROOTS)


def member_lock_inviter(*, invite_code: str) -> InviterRow | None:
    """Find the inviter by code and hold FOR KEY SHARE on the row until commit.

    If a move is rewriting the inviter's subtree, this waits for it and then returns the
    row as the move left it (READ COMMITTED re-reads a row it had to wait for).
    """
    suffix = " FOR KEY SHARE" if is_postgres() else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, user_id, tree_id, depth FROM {MEMBER_TABLE} WHERE invite_code = %s{suffix}",  # noqa: S608
            [invite_code],
        )
        row = cursor.fetchone()
    return InviterRow(*row) if row else None


def members_lock_range(*, tree_id: int, lft_above: int, lft_below: int) -> int:
    """``FOR UPDATE`` on every placed member with ``lft_above < lft < lft_below``; returns
    how many. Waits for sign-ups in flight under any of them (they hold FOR KEY SHARE).

    No ``ORDER BY pk``: only a holder of the tree's exclusive advisory lock calls this, so
    no two callers ever lock rows of one tree at the same time.
    """
    if not is_postgres():
        return Member.objects.filter(tree_id=tree_id, lft__gt=lft_above, lft__lt=lft_below).count()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {MEMBER_TABLE} WHERE tree_id = %s AND lft > %s"  # noqa: S608
            f" AND lft < %s FOR UPDATE) AS locked",
            [tree_id, lft_above, lft_below],
        )
        return int(cursor.fetchone()[0])


# --- commission and wallet rows: always order → items → records → wallets --------------


def commission_records_lock_for_item(*, order_item_id: int) -> list[CommissionRecord]:
    return list(CommissionRecord.objects.select_for_update(of=("self",))
                .filter(order_item_id=order_item_id).order_by("pk"))


def wallet_lock(*, wallet_id: int) -> Wallet:
    return Wallet.objects.select_for_update(of=("self",)).filter(pk=wallet_id).order_by("pk").get()


def wallets_lock_for_members(*, member_ids: list[int]) -> dict[int, int]:
    """``{member id: wallet id}``, those wallet rows locked in id order (settlement)."""
    return dict(Wallet.objects.select_for_update(of=("self",)).filter(member_id__in=member_ids)
                .order_by("pk").values_list("member_id", "pk"))


def commission_rules_lock() -> CommissionRules:
    CommissionRules.objects.get_or_create(pk=1)
    return CommissionRules.objects.select_for_update(of=("self",)).get(pk=1)


def level_rate_lock(*, level_id: int, tier: int) -> LevelRate | None:
    return (LevelRate.objects.select_for_update(of=("self",)).filter(level_id=level_id, tier=tier)
            .order_by("pk").first())


def product_commission_lock(*, product_id: int) -> ProductCommission:
    ProductCommission.objects.get_or_create(product_id=product_id)
    return ProductCommission.objects.select_for_update(of=("self",)).get(product_id=product_id)


def reseller_program_lock() -> ResellerProgram:
    ResellerProgram.objects.get_or_create(pk=1)
    return ResellerProgram.objects.select_for_update(of=("self",)).get(pk=1)


def withdrawal_lock(*, withdrawal_id: int) -> Withdrawal | None:
    return (Withdrawal.objects.select_for_update(of=("self",)).filter(pk=withdrawal_id)
            .order_by("pk").first())
