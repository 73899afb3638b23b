"""Reads of the crm app (the member's inbox; staff reports live in ``reports.py``)."""

from django.db.models import QuerySet

from crm.models import Channel, Message, MessageState


def inbox_messages(*, user_id: int) -> QuerySet[Message]:
    return Message.objects.filter(user_id=user_id, channel=Channel.INBOX,
                                  state=MessageState.SENT).order_by("-sent_at", "-id")


def inbox_unread_count(*, user_id: int) -> int:
    return inbox_messages(user_id=user_id).filter(read_at__isnull=True).count()
