"""One entry point: ``deliver(message, contact)`` hands a decided message to its provider."""

from crm.channels.sms import sms_deliver
from crm.channels.wechat import wechat_deliver
from crm.models import Channel, Contact, Message


def deliver(message: Message, contact: Contact) -> str:
    """Send through the provider of the message's channel; its receipt id (may be empty)."""
    if message.channel == Channel.SMS:
        return sms_deliver(message, contact)
    if message.channel == Channel.WECHAT:
        return wechat_deliver(message, contact)
    return ""  # the inbox: the row is the delivery
