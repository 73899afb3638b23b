"""Errors a member or staff can cause on the earnings surfaces. Each changes nothing."""

from django.utils.translation import gettext_lazy as _

from common.errors import DomainError, NotFound, PermissionDenied


class NotAReseller(PermissionDenied):
    code = "not_a_reseller"
    default_message = _("Earnings are for resellers. Become a reseller in the reseller centre first.")


class CommissionRecordNotFound(NotFound):
    code = "commission_record_not_found"
    default_message = _("This commission record does not exist.")


class PayoutAccountNotFound(NotFound):
    code = "payout_account_not_found"
    default_message = _("This payout account does not exist.")


class PayoutAccountLimit(DomainError):
    code = "payout_account_limit"
    status = 409
    default_message = _("You already have the most payout accounts allowed.")


class IdempotencyKeyRequired(DomainError):
    code = "idempotency_key_required"
    default_message = _("Send an Idempotency-Key header (8 to 64 letters, digits, - _ : .) with "
                        "each new withdrawal.")


class RevealForbidden(PermissionDenied):
    code = "reveal_forbidden"
    default_message = _("You do not have permission to see full payout account numbers.")


class RevealReasonRequired(DomainError):
    code = "reveal_reason_required"
    default_message = _("Say why you need the full account number; it is kept in the access log.")


class MonthInvalid(DomainError):
    code = "month_invalid"
    default_message = _("Give the month as YYYY-MM.")


class WalletNotFound(NotFound):
    code = "wallet_not_found"
    default_message = _("This wallet does not exist.")


class WalletAdjustForbidden(PermissionDenied):
    code = "wallet_adjust_forbidden"
    default_message = _("You do not have permission to adjust wallet balances.")


class SelfAdjustRefused(PermissionDenied):
    code = "self_adjust_refused"
    default_message = _("You cannot adjust your own wallet.")
