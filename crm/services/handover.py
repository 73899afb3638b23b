"""Customer handover (在职 / 离职继承): staff move customers from one owner to another.

Rules (crm/README.md, "Customer handover"): at most ``MAX_BATCH`` customers per request,
all or nothing; each transfer stays pending for 24 h, during which the customer may refuse
from the inbox notice (the old owner stays); then ``customer_transfers_complete`` applies
it once; at most ``BUDGET`` transfers per customer in any 90 days, refused ones included
(WeCom counts transfers attempted). Every decision about a customer holds the customer's
``CustomerOwner`` row lock (``crm/lock_objects.py``), so two staff handing over the same
customer at once make one transfer; the database adds a unique "one pending" index.
"""

import secrets
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crm import errors
from crm.lock_objects import customer_owners_lock, transfers_claim_due
from crm.models import (
    BUDGET,
    BUDGET_WINDOW,
    MAX_BATCH,
    REFUSAL_WINDOW,
    CustomerOwner,
    CustomerTransfer,
    MessageTemplate,
    QuietPolicy,
    SourceKind,
    TransferState,
)
from crm.services.outbox import messages_enqueue
from distribution.models import Member
from mall.models import User

CHUNK = 1000
NOTICE_TEMPLATE = "客户交接通知"
NOTICE_LINK = "/me/owner/"
NOTICE_PRIORITY = 100  # first among a member's due messages in a dispatcher batch


def owners_derived(*, customer_ids: Iterable[int]) -> dict[int, int | None]:
    """The owner from attribution: the referral parent when that parent is a reseller,
    else the platform (``None``)."""
    ids = sorted(set(customer_ids))
    parents = dict(Member.objects.filter(user_id__in=ids, parent__is_reseller=True)
                   .values_list("user_id", "parent__user_id"))
    return {uid: parents.get(uid) for uid in ids}


def customer_owners_ensure(*, customer_ids: Iterable[int]) -> None:
    """Materialise the owner rows of these customers from attribution, each chunk in its
    own commit (``ignore_conflicts``: a row someone else made first is kept)."""
    ids = sorted(set(customer_ids))
    now = timezone.now()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        missing = set(chunk) - set(CustomerOwner.objects.filter(pk__in=chunk).values_list("pk", flat=True))
        if missing:
            derived = owners_derived(customer_ids=missing)
            with transaction.atomic():
                CustomerOwner.objects.bulk_create(
                    [CustomerOwner(customer_id=uid, owner_id=derived[uid], since=now)
                     for uid in sorted(missing)],
                    ignore_conflicts=True)


def owners_of(*, customer_ids: Iterable[int]) -> dict[int, int | None]:
    """Each customer's owner now: the materialised row, else attribution (no lock)."""
    ids = set(customer_ids)
    owners = dict(CustomerOwner.objects.filter(pk__in=ids).values_list("pk", "owner_id"))
    return {**owners_derived(customer_ids=ids - set(owners)), **owners}


def owner_of(*, customer_id: int) -> int | None:
    return owners_of(customer_ids=[customer_id])[customer_id]


def customers_of(*, owner_id: int | None) -> QuerySet[User]:
    """Customers whose owner is ``owner_id`` (``None``: the platform): a materialised row
    says so, or, without a row, attribution does. Staff users are nobody's customers."""
    has_row = Exists(CustomerOwner.objects.filter(pk=OuterRef("pk")))
    reseller_parent = Q(member__parent__is_reseller=True)
    if owner_id is None:
        reseller_child = Exists(Member.objects.filter(user_id=OuterRef("pk"), parent__is_reseller=True))
        derived = Q(~has_row) & Q(~reseller_child)
        row = Q(crm_owner__isnull=False, crm_owner__owner__isnull=True)
    else:
        derived = Q(~has_row) & reseller_parent & Q(member__parent__user_id=owner_id)
        row = Q(crm_owner__owner_id=owner_id)
    return User.objects.filter(derived | row, is_staff=False).exclude(pk=owner_id or 0).order_by("pk")


def handover_candidates(*, owner_id: int | None, limit: int = MAX_BATCH,
                        now: datetime | None = None) -> list[int]:
    """"The next 100": the owner's customers, lowest id first, that have no pending
    transfer and budget left."""
    since = (now or timezone.now()) - BUDGET_WINDOW
    spent = (CustomerTransfer.objects.filter(created_at__gt=since).order_by().values("customer_id")
             .annotate(n=Count("id")).filter(n__gte=BUDGET).values("customer_id"))
    pending = CustomerTransfer.objects.filter(state=TransferState.PENDING).values("customer_id")
    return list(customers_of(owner_id=owner_id).exclude(pk__in=pending).exclude(pk__in=spent)
                .values_list("pk", flat=True)[:limit])


def _check_target(*, to_owner_id: int | None, from_owner_id: int | None) -> None:
    if to_owner_id == from_owner_id:
        raise errors.HandoverSameOwner
    if to_owner_id is not None and not Member.objects.filter(
            user_id=to_owner_id, is_reseller=True, is_active=True).exists():
        raise errors.HandoverOwnerNotReseller


def _refuse(error: type[errors.DomainError], customer_ids: Iterable[int]) -> errors.DomainError:
    listed = "、".join(str(uid) for uid in sorted(customer_ids)[:10])
    return error(_("%(message)s Customer ids: %(ids)s.") % {"message": error.default_message, "ids": listed})


