"""Staff reads of commission: what the platform owes resellers."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from common.fields import money_sum
from distribution.models import CommissionRecord, CommissionState, Wallet


@dataclass(frozen=True)
class Liability:
    """What the platform owes resellers: pending commission + available + held."""

    pending: Decimal
    available: Decimal  # positive balances only: one reseller's debt does not pay another
    held: Decimal
    debt: Decimal  # owed back by resellers after clawbacks, shown apart

    @property
    def total(self) -> Decimal:
        return self.pending + self.available + self.held


def commission_liability() -> Liability:
    """Two aggregate queries: pending records, and the wallets."""
    pending = CommissionRecord.objects.filter(state=CommissionState.PENDING).aggregate(
        s=money_sum("amount"))["s"]
    wallets = Wallet.objects.aggregate(
        positive=money_sum("available", filter=Q(available__gt=0)), held_total=money_sum("held"),
        negative=money_sum("available", filter=Q(available__lt=0)))
    return Liability(pending=pending, available=wallets["positive"], held=wallets["held_total"],
                     debt=-wallets["negative"])
