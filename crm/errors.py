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
