"""A member's consent and unsubscribe, effective at once.

Each write takes the member's contact lock, the same lock a dispatcher holds while it
decides that member's messages: a change waits for a decision in flight, and every decision
after it sees the change.
"""

from django.db import transaction
from django.utils import timezone

from crm import lock_objects
from crm.errors import ChannelUnknown
from crm.models import Channel, Contact
from crm.services.outbox import contacts_ensure

_CONSENT_FIELD = {Channel.INBOX: "inbox_consent", Channel.SMS: "sms_consent",
                  Channel.WECHAT: "wechat_consent"}


def _locked(user_id: int) -> Contact:
    contact = lock_objects.contact_lock(user_id=user_id)
    assert contact is not None  # contacts_ensure ran first
    return contact


def contact_set_consent(*, user_id: int, channel: str, allowed: bool, wechat_openid: str = "") -> Contact:
    if channel not in _CONSENT_FIELD:
        raise ChannelUnknown
    contacts_ensure(user_ids=[user_id])
    with transaction.atomic():
        contact = _locked(user_id)
        setattr(contact, _CONSENT_FIELD[channel], allowed)
        fields = [_CONSENT_FIELD[channel], "updated_at"]
        if wechat_openid:
            contact.wechat_openid = wechat_openid
            fields.append("wechat_openid")
        contact.save(update_fields=fields)
    return contact


def contact_unsubscribe(*, user_id: int) -> Contact:
    """Stop every marketing message to this member, from the next decision on."""
    contacts_ensure(user_ids=[user_id])
    with transaction.atomic():
        contact = _locked(user_id)
        if contact.unsubscribed_at is None:
            contact.unsubscribed_at = timezone.now()
            contact.save(update_fields=["unsubscribed_at", "updated_at"])
    return contact


def contact_resubscribe(*, user_id: int) -> Contact:
    contacts_ensure(user_ids=[user_id])
    with transaction.atomic():
        contact = _locked(user_id)
        contact.unsubscribed_at = None
        contact.save(update_fields=["unsubscribed_at", "updated_at"])
    return contact
