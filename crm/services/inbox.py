"""The member's side of the in-site inbox: reading and following a message."""

from django.db.models import Q
from django.utils import timezone

from crm.errors import MessageNotFound
from crm.models import Channel, Message, MessageState


def _own(user_id: int, message_id: int) -> Message:
    message = Message.objects.filter(pk=message_id, user_id=user_id, channel=Channel.INBOX,
                                     state=MessageState.SENT).first()
    if message is None:  # another member's message is "not found" too (I7)
        raise MessageNotFound
    return message


def inbox_message_read(*, user_id: int, message_id: int) -> Message:
    message = _own(user_id, message_id)
    Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=timezone.now())
    message.refresh_from_db(fields=["read_at"])
    return message


def inbox_message_click(*, user_id: int, message_id: int) -> Message:
    """Record the first click (and the read it implies); the caller redirects to the link."""
    message = _own(user_id, message_id)
    now = timezone.now()
    Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=now)
    Message.objects.filter(Q(pk=message.pk) & Q(clicked_at__isnull=True)).update(clicked_at=now)
    message.refresh_from_db(fields=["read_at", "clicked_at"])
    return message


def inbox_read_all(*, user_id: int) -> int:
    return Message.objects.filter(user_id=user_id, channel=Channel.INBOX, state=MessageState.SENT,
                                  read_at__isnull=True).update(read_at=timezone.now())
