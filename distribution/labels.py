"""The reseller's words for tiers, record states, withdrawal states and ledger kinds
(一级, 待结算, 审核中 …), shared by the pages and the API. The models' own labels are the
staff's."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from distribution.models import CommissionRecord, CommissionState, LedgerEntry, Withdrawal

# A context of their own: elsewhere "Tier 1" is a team word (直属), here a commission tier (一级).
TIER_LABELS = {1: pgettext_lazy("commission tier", "Tier 1"), 2: pgettext_lazy("commission tier", "Tier 2"),
               3: pgettext_lazy("commission tier", "Tier 3")}
RECORD_STATE_LABELS = {
    CommissionState.PENDING: _("Pending settlement"),
    CommissionState.SETTLED: _("Settled"),
    CommissionState.CANCELLED: _("Cancelled"),
}
REVERSED_LABEL = _("Clawed back")
RECORD_FILTER_LABELS = {"": _("All"), **RECORD_STATE_LABELS, "reversed": REVERSED_LABEL}
WITHDRAWAL_STATE_LABELS = {
    Withdrawal.State.REQUESTED: _("Under review"),
    Withdrawal.State.APPROVED: _("Approved, paying out"),
    Withdrawal.State.PAID: _("Paid out"),
    Withdrawal.State.REJECTED: _("Rejected"),
    Withdrawal.State.FAILED: _("Payout failed"),
}
LEDGER_KIND_LABELS = {
    LedgerEntry.Kind.COMMISSION_CREDIT: _("Commission settled"),
    LedgerEntry.Kind.REVERSAL: _("Commission clawed back"),
    LedgerEntry.Kind.WITHDRAWAL_HOLD: _("Withdrawal requested"),
    LedgerEntry.Kind.WITHDRAWAL_RELEASE: _("Withdrawal returned"),
    LedgerEntry.Kind.PAYOUT: _("Withdrawal paid out"),
    LedgerEntry.Kind.ADJUSTMENT: _("Adjustment by the platform"),
}


def tier_label(tier: int) -> str:
    return str(TIER_LABELS.get(tier, tier))


def record_state_label(record: CommissionRecord) -> str:
    return str(RECORD_STATE_LABELS.get(record.state, record.state))


def withdrawal_state_label(withdrawal: Withdrawal) -> str:
    return str(WITHDRAWAL_STATE_LABELS.get(withdrawal.state, withdrawal.state))


def ledger_kind_label(entry: LedgerEntry) -> str:
    return str(LEDGER_KIND_LABELS.get(entry.kind, entry.kind))
