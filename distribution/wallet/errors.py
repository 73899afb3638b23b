"""Errors of wallets, withdrawals and payout accounts. Each changes nothing."""

from django.utils.translation import gettext_lazy as _

from common.errors import DomainError, NotFound, PermissionDenied


class InsufficientBalance(DomainError):
    code = "insufficient_balance"
    status = 409
    default_message = _("Your available balance is not enough for this withdrawal.")


class WalletInDebt(DomainError):
    code = "wallet_in_debt"
    status = 409
    default_message = _("Your balance is negative after a refund; withdrawals resume once new "
                        "earnings have repaid it.")


class AdjustmentInvalid(DomainError):
    code = "adjustment_invalid"
    default_message = _("An adjustment needs a non-zero amount with at most 2 decimal places and a reason.")


class WithdrawalAmountInvalid(DomainError):
    code = "withdrawal_amount_invalid"
    default_message = _("Enter an amount above zero with at most 2 decimal places.")


class WithdrawalBelowMinimum(DomainError):
    code = "withdrawal_below_minimum"
    default_message = _("The amount is below the minimum withdrawal.")


class WithdrawalChannelNotAllowed(DomainError):
    code = "withdrawal_channel_not_allowed"
    default_message = _("Withdrawals to this channel are not available.")


class WithdrawalDailyLimit(DomainError):
    code = "withdrawal_daily_limit"
    status = 429
    default_message = _("You have reached today's number of withdrawals. Please try again tomorrow.")


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    status = 409
    default_message = _("This request key was already used for a different withdrawal.")


class IdempotencyKeyInvalid(DomainError):
    code = "idempotency_key_invalid"
    default_message = _("The request key must be 8 to 64 letters, digits or -_:. characters.")


class PayoutAccountInvalid(DomainError):
    code = "payout_account_invalid"
    default_message = _("The payout account is not valid.")


class WithdrawalNotFound(NotFound):
    code = "withdrawal_not_found"
    default_message = _("This withdrawal does not exist.")


class WithdrawalStateInvalid(DomainError):
    code = "withdrawal_state_invalid"
    status = 409
    default_message = _("This withdrawal cannot be changed in its current state.")


class WithdrawalReviewForbidden(PermissionDenied):
    code = "withdrawal_review_forbidden"
    default_message = _("You do not have permission to review or pay out withdrawals.")


class SelfApprovalRefused(PermissionDenied):
    code = "self_approval_refused"
    default_message = _("You cannot review or pay out your own withdrawal.")


class PayoutByReviewerRefused(PermissionDenied):
    """Maker-checker: the payout is recorded by someone other than its approver."""

    code = "payout_by_reviewer_refused"
    default_message = _("The payout must be recorded by a staff member other than the one who approved "
                        "the withdrawal.")


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


class WalletNotFound(NotFound):
    code = "wallet_not_found"
    default_message = _("This wallet does not exist.")


class WalletAdjustForbidden(PermissionDenied):
    code = "wallet_adjust_forbidden"
    default_message = _("You do not have permission to adjust wallet balances.")


class SelfAdjustRefused(PermissionDenied):
    code = "self_adjust_refused"
    default_message = _("You cannot adjust your own wallet.")
