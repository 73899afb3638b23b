from distribution.models.binding import BindingHistory
from distribution.models.commission import (
    MAX_TIERS,
    AttributionPolicy,
    CommissionPlan,
    CommissionRecord,
    CommissionRules,
    CommissionState,
    LevelRate,
    OrderAttribution,
    ProductCommission,
    RuleChange,
    WithdrawalChannel,
)
from distribution.models.member import BindSource, Member, ResellerLevel, TreeWriteRefused
from distribution.models.settings import BindMode, ReferralSettings
from distribution.models.wallet import LedgerEntry, PayoutAccount, Wallet, Withdrawal

__all__ = [
    "MAX_TIERS",
    "AttributionPolicy",
    "BindMode",
    "BindSource",
    "BindingHistory",
    "CommissionPlan",
    "CommissionRecord",
    "CommissionRules",
    "CommissionState",
    "LedgerEntry",
    "LevelRate",
    "Member",
    "OrderAttribution",
    "PayoutAccount",
    "ProductCommission",
    "ReferralSettings",
    "ResellerLevel",
    "RuleChange",
    "TreeWriteRefused",
    "Wallet",
    "Withdrawal",
    "WithdrawalChannel",
]
