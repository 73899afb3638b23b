from promotions.models.coupon import (
    Coupon,
    CouponKind,
    CouponScope,
    CouponSource,
    CouponState,
    CouponTemplate,
)
from promotions.models.rules import ReturningCustomerRule

__all__ = [
    "Coupon",
    "CouponKind",
    "CouponScope",
    "CouponSource",
    "CouponState",
    "CouponTemplate",
    "ReturningCustomerRule",
]
