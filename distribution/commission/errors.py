"""Errors of the commission rules and records."""

from django.utils.translation import gettext_lazy as _

from common.errors import DomainError, NotFound


class CommissionTiersExceeded(DomainError):
    code = "tiers_exceeded"
    default_message = _("Commission is paid to at most 3 tiers (禁止传销条例 art. 7).")


class CommissionRulesInvalid(DomainError):
    code = "rules_invalid"
    default_message = _("These commission rules are not valid.")


class CommissionRecordNotFound(NotFound):
    code = "commission_record_not_found"
    default_message = _("This commission record does not exist.")


class MonthInvalid(DomainError):
    code = "month_invalid"
    default_message = _("Give the month as YYYY-MM.")
