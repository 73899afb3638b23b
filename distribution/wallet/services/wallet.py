"""Wallet ledger writes. Every balance change = one guarded UPDATE + one ledger entry,
in the caller's transaction (these functions refuse to run outside one)."""

from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from common.fields import money_value
from distribution.errors import AdjustmentInvalid, InsufficientBalance
from distribution.models import LedgerEntry, Member, Wallet
from mall.models import User

ZERO = Decimal("0.00")


def wallet_for_member(*, member: Member) -> Wallet:
    wallet, _ = Wallet.objects.get_or_create(member=member)
    return wallet


def _post(
    *,
    wallet_id: int,
    kind: str,
    available: Decimal = ZERO,
    held: Decimal = ZERO,
    withdrawn: Decimal = ZERO,
    guard_available: bool = False,
    **refs: object,
) -> LedgerEntry:
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
    return LedgerEntry.objects.create(
        wallet_id=wallet_id, kind=kind, available_delta=available, held_delta=held,
        withdrawn_delta=withdrawn, available_after=available_after, **refs,
    )


def wallet_credit_commission(*, wallet_id: int, record_id: int, amount: Decimal) -> LedgerEntry:
    """Settlement: a commission record becomes available money (nets against any debt)."""
    return _post(wallet_id=wallet_id, kind=LedgerEntry.Kind.COMMISSION_CREDIT, available=amount,
                 commission_record_id=record_id)


def wallet_reverse_commission(*, wallet_id: int, record_id: int, amount: Decimal,
                              reason: str = "") -> LedgerEntry:
    """Claw back settled commission after a refund. May take ``available`` below zero: debt."""
    return _post(wallet_id=wallet_id, kind=LedgerEntry.Kind.REVERSAL, available=-amount,
                 commission_record_id=record_id, reason=reason[:200])


@transaction.atomic
def wallet_adjust(*, wallet_id: int, amount: Decimal, operator: User | None, reason: str) -> LedgerEntry:
    """Staff correction, positive or negative, always with a reason."""
    reason = (reason or "").strip()
    if not reason or amount == 0 or amount != amount.quantize(Decimal("0.01")):
        raise AdjustmentInvalid()
    return _post(wallet_id=wallet_id, kind=LedgerEntry.Kind.ADJUSTMENT, available=amount,
                 operator=operator, reason=reason[:200])
