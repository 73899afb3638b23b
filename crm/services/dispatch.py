"""The dispatcher: the one place where the anti-disturbance rule is enforced.

``outbox_dispatch_batch`` is one transaction:

1. claim up to ``limit`` due queued messages, ``FOR UPDATE SKIP LOCKED`` (concurrent
   dispatchers take disjoint rows and never wait on each other's claims);
2. lock the contact row of every member concerned, in ascending id: from here on no other
   dispatcher can decide anything for these members until this one commits;
3. count each member's sent messages in every cap window (one aggregate query, which in
   READ COMMITTED sees every send committed before the lock was granted);
4. decide each message — no consent or unsubscribed → ``skipped_consent``; quiet hours →
   deferred to the end of quiet hours (stays queued, ``not_before`` moved) or
   ``dropped_quiet``; over a cap → ``skipped_cap``; else ``sent``, counted at once for the
   member's next message in the same batch;
5. write the decisions (one UPDATE per outcome) and commit.

Because the count and the send are one transaction under the member's lock, no number of
concurrent dispatchers can exceed a cap (invariant I10). A dispatcher killed before the
commit changes nothing (its claims return to the queue); after the commit the decisions
stand. External channels are called after the commit (``services/delivery.py``), each
message claimed for delivery once by a conditional UPDATE, so a provider is never asked
twice for one message (at most once: an unknown outcome is marked ``lost``, not retried).
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from crm import lock_objects, rules
from crm.integrations import coupon_grant_for_messages
from crm.models import Channel, Contact, Delivery, Message, MessageState, QuietPolicy, ReachSettings

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


@dataclass
class DispatchResult:
    claimed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    deferred: int = 0
    to_deliver: list[int] = field(default_factory=list)  # sent messages of external channels


def _sent_counts(user_ids: list[int], starts: list[datetime]) -> dict[int, list[int]]:
    earliest = min(starts)
    aggregates = {f"w{i}": Count("id", filter=Q(sent_at__gte=start)) for i, start in enumerate(starts)}
    rows = (Message.objects.filter(user_id__in=user_ids, sent_at__gte=earliest)
            .values("user_id").annotate(**aggregates))
    return {row["user_id"]: [row[f"w{i}"] for i in range(len(starts))] for row in rows}


def _consented(message: Message, contact: Contact) -> bool:
    if contact.unsubscribed_at is not None:
        return False
    if message.channel == Channel.SMS:
        return contact.sms_consent
    if message.channel == Channel.WECHAT:
        return contact.wechat_consent and bool(contact.wechat_openid)
    return contact.inbox_consent


def _decide(message: Message, contact: Contact, counts: list[int], caps: tuple[tuple[int, int], ...],
            quiet: bool) -> str:
    """The outcome of one message; ``"defer"`` keeps it queued until quiet hours end."""
    if not _consented(message, contact):
        return MessageState.SKIPPED_CONSENT
    if quiet:
        return "defer" if message.quiet_policy == QuietPolicy.DEFER else MessageState.DROPPED_QUIET
    if any(counts[i] >= cap for i, (cap, _days) in enumerate(caps)):
        return MessageState.SKIPPED_CAP
    for i in range(len(counts)):
        counts[i] += 1
    return MessageState.SENT


def _write(decisions: dict[str, list[Message]], *, now: datetime, quiet_end: datetime) -> None:
    for outcome, messages in decisions.items():
        ids = [m.pk for m in messages]
        if outcome == "defer":
            Message.objects.filter(pk__in=ids).update(not_before=quiet_end,
                                                      deferred_count=F("deferred_count") + 1)
        elif outcome == MessageState.SENT:
            inbox = [m.pk for m in messages if m.channel == Channel.INBOX]
            external = [m.pk for m in messages if m.channel != Channel.INBOX]
            Message.objects.filter(pk__in=inbox).update(
                state=outcome, decided_at=now, sent_at=now, delivery=Delivery.DELIVERED, delivered_at=now)
            Message.objects.filter(pk__in=external).update(
                state=outcome, decided_at=now, sent_at=now, delivery=Delivery.PENDING)
        else:
            Message.objects.filter(pk__in=ids).update(state=outcome, decided_at=now)


@transaction.atomic
def outbox_dispatch_batch(*, now: datetime | None = None, limit: int = BATCH_SIZE) -> DispatchResult:
    """Decide one batch of due messages (see the module doc). Safe to run in any number of
    processes at once, twice, or to be killed halfway."""
    now = now or timezone.now()
    reach = ReachSettings.get_solo()
    claimed = lock_objects.messages_claim_due(now=now, limit=limit)
    result = DispatchResult(claimed=len(claimed))
    if not claimed:
        return result
    contacts = lock_objects.contacts_lock(user_ids=[m.user_id for m in claimed])
    caps = reach.caps()
    counts = _sent_counts(sorted(contacts), [rules.window_start(now, days=days) for _cap, days in caps])
    quiet = rules.in_quiet_hours(now, start=reach.quiet_start, end=reach.quiet_end)
    quiet_end = rules.quiet_hours_end(now, start=reach.quiet_start, end=reach.quiet_end)
    decisions: dict[str, list[Message]] = {}
    for message in sorted(claimed, key=lambda m: (m.user_id, -m.priority, m.not_before, m.pk)):
        contact = contacts.get(message.user_id)
        if contact is None:  # enqueue creates it first; never decide without the member's lock
            logger.error("crm outbox: message %s has no contact row; left queued", message.pk)
            continue
        member_counts = counts.setdefault(message.user_id, [0] * len(caps))
        outcome = _decide(message, contact, member_counts, caps, quiet)
        decisions.setdefault(outcome, []).append(message)
    _write(decisions, now=now, quiet_end=quiet_end)
    sent = decisions.get(MessageState.SENT, [])
    coupon_grant_for_messages([m for m in sent if m.coupon_template])
    result.outcomes = {k: len(v) for k, v in decisions.items() if k != "defer"}
    result.deferred = len(decisions.get("defer", []))
    result.to_deliver = [m.pk for m in sent if m.channel != Channel.INBOX]
    return result
