"""Marketing SMS through the project's SMS backend (``settings.SMS_BACKEND``, mall)."""

from crm.channels.errors import ChannelError
from crm.models import Contact, Message
from mall.sms.backends import SMSDeliveryError, SMSMessage, get_backend


def sms_deliver(message: Message, contact: Contact) -> str:
    phone = message.user.phone
    try:
        get_backend().send(SMSMessage(phone=phone, template="marketing",
                                      params={"text": message.body, "ref": str(message.pk)}))
    except SMSDeliveryError as exc:
        raise ChannelError(str(exc)[:200]) from exc
    return ""
