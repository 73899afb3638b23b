"""Errors a member or staff can cause in the referral app. Each changes nothing."""

from django.utils.translation import gettext_lazy as _

from common.errors import DomainError, NotFound, PermissionDenied, RateLimited


class InviteCodeMalformed(DomainError):
    code = "invite_code_malformed"
    default_message = _("This is not a valid invite code. Check it and try again.")


class InviteCodeUnknown(NotFound):
    code = "invite_code_unknown"
    default_message = _("No member has this invite code.")


class InviteCodeOwn(DomainError):
    code = "invite_code_own"
    default_message = _("You cannot use your own invite code.")


class AlreadyBound(DomainError):
    code = "already_bound"
    status = 409
    default_message = _("You are already bound to an upline, and this binding cannot change now.")


class BindingWindowClosed(DomainError):
    code = "binding_window_closed"
    status = 409
    default_message = _("An upline can only be bound at sign-up or shortly after it.")


class BindingCycle(DomainError):
    code = "binding_cycle"
    status = 409
    default_message = _("A member cannot be bound to themselves or to someone in their own team.")


class SameUpline(DomainError):
    code = "same_upline"
    status = 409
    default_message = _("The member already has this upline.")


class NothingToHandOver(DomainError):
    code = "nothing_to_hand_over"
    status = 409
    default_message = _("This member has no downlines to hand over.")


class InviteRateLimited(RateLimited):
    code = "invite_rate_limited"
    default_message = _("Too many invite-code attempts. Please try again in a minute.")


class MemberNotFound(NotFound):
    code = "member_not_found"
    default_message = _("This member does not exist.")


class TreeBusy(DomainError):
    """A concurrent staff move changed the tree this action works on; nothing was changed."""

    code = "tree_busy"
    status = 409
    default_message = _("The referral tree is being changed right now. Please try again.")


class ReasonRequired(DomainError):
    code = "reason_required"
    default_message = _("Give a reason for this change; it is kept in the binding history.")


class HandoverScopeInvalid(DomainError):
    code = "handover_scope_invalid"
    default_message = _("Choose whether to hand over the direct downlines or the whole team.")


# --- commission rules, wallet and withdrawals -----------------------------------------


class CommissionTiersExceeded(DomainError):
    code = "tiers_exceeded"
    default_message = _("Commission is paid to at most 3 tiers (禁止传销条例 art. 7).")


class CommissionRulesInvalid(DomainError):
    code = "rules_invalid"
    default_message = _("These commission rules are not valid.")


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
