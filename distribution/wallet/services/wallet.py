"""The wallet service: the one way money enters and leaves a wallet.

Every balance change is one guarded ``UPDATE`` of the cached balances plus one append-only
ledger entry, in the caller's transaction (these functions refuse to run outside one).
Nothing else in the project inserts ledger rows (a test checks it):

| posting | called by |
|---|---|
| ``wallet_credit_commissions`` | the settlement sweep (a batch of settled records) |
| ``wallet_reverse_commission`` | a refund of an item whose commission had settled |
| ``wallet_hold`` / ``wallet_release`` / ``wallet_pay_out`` | the withdrawal steps |
| ``wallet_adjust`` | staff corrections (and system postings with no operator) |

Amounts are integer fen in the database (``common.fields.MoneyField``), so every sum and
check here is exact on PostgreSQL and SQLite alike.
"""

import logging
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from common.db import insert_rows
from common.fields import money_value
from common.metrics import LEDGER_POSTINGS, count_committed
from common.money import ZERO, from_fen, to_fen, to_money
from distribution import lock_objects
from distribution.models import LedgerEntry, Member, Wallet, Withdrawal
from distribution.wallet.errors import (
    AdjustmentInvalid,
    InsufficientBalance,
    SelfAdjustRefused,
    WalletAdjustForbidden,
    WalletNotFound,
)
from mall.models import User

ADJUST_PERMISSION = "distribution.change_wallet"
LEDGER_CREDIT_COLUMNS = ("wallet_id", "kind", "available_delta", "held_delta", "withdrawn_delta",
                         "available_after", "commission_record_id", "reason", "created_at")

logger = logging.getLogger(__name__)


def wallet_for_member(*, member: Member | None = None, member_id: int | None = None) -> Wallet:
    wallet, _ = Wallet.objects.get_or_create(member_id=member.pk if member is not None else member_id)
    return wallet


def _post(*, wallet_id: int, kind: str, available: Decimal = ZERO, held: Decimal = ZERO,
          withdrawn: Decimal = ZERO, guard_available: bool = False, **refs: object) -> LedgerEntry:
    """Apply one movement. ``guard_available`` refuses to take ``available`` below zero;
    ``held`` can never go below zero (guarded here and by a CHECK constraint)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("wallet postings must run inside a transaction")
    rows = Wallet.objects.filter(pk=wallet_id)
    if guard_available and available < 0:
        rows = rows.filter(available__gte=-available)
    if held < 0:
        rows = rows.filter(held__gte=-held)
    updated = rows.update(available=F("available") + money_value(available),
                          held=F("held") + money_value(held),
                          withdrawn=F("withdrawn") + money_value(withdrawn), updated_at=timezone.now())
    if not updated:
        raise InsufficientBalance()
    # The UPDATE holds the row lock until commit, so this read is our own write.
    available_after = Wallet.objects.values_list("available", flat=True).get(pk=wallet_id)
    entry = LedgerEntry.objects.create(
        wallet_id=wallet_id, kind=kind, available_delta=available, held_delta=held,
        withdrawn_delta=withdrawn, available_after=available_after, **refs,
    )
    count_committed(LEDGER_POSTINGS, kind=kind)
    logger.info("ledger %s: wallet %s available %s held %s withdrawn %s%s", kind, wallet_id, available, held,
                withdrawn, _ref_text(refs))
    return entry


def _ref_text(refs: dict[str, object]) -> str:
    """What a posting is about, for the log line (a withdrawal, a record, an operator)."""
    parts = []
    if refs.get("withdrawal") is not None:
        parts.append(f"withdrawal #{refs['withdrawal'].pk}")
    if refs.get("commission_record_id") is not None:
        parts.append(f"commission record #{refs['commission_record_id']}")
    if refs.get("operator") is not None:
        parts.append(f"by staff #{refs['operator'].pk}")
    return (", " + ", ".join(parts)) if parts else ""


# --- commission ---------------------------------------------------------------------------


def wallet_credit_commissions(*, credits: list[tuple[int, int, Decimal]]) -> None:
    """Settlement: ``(record id, member id, amount)`` rows become available money (netting
    against any debt).

    Four statements per batch, whatever its size: create missing wallets, lock the batch's
    wallets in id order (two sweeps never deadlock), one UPDATE of every wallet's balance
    (returning the new balances), one INSERT of every credit entry with its running
    balance. SQL built from the models' tables, because this runs 100 times per 100,000
    records (``make bench BENCH_ARGS=commission``); amounts are fen in the database.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("wallet postings must run inside a transaction")
    member_ids = sorted({m for _, m, _ in credits})
    Wallet.objects.bulk_create([Wallet(member_id=m) for m in member_ids], ignore_conflicts=True)
    wallets = lock_objects.wallets_lock_for_members(member_ids=member_ids)
    by_wallet: dict[int, list[tuple[int, Decimal]]] = {}
    for record_id, member_id, amount in credits:
        by_wallet.setdefault(wallets[member_id], []).append((record_id, amount))
    totals = {w: sum((a for _, a in rows), ZERO) for w, rows in by_wallet.items()}
    balances = _add_to_available(totals)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    entries: list[tuple] = []
    for wallet_id in sorted(by_wallet):
        running = balances[wallet_id] - totals[wallet_id]
        for record_id, amount in sorted(by_wallet[wallet_id]):
            running += amount
            entries.append((wallet_id, LedgerEntry.Kind.COMMISSION_CREDIT, to_fen(amount), 0, 0,
                            to_fen(running), record_id, "", now))
    insert_rows(LedgerEntry._meta.db_table, LEDGER_CREDIT_COLUMNS, entries)
    count_committed(LEDGER_POSTINGS, len(entries), kind=LedgerEntry.Kind.COMMISSION_CREDIT)


