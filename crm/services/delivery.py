"""Handing sent messages to external providers (SMS, WeChat), at most once each.

A message decided ``sent`` on an external channel starts with ``delivery = pending``. The
worker that delivers it first moves it ``pending → sending`` with a conditional UPDATE
(one winner, whoever else tries), then calls the provider, then records ``delivered`` or
``failed``. A worker that dies while the provider has the message leaves it ``sending``:
the reaper marks it ``lost`` (outcome unknown), never sends it again. A message still
``pending`` (its worker died between commit and claim) is delivered by the reaper while it
is fresh and outside quiet hours, else marked ``lost``.
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from crm import lock_objects, rules
from crm.channels import ChannelError, deliver
from crm.models import Channel, Contact, Delivery, Message, ReachSettings

logger = logging.getLogger(__name__)

PENDING_FRESH = timedelta(minutes=30)
SENDING_TIMEOUT = timedelta(minutes=10)


def _claim(message_ids: list[int]) -> list[Message]:
    with transaction.atomic():
        claimed = lock_objects.deliveries_claim(message_ids=message_ids)
        Message.objects.filter(pk__in=[m.pk for m in claimed]).update(delivery=Delivery.SENDING)
    return claimed


def _deliver_one(message: Message, contact: Contact) -> str:
    try:
        deliver(message, contact)
    except ChannelError as exc:
        Message.objects.filter(pk=message.pk).update(delivery=Delivery.FAILED, delivery_error=exc.detail)
        if exc.consent_revoked and message.channel == Channel.WECHAT:
            Contact.objects.filter(pk=contact.pk).update(wechat_consent=False)
        return Delivery.FAILED
    except Exception as exc:  # network error: the provider may or may not have it
        logger.exception("crm delivery of message %s: outcome unknown", message.pk)
        Message.objects.filter(pk=message.pk).update(delivery=Delivery.LOST, delivery_error=str(exc)[:200])
        return Delivery.LOST
    return Delivery.DELIVERED


def messages_deliver(*, message_ids: list[int]) -> dict[str, int]:
    """Deliver these sent messages: claim them in one transaction (rows another worker has
    claimed are skipped), call each provider, record the successes in one UPDATE."""
    if not message_ids:
        return {}
    claimed = _claim(message_ids)
    contacts = Contact.objects.in_bulk([m.user_id for m in claimed])
    outcomes: dict[str, list[int]] = {}
    for message in claimed:
        outcomes.setdefault(_deliver_one(message, contacts[message.user_id]), []).append(message.pk)
    Message.objects.filter(pk__in=outcomes.get(Delivery.DELIVERED, [])).update(
        delivery=Delivery.DELIVERED, delivered_at=timezone.now())
    return {outcome: len(ids) for outcome, ids in outcomes.items()}


def deliveries_reap(*, now: datetime | None = None) -> dict[str, int]:
    """Sweep: finish fresh ``pending`` deliveries, mark stale ones ``lost``."""
    now = now or timezone.now()
    lost = Message.objects.filter(delivery=Delivery.SENDING, sent_at__lt=now - SENDING_TIMEOUT).update(
        delivery=Delivery.LOST, delivery_error="worker stopped while the provider had it")
    lost += Message.objects.filter(delivery=Delivery.PENDING, sent_at__lt=now - PENDING_FRESH).update(
        delivery=Delivery.LOST, delivery_error="not handed over in time")
    reach = ReachSettings.get_solo()
    delivered: dict[str, int] = {}
    if not rules.in_quiet_hours(now, start=reach.quiet_start, end=reach.quiet_end):
        fresh = list(Message.objects.filter(delivery=Delivery.PENDING).values_list("pk", flat=True)[:1000])
        delivered = messages_deliver(message_ids=fresh)
    return {"lost": lost, **delivered}
