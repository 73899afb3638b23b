"""Wallet reconciliation: cached balances against the ledger, records against credits."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from common.money import ZERO
from distribution.models import CommissionRecord, LedgerEntry, Wallet


@dataclass
class ReconcileReport:
    wallets_checked: int = 0
    records_checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _ledger_sums() -> dict[int, tuple[Decimal, Decimal, Decimal]]:
    rows = LedgerEntry.objects.values("wallet_id").annotate(
        a=Sum("available_delta"), h=Sum("held_delta"), w=Sum("withdrawn_delta"))
    return {r["wallet_id"]: (r["a"] or ZERO, r["h"] or ZERO, r["w"] or ZERO) for r in rows}


def wallets_reconcile() -> ReconcileReport:
    """Every cached balance equals the sum of its ledger; every settled record has exactly
    one credit, of what it was worth at settlement; its reversals sum to what was clawed back."""
    report = ReconcileReport()
    sums = _ledger_sums()
    for wallet in Wallet.objects.order_by("pk").iterator(chunk_size=2000):
        report.wallets_checked += 1
        expected = sums.get(wallet.pk, (ZERO, ZERO, ZERO))
        if (wallet.available, wallet.held, wallet.withdrawn) != expected:
            report.problems.append(
                f"wallet {wallet.pk}: cached available/held/withdrawn "
                f"{wallet.available}/{wallet.held}/{wallet.withdrawn} != ledger "
                f"{expected[0]}/{expected[1]}/{expected[2]}")
    credits = LedgerEntry.objects.filter(commission_record_id__isnull=False).values("commission_record_id")
    per_record = {
        r["commission_record_id"]: r for r in credits.annotate(
            credits=Count("pk", filter=Q(kind=LedgerEntry.Kind.COMMISSION_CREDIT)),
            credited=Sum("available_delta", filter=Q(kind=LedgerEntry.Kind.COMMISSION_CREDIT)),
            reversed=Sum("available_delta", filter=Q(kind=LedgerEntry.Kind.REVERSAL)),
        )
    }
    records = CommissionRecord.objects.values_list("pk", "state", "amount", "reversed_amount")
    for pk, state, amount, reversed_amount in records.iterator(chunk_size=5000):
        report.records_checked += 1
        row = per_record.get(pk)
        credits_n = row["credits"] if row else 0
        if state != CommissionRecord.State.SETTLED:
            if credits_n:
                report.problems.append(f"record {pk} is {state} but has {credits_n} credit(s)")
            continue
        if credits_n != 1:
            report.problems.append(f"settled record {pk} has {credits_n} credits, expected 1")
            continue
        if row["credited"] != amount + reversed_amount:
            report.problems.append(f"record {pk}: credited {row['credited']} != amount {amount} "
                                   f"+ clawed back {reversed_amount}")
        if -(row["reversed"] or ZERO) != reversed_amount:
            report.problems.append(
                f"record {pk}: reversals {row['reversed']} != clawed back {reversed_amount}")
    return report
