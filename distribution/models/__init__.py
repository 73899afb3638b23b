from distribution.models.binding import BindingHistory
from distribution.models.member import BindSource, Member, ResellerLevel, TreeWriteRefused
from distribution.models.settings import BindMode, ReferralSettings

__all__ = [
    "BindMode",
    "BindSource",
    "BindingHistory",
    "Member",
    "ReferralSettings",
    "ResellerLevel",
    "TreeWriteRefused",
]
