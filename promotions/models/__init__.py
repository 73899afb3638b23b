from promotions.models.coupon import (
    Coupon,
    CouponKind,
    CouponScope,
    CouponSource,
    CouponState,
    CouponTemplate,
)
from promotions.models.partner import (
    Partner,
    PartnerEntryKind,
    PartnerLedgerEntry,
    PartnerOffer,
    PartnerStaff,
    PartnerVoucher,
    VoucherState,
)
from promotions.models.rules import ReturningCustomerRule

__all__ = [
    "Coupon",
    "CouponKind",
    "CouponScope",
    "CouponSource",
    "CouponState",
    "CouponTemplate",
    "Partner",
    "PartnerEntryKind",
    "PartnerLedgerEntry",
    "PartnerOffer",
    "PartnerStaff",
    "PartnerVoucher",
    "ReturningCustomerRule",
    "VoucherState",
]
