"""Every row lock the crm app takes, in one place.

The house order, for any transaction that takes more than one: outbox messages first
(claimed with ``SKIP LOCKED``, so a claim never waits), then contacts in ascending member
id. A contact row is the per-member lock of the anti-disturbance rule: whoever decides to
send a member a message holds it, so the count of that member's sends and the new send are
one atomic step, whatever the number of dispatchers (``services/dispatch.py``).

SQLite (the embedded mode) has no row locks: every write transaction starts with
``BEGIN IMMEDIATE`` (``config/settings/base.py``), which admits one writer at a time.
"""

from collections.abc import Iterable
from datetime import datetime

from common.db import LockNamespace, advisory_xact_lock
from crm.models import (
    Contact,
    CustomerOwner,
    CustomerTransfer,
    Delivery,
    Message,
    MessageState,
    TransferState,
)


def messages_claim_due(*, now: datetime, limit: int) -> list[Message]:
    """Up to ``limit`` queued messages due at ``now``, locked; rows another dispatcher holds
    are skipped, not waited for, so concurrent dispatchers split the queue between them."""
    return list(
        Message.objects.filter(state=MessageState.QUEUED, not_before__lte=now)
        .only("id", "user_id", "channel", "quiet_policy", "priority", "not_before", "coupon_template")
        .order_by("not_before", "id")
        .select_for_update(skip_locked=True, of=("self",))[:limit]
    )


def contacts_lock(*, user_ids: Iterable[int]) -> dict[int, Contact]:
    """Lock the contact rows of these members, in ascending id (deadlock-free)."""
    rows = Contact.objects.filter(pk__in=sorted(set(user_ids))).order_by("pk").select_for_update(of=("self",))
    return {contact.pk: contact for contact in rows}


def contact_lock(*, user_id: int) -> Contact | None:
    return Contact.objects.filter(pk=user_id).select_for_update(of=("self",)).first()


def deliveries_claim(*, message_ids: list[int]) -> list[Message]:
    """Those of these messages still waiting for their provider, locked in id order; the
    caller moves them to ``sending`` in the same transaction, so one worker claims each.

    No ``SKIP LOCKED`` here: a dispatcher's claim scan may briefly lock a row it then finds
    no longer queued (PostgreSQL keeps the lock to the end of that transaction), and
    skipping it would leave the message undelivered. Waiting is short and cannot deadlock:
    dispatchers never wait for a message row (their claims skip), and this holds no contact."""
    return list(
        Message.objects.filter(pk__in=message_ids, delivery=Delivery.PENDING)
        .select_related("user", "template")
        .order_by("pk")
        .select_for_update(of=("self",))
    )


def tags_limit_lock() -> None:
    """Serialize tag creation, so the count and the insert of the 3,000 limit are atomic."""
    advisory_xact_lock(0, LockNamespace.CRM_TAG_LIMIT)


def customer_owners_lock(*, customer_ids: Iterable[int]) -> dict[int, CustomerOwner]:
    """Lock these customers' owner rows in ascending id: every handover decision about a
    customer (the owner check, the 2-per-90-days budget, the new transfer) holds it."""
    rows = (CustomerOwner.objects.filter(pk__in=sorted(set(customer_ids))).order_by("pk")
            .select_for_update(of=("self",)))
    return {row.pk: row for row in rows}


def transfers_claim_due(*, now: datetime, limit: int) -> list[CustomerTransfer]:
    """Pending transfers whose refusal window has ended, locked; rows another completer
    holds are skipped, so two runs of the task split the work and never do one twice."""
    return list(
        CustomerTransfer.objects.filter(state=TransferState.PENDING, due_at__lte=now)
        .order_by("pk").select_for_update(skip_locked=True, of=("self",))[:limit]
    )
