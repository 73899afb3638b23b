"""Domain errors of the crm app: a stable code and a message (zh-hans in the catalogue)."""

from django.utils.translation import gettext_lazy as _

from common.errors import DomainError, NotFound


class TemplateVariableUnknown(DomainError):
    code = "template_variable_unknown"
    default_message = _(
        "The text uses a variable that does not exist. Use {nickname}, {product} or {coupon}.")


class TemplateBracesUnbalanced(DomainError):
    code = "template_braces_unbalanced"
    default_message = _("The text has a brace that does not belong to a variable.")


class LinkInvalid(DomainError):
    code = "link_invalid"
    default_message = _("The link must be a page of this site starting with a single /.")


class MessageNotFound(NotFound):
    code = "message_not_found"
    default_message = _("This message does not exist.")


class ChannelUnknown(DomainError):
    code = "channel_unknown"
    default_message = _("Unknown channel.")


class TagLimitReached(DomainError):
    code = "tag_limit_reached"
    default_message = _("There are already 3,000 tags; delete unused tags first.")


class RuleTagReadOnly(DomainError):
    code = "rule_tag_read_only"
    default_message = _("Rule tags are computed every day; they cannot be created, added or removed by hand.")


class NotYourCustomer(DomainError):
    code = "not_your_customer"
    status = 403
    default_message = _("You can only tag your own customers.")


class PackConditionInvalid(DomainError):
    code = "pack_condition_invalid"
    default_message = _("The pack conditions are not valid.")


class PackSendNotTesting(DomainError):
    code = "pack_send_not_testing"
    status = 409
    default_message = _("This send has already been released.")


class SopStepsTooClose(DomainError):
    code = "sop_steps_too_close"
    default_message = _("Steps of one SOP must be at least 30 minutes apart.")


class SopStepInvalid(DomainError):
    code = "sop_step_invalid"
    default_message = _("A weekly step needs a weekday and a dated step needs a date.")


class HandoverBatchTooLarge(DomainError):
    code = "handover_batch_too_large"
    default_message = _("At most 100 customers can be handed over at once.")


class HandoverBatchEmpty(DomainError):
    code = "handover_batch_empty"
    default_message = _("Choose at least one customer to hand over.")


class HandoverReasonMissing(DomainError):
    code = "handover_reason_missing"
    default_message = _("Give a reason for the handover.")


class HandoverSameOwner(DomainError):
    code = "handover_same_owner"
    default_message = _("The new owner must differ from the current owner.")


class HandoverOwnerNotReseller(DomainError):
    code = "handover_owner_not_reseller"
    default_message = _("The new owner must be an active reseller, or the platform.")


class CustomerNotOwned(DomainError):
    code = "customer_not_owned"
    status = 409
    default_message = _("A customer does not belong to the owner being handed over.")


class CustomerTransferPending(DomainError):
    code = "customer_transfer_pending"
    status = 409
    default_message = _("A customer already has a handover waiting for the 24-hour refusal window.")


class CustomerTransferBudgetSpent(DomainError):
    code = "customer_transfer_budget_spent"
    status = 409
    default_message = _("A customer can be handed over at most twice in 90 days.")


class CustomerTransferNotFound(NotFound):
    code = "customer_transfer_not_found"
    default_message = _("This handover does not exist.")


class CustomerTransferDecided(DomainError):
    code = "customer_transfer_decided"
    status = 409
    default_message = _("This handover can no longer be refused.")


class HandoverOwnerIsCustomer(DomainError):
    code = "handover_owner_is_customer"
    default_message = _("A customer cannot become their own owner.")
