"""Errors of the reseller programme: joining, applications, levels, staff steps."""

from django.utils.translation import gettext_lazy as _

from common.errors import DomainError, InvalidTransition, NotFound, PermissionDenied


class StaffOnly(PermissionDenied):
    code = "staff_only"
    default_message = _("Only staff can do this.")


class MemberInactive(DomainError):
    code = "member_inactive"
    status = 409
    default_message = _("This member account is suspended.")


class AlreadyReseller(DomainError):
    code = "already_reseller"
    status = 409
    default_message = _("This member is already a reseller.")


class NotAReseller(PermissionDenied):
    """The one "not a reseller" error: staff steps that need a reseller, and the earnings
    surfaces (which pass their own message)."""

    code = "not_a_reseller"
    default_message = _("This member is not a reseller.")


class JoinNotOpen(DomainError):
    code = "join_not_open"
    status = 409
    default_message = _("Members cannot join by themselves right now. Apply, or ask the platform.")


class JoinDirectly(DomainError):
    code = "join_directly"
    status = 409
    default_message = _("No application is needed: you can become a reseller directly.")


class ResellersDesignatedOnly(DomainError):
    code = "resellers_designated_only"
    status = 409
    default_message = _("Resellers are designated by the platform; applications are not taken.")


class ApplicationAlreadyOpen(DomainError):
    code = "application_already_open"
    status = 409
    default_message = _("You already have an application waiting for review.")


class ApplicationNotFound(NotFound):
    code = "application_not_found"
    default_message = _("This application does not exist.")


class ApplicationNotOpen(InvalidTransition):
    code = "application_not_open"
    default_message = _("This application has already been handled.")


class StaffReasonRequired(DomainError):
    code = "reason_required"
    default_message = _("Give a reason (at most 200 characters); it is kept in the log.")