def customers_transfer(*, customer_ids: list[int], from_owner_id: int | None, to_owner_id: int | None,
                       staff_id: int, reason: str, now: datetime | None = None) -> list[CustomerTransfer]:
    """Start the handover of these customers (all or nothing). Each is pending for 24 h;
    each customer gets an inbox notice with the 拒绝 link after the commit."""
    ids = sorted(set(customer_ids))
    reason = (reason or "").strip()
    if len(ids) > MAX_BATCH:
        raise errors.HandoverBatchTooLarge
    if not ids:
        raise errors.HandoverBatchEmpty
    if not reason:
        raise errors.HandoverReasonMissing
    _check_target(to_owner_id=to_owner_id, from_owner_id=from_owner_id)
    if to_owner_id in ids:
        raise errors.HandoverOwnerIsCustomer
    now = now or timezone.now()
    # Checked before the rows are materialised, so a refused request leaves no trace; checked
    # again under the lock, where it counts.
    _check_customers(ids=ids, owners=owners_of(customer_ids=ids), from_owner_id=from_owner_id, now=now)
    customer_owners_ensure(customer_ids=ids)
    return _transfer(ids=ids, from_owner_id=from_owner_id, to_owner_id=to_owner_id, staff_id=staff_id,
                     reason=reason[:200], now=now)


def _check_customers(*, ids: list[int], owners: dict[int, int | None], from_owner_id: int | None,
                     now: datetime) -> None:
    not_owned = [uid for uid in ids if uid not in owners or owners[uid] != from_owner_id]
    if not_owned:
        raise _refuse(errors.CustomerNotOwned, not_owned)
    pending = set(CustomerTransfer.objects.filter(customer_id__in=ids, state=TransferState.PENDING)
                  .values_list("customer_id", flat=True))
    if pending:
        raise _refuse(errors.CustomerTransferPending, pending)
    counts = dict(CustomerTransfer.objects.filter(customer_id__in=ids, created_at__gt=now - BUDGET_WINDOW)
                  .order_by().values_list("customer_id").annotate(n=Count("id")))
    spent = [uid for uid in ids if counts.get(uid, 0) >= BUDGET]
    if spent:
        raise _refuse(errors.CustomerTransferBudgetSpent, spent)


@transaction.atomic
def _transfer(*, ids: list[int], from_owner_id: int | None, to_owner_id: int | None, staff_id: int,
              reason: str, now: datetime) -> list[CustomerTransfer]:
    locked = customer_owners_lock(customer_ids=ids)
    _check_customers(ids=ids, owners={uid: row.owner_id for uid, row in locked.items()},
                     from_owner_id=from_owner_id, now=now)
    batch = secrets.token_hex(8)
    transfers = CustomerTransfer.objects.bulk_create([
        CustomerTransfer(customer_id=uid, from_owner_id=from_owner_id, to_owner_id=to_owner_id,
                         staff_id=staff_id, reason=reason, batch=batch, created_at=now,
                         due_at=now + REFUSAL_WINDOW) for uid in ids])
    transaction.on_commit(lambda: _notify(batch=batch, customer_ids=ids))
    return transfers


def notice_template() -> MessageTemplate:
    with translation.override("zh-hans"):
        template, _created = MessageTemplate.objects.get_or_create(name=NOTICE_TEMPLATE, defaults={
            "title": _("Your adviser is changing"),
            "body": _("{nickname}, another adviser will look after you from tomorrow. "
                      "If you do not agree, open this message's link within 24 hours and tap Refuse."),
            "link": NOTICE_LINK, "quiet_policy": QuietPolicy.DEFER})
    return template


def _notify(*, batch: str, customer_ids: list[int]) -> None:
    """The notice goes through the one outbox (so the anti-disturbance rule applies to it
    too); one per customer per batch, however often this runs."""
    messages_enqueue(template=notice_template(), user_ids=customer_ids, source_kind=SourceKind.STAFF,
                     source_id=None, occasion=f"handover:{batch}", priority=NOTICE_PRIORITY)


def customer_transfer_refuse(*, customer_id: int, transfer_id: int,
                             now: datetime | None = None) -> CustomerTransfer:
    """The customer refuses within the 24 h: the transfer becomes ``refused``, the owner
    stays. Someone else's transfer is not found (404)."""
    now = now or timezone.now()
    with transaction.atomic():
        refused = CustomerTransfer.objects.filter(
            pk=transfer_id, customer_id=customer_id, state=TransferState.PENDING, due_at__gt=now,
        ).update(state=TransferState.REFUSED, decided_at=now)
        transfer = CustomerTransfer.objects.filter(pk=transfer_id, customer_id=customer_id).first()
    if transfer is None:
        raise errors.CustomerTransferNotFound
    if not refused:
        raise errors.CustomerTransferDecided
    return transfer


def customer_transfers_complete(*, now: datetime | None = None, limit: int = 500) -> int:
    """Complete every pending transfer whose 24 h have passed. Safe to run twice at once or
    to be killed halfway: a transfer is claimed (SKIP LOCKED) and completed in one
    transaction, by a conditional change of its state. Returns the transfers completed."""
    now = now or timezone.now()
    done = 0
    while True:
        n = _complete_batch(now=now, limit=limit)
        done += n
        if n < limit:
            return done


@transaction.atomic
def _complete_batch(*, now: datetime, limit: int) -> int:
    claimed = transfers_claim_due(now=now, limit=limit)
    if not claimed:
        return 0
    owners = customer_owners_lock(customer_ids=[t.customer_id for t in claimed])
    for transfer in claimed:
        owner = owners[transfer.customer_id]
        owner.owner_id, owner.since = transfer.to_owner_id, now
        owner.save(update_fields=["owner", "since"])
    CustomerTransfer.objects.filter(pk__in=[t.pk for t in claimed], state=TransferState.PENDING).update(
        state=TransferState.COMPLETED, decided_at=now)
    return len(claimed)
