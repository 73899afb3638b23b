"""Errors of the share funnel and the customer list (a code and a zh-hans message each)."""

from django.utils.translation import gettext_lazy as _

from common.errors import DomainError, NotFound


class ShareLinkNotFound(NotFound):
    code = "share_link_not_found"
    default_message = _("This share link does not exist or is not yours.")


class FunnelPeriodInvalid(DomainError):
    code = "funnel_period_invalid"
    default_message = _("Choose the last 7 or the last 30 days.")


class CustomerFilterInvalid(DomainError):
    code = "customer_filter_invalid"
    default_message = _("This filter or sort is not available.")


class DormantDaysInvalid(DomainError):
    code = "dormant_days_invalid"
    default_message = _("Days without an order must be a whole number from 1 to 365.")


class TeamFilterInvalid(DomainError):
    code = "team_filter_invalid"
    default_message = _("Search by nickname or the last 4 digits of the phone; choose tier 1 or tier 2.")


class FunnelGroupingInvalid(DomainError):
    code = "funnel_grouping_invalid"
    default_message = _("Group the figures by link or by product.")