def _add_to_available(totals: dict[int, Decimal]) -> dict[int, Decimal]:
    """One UPDATE adding each wallet's total; returns the new balances (locked rows)."""
    values = ", ".join(["(%s, %s)"] * len(totals))
    params: list[object] = []
    for wallet_id, total in totals.items():
        params += [wallet_id, to_fen(total)]
    table = Wallet._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"WITH v(wallet_id, total) AS (VALUES {values})"  # noqa: S608
                       f" UPDATE {table} SET available = available + v.total, updated_at = %s"
                       f" FROM v WHERE {table}.id = v.wallet_id RETURNING id, available",
                       [*params, connection.ops.adapt_datetimefield_value(timezone.now())])
        return {wallet_id: from_fen(int(available)) for wallet_id, available in cursor.fetchall()}


def wallet_reverse_commission(*, member_id: int, record_id: int, amount: Decimal,
                              reason: str = "") -> LedgerEntry:
    """Claw back settled commission after a refund. May take ``available`` below zero: debt."""
    wallet = wallet_for_member(member_id=member_id)
    return _post(wallet_id=wallet.pk, kind=LedgerEntry.Kind.REVERSAL, available=-amount,
                 commission_record_id=record_id, reason=reason[:200])


# --- withdrawals --------------------------------------------------------------------------


def wallet_hold(*, withdrawal: Withdrawal) -> LedgerEntry:
    """A request: the amount leaves ``available`` for ``held`` at once; never below zero."""
    return _post(wallet_id=withdrawal.wallet_id, kind=LedgerEntry.Kind.WITHDRAWAL_HOLD,
                 available=-withdrawal.amount, held=withdrawal.amount, guard_available=True,
                 withdrawal=withdrawal)


def wallet_release(*, withdrawal: Withdrawal) -> LedgerEntry:
    """A rejected or failed withdrawal: the hold goes back to ``available``."""
    return _post(wallet_id=withdrawal.wallet_id, kind=LedgerEntry.Kind.WITHDRAWAL_RELEASE,
                 available=withdrawal.amount, held=-withdrawal.amount, withdrawal=withdrawal)


def wallet_pay_out(*, withdrawal: Withdrawal) -> LedgerEntry:
    """The money went out: the hold becomes ``withdrawn``."""
    return _post(wallet_id=withdrawal.wallet_id, kind=LedgerEntry.Kind.PAYOUT, held=-withdrawal.amount,
                 withdrawn=withdrawal.amount, withdrawal=withdrawal)


# --- staff corrections --------------------------------------------------------------------


def can_adjust_wallets(user: User) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm(ADJUST_PERMISSION))


@transaction.atomic
def wallet_adjust(*, wallet_id: int, amount: Decimal, operator: User | None, reason: str) -> LedgerEntry:
    """Credit (positive) or debit (negative) the available balance, with a reason the
    reseller sees in their ledger; a debit may leave the wallet in debt.

    A staff ``operator`` needs the adjust permission and never adjusts their own wallet;
    ``operator=None`` is a system posting (a management command or a data fix)."""
    reason = (reason or "").strip()
    try:
        amount = to_money(amount)
    except ValueError:
        raise AdjustmentInvalid() from None
    if not reason or amount == 0:
        raise AdjustmentInvalid()
    if operator is not None:
        if not can_adjust_wallets(operator):
            raise WalletAdjustForbidden()
        owner = Wallet.objects.filter(pk=wallet_id).values_list("member__user_id", flat=True).first()
        if owner is None:
            raise WalletNotFound()
        if owner == operator.pk:
            raise SelfAdjustRefused()
    return _post(wallet_id=wallet_id, kind=LedgerEntry.Kind.ADJUSTMENT, available=amount,
                 operator=operator, reason=reason[:200])
