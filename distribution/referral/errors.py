"""Errors of the referral network: invite codes, binding, moves."""

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


class PhoneRevealForbidden(PermissionDenied):
    code = "phone_reveal_forbidden"
    default_message = _("You do not have permission to see full mobile numbers.")


class PhoneRevealReasonRequired(DomainError):
    code = "phone_reveal_reason_required"
    default_message = _("Say why you need the full mobile number; it is kept in the access log.")
