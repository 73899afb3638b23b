"""Domain errors of promotions: a stable code and a zh-hans message; nothing changed."""

from django.utils.translation import gettext_lazy as _

from common.errors import DomainError, NotFound, PermissionDenied


class CouponTemplateNotFound(NotFound):
    code = "coupon_template_not_found"
    default_message = _("This coupon does not exist or is no longer offered.")


class CouponNotFound(NotFound):
    code = "coupon_not_found"
    default_message = _("This coupon does not exist or is not yours.")


class CouponSoldOut(DomainError):
    code = "coupon_sold_out"
    status = 409
    default_message = _("All of these coupons have been claimed.")


class CouponLimitReached(DomainError):
    code = "coupon_limit_reached"
    status = 409
    default_message = _("You have already claimed as many of these coupons as allowed.")


class CouponNotClaimable(DomainError):
    code = "coupon_not_claimable"
    status = 409
    default_message = _("This coupon cannot be claimed now.")


class CouponUsed(DomainError):
    code = "coupon_used"
    status = 409
    default_message = _("This coupon has already been used.")


class CouponExpired(DomainError):
    code = "coupon_expired"
    status = 409
    default_message = _("This coupon has expired.")


class CouponNotStarted(DomainError):
    code = "coupon_not_started"
    status = 409
    default_message = _("This coupon cannot be used yet.")


class CouponBelowThreshold(DomainError):
    code = "coupon_below_threshold"
    status = 409
    default_message = _("The items this coupon applies to do not reach its threshold.")


class CouponNotApplicable(DomainError):
    code = "coupon_not_applicable"
    status = 409
    default_message = _("This coupon does not apply to these items.")


class GrantForbidden(PermissionDenied):
    code = "grant_forbidden"
    default_message = _("Only staff with the grant permission may grant coupons.")


class PartnerBudgetExhausted(DomainError):
    code = "partner_budget_exhausted"
    status = 409
    default_message = _("The partner funding this coupon has used up its budget; it cannot be used now.")


class PartnerForbidden(PermissionDenied):
    code = "partner_forbidden"
    default_message = _("You can only open the pages of the partner you work for.")


class VoucherNotFound(NotFound):
    code = "voucher_not_found"
    default_message = _("No voucher of this partner has this code.")


class VoucherAlreadyVerified(DomainError):
    code = "voucher_already_verified"
    status = 409
    default_message = _("This voucher has already been verified.")


class VoucherExpired(DomainError):
    code = "voucher_expired"
    status = 409
    default_message = _("This voucher has expired.")


class OfferNotClaimable(DomainError):
    code = "offer_not_claimable"
    status = 409
    default_message = _("This offer cannot be claimed now: it ended, ran out, or you already have one.")
