from distribution.models.audit import SensitiveAccessLog as SensitiveAccessLog
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
from distribution.models.funnel import (
    ConversionKind,
    ShareChannel,
    ShareConversion,
    ShareDaily,
    ShareLink,
    ShareTouch,
    ShareVisit,
)
from distribution.models.member import BindSource, Member, ResellerLevel, TreeWriteRefused
from distribution.models.reseller import (
    ApplicationState,
    JoinMode,
    LevelChange,
    LevelChangeSource,
    ResellerApplication,
    ResellerProgram,
    ResellerStatusChange,
)
from distribution.models.rollup import TeamRollup
from distribution.models.settings import BindMode, ReferralSettings
from distribution.models.wallet import LedgerEntry, PayoutAccount, Wallet, Withdrawal

__all__ = [
    "MAX_TIERS",
    "ApplicationState",
    "AttributionPolicy",
    "BindMode",
    "BindSource",
    "BindingHistory",
    "CommissionPlan",
    "CommissionRecord",
    "CommissionRules",
    "CommissionState",
    "ConversionKind",
    "JoinMode",
    "LedgerEntry",
    "LevelChange",
    "LevelChangeSource",
    "LevelRate",
    "Member",
    "OrderAttribution",
    "PayoutAccount",
    "ProductCommission",
    "ReferralSettings",
    "ResellerApplication",
    "ResellerLevel",
    "ResellerProgram",
    "ResellerStatusChange",
    "RuleChange",
    "ShareChannel",
    "ShareConversion",
    "ShareDaily",
    "ShareLink",
    "ShareTouch",
    "ShareVisit",
    "TeamRollup",
    "TreeWriteRefused",
    "Wallet",
    "Withdrawal",
    "WithdrawalChannel",
]
