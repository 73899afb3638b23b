"""The back-dating step of the demo history.

The services stamp ``timezone.now()``, so a history built through them happens "now". This
step then moves the DATES — and nothing else — of the rows the demo history itself made, to
the story's day: an order placed 40 days ago was paid two minutes later, shipped the next
day, received three days after that; its after-sales window closes the rule's number of
days after receipt, the sweep closed it a few minutes later and settlement followed.

It never changes an amount, a state or a reference, and every date it writes is derived from
one timeline per order, so every state stays consistent (placed ≤ paid ≤ shipped ≤ received
≤ window closes ≤ window closed ≤ settled; cancelled after the deadline or the refund).
Ledger entries are append-only (a database trigger refuses any UPDATE): they keep the moment
the money actually moved in this database, the day the demo was loaded.

Order numbers (``Q`` + date + digits) and gateway transaction ids keep the seeding date: they
are identifiers shared with the sandbox gateway's tables and are not rewritten.
"""

import zlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from distribution.demo.data import AfterSaleStory, Story
from distribution.models import CommissionRecord, OrderAttribution, PayoutAccount, Withdrawal
from orders.models import (
    AfterSale,
    AfterSaleState,
    Order,
    OrderEvent,
    OrderItem,
    Payment,
    Refund,
)
from orders.payments.sandbox.models import SandboxRefund, SandboxTrade

SWEEP_LAG = timedelta(minutes=7)  # the window sweep runs every 30 minutes
SETTLE_LAG = timedelta(minutes=1)  # the settlement sweep runs every minute
EventKind = OrderEvent.Kind


def local_moment(*, days_ago: int, hour: int, minute: int = 0, now: datetime) -> datetime:
    """``hour:minute`` local time, ``days_ago`` days before ``now``'s local date."""
    day = timezone.localdate(now) - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@dataclass(frozen=True)
class Timeline:
    """When each step of one story's order happened. The window's close depends on the
    item's window length, so it is worked out per item (``window_closed``)."""

    now: datetime
    placed: datetime
    paid: datetime
    shipped: datetime
    received: datetime
    aftersale_requested: datetime
    aftersale_approved: datetime
    refund_requested: datetime
    refunded: datetime
    cancelled: datetime

    @property
    def payment_started(self) -> datetime:
        return self._clamp(self.placed + timedelta(minutes=1))

    @property
    def deadline(self) -> datetime:
        return self.placed + settings.ORDERS_UNPAID_TIMEOUT

    def _clamp(self, moment: datetime) -> datetime:
        return min(moment, self.now)

    def window_closes(self, length: timedelta) -> datetime:
        return self.received + length

    def window_closed(self, length: timedelta) -> datetime:
        return self._clamp(self.window_closes(length) + SWEEP_LAG)


def timeline_for(story: Story, *, now: datetime) -> Timeline:
    if story.days_ago == 0:  # today: two hours ago, but never before midnight
        midnight = local_moment(days_ago=0, hour=0, now=now)
        placed = max(now - timedelta(hours=2), midnight)
    else:
        minute = zlib.crc32(story.key.encode()) % 60
        placed = local_moment(days_ago=story.days_ago, hour=story.hour, minute=minute, now=now)
    paid = placed + timedelta(minutes=2)
    shipped = placed + timedelta(days=1, hours=2)
    received = shipped + timedelta(days=3, hours=5)
    requested = (paid + timedelta(minutes=40) if story.aftersale == AfterSaleStory.FULL_REFUND
                 else received + timedelta(days=1))
    approved = requested + timedelta(hours=2)
    refunded = approved + timedelta(minutes=4)
    cancelled = refunded if story.aftersale == AfterSaleStory.FULL_REFUND else (
        placed + settings.ORDERS_UNPAID_TIMEOUT + timedelta(minutes=1))
    moments = [placed, paid, shipped, received, requested, approved, approved + timedelta(minutes=1),
               refunded, cancelled]
    return Timeline(now, *(min(m, now) for m in moments))


def _event_times(t: Timeline, *, closed: datetime | None) -> dict[str, datetime | None]:
    return {
        EventKind.CREATED: t.placed, EventKind.PAYMENT_STARTED: t.payment_started,
        EventKind.PAID: t.paid, EventKind.SHIPPED: t.shipped, EventKind.RECEIVED: t.received,
        EventKind.AFTERSALE_REQUESTED: t.aftersale_requested,
        EventKind.AFTERSALE_APPROVED: t.aftersale_approved,
        EventKind.REFUND_REQUESTED: t.refund_requested, EventKind.REFUNDED: t.refunded,
        EventKind.CANCELLED: t.cancelled, EventKind.ITEM_WINDOW_CLOSED: closed,
        EventKind.COMPLETED: closed,
    }


def _backdate_items(order: Order, t: Timeline) -> dict[int, datetime]:
    """Each item's window dates; returns when each closed item's window was closed."""
    closed_at = {}
    for item in OrderItem.objects.filter(order=order, window_closes_at__isnull=False):
        length = item.window_closes_at - order.received_at  # as the receipt service set it
        fields = {"window_closes_at": t.window_closes(length)}
        if item.window_closed_at is not None:
            fields["window_closed_at"] = closed_at[item.pk] = t.window_closed(length)
        OrderItem.objects.filter(pk=item.pk).update(**fields)
    return closed_at


def _backdate_order_row(order: Order, t: Timeline, *, closed: datetime | None) -> None:
    fields = {"created_at": t.placed, "payment_deadline": t.deadline}
    steps = {"payment_started_at": t.payment_started, "paid_at": t.paid, "shipped_at": t.shipped,
             "received_at": t.received, "completed_at": closed, "cancelled_at": t.cancelled}
    fields |= {name: moment for name, moment in steps.items()
               if moment is not None and getattr(order, name) is not None}
    Order.objects.filter(pk=order.pk).update(**fields)


def _backdate_payment(order: Order, t: Timeline) -> None:
    Payment.objects.filter(order=order).update(paid_at=t.paid, created_at=t.paid)
    trades = SandboxTrade.objects.filter(out_trade_no=order.number)
    trades.update(created_at=t.payment_started, time_expire=t.deadline)
    trades.filter(success_time__isnull=False).update(success_time=t.paid)


def _backdate_aftersales(order: Order, t: Timeline) -> None:
    for aftersale in AfterSale.objects.filter(order=order):
        last = {AfterSaleState.REQUESTED: t.aftersale_requested,
                AfterSaleState.REFUNDED: t.refunded}.get(aftersale.state, t.aftersale_approved)
        AfterSale.objects.filter(pk=aftersale.pk).update(created_at=t.aftersale_requested, updated_at=last)
    refunds = Refund.objects.filter(order=order)
    refunds.update(created_at=t.refund_requested)
    refunds.filter(succeeded_at__isnull=False).update(succeeded_at=t.refunded)
    provider_refunds = SandboxRefund.objects.filter(out_refund_no__in=refunds.values("refund_no"))
    provider_refunds.update(created_at=t.refund_requested)
    provider_refunds.filter(success_time__isnull=False).update(success_time=t.refunded)


def _backdate_commission(order: Order, t: Timeline, *, closed_at: dict[int, datetime]) -> None:
    OrderAttribution.objects.filter(order=order).update(created_at=t.placed)
    records = CommissionRecord.objects.filter(order=order)
    records.update(created_at=t.paid)
    records.filter(cancelled_at__isnull=False).update(cancelled_at=t.refunded)
    for item_id, closed in closed_at.items():
        records.filter(order_item_id=item_id, settled_at__isnull=False).update(
            settled_at=min(closed + SETTLE_LAG, t.now))


def order_backdate(*, order_id: int, timeline: Timeline) -> None:
    """Move every date of one demo order (and of its payment, after-sales, refunds, timeline
    and commission) onto ``timeline``. Absolute, so running it again changes nothing."""
    order = Order.objects.get(pk=order_id)
    closed_at = _backdate_items(order, timeline)
    closed = max(closed_at.values()) if closed_at else None
    _backdate_order_row(order, timeline, closed=closed)
    _backdate_payment(order, timeline)
    _backdate_aftersales(order, timeline)
    _backdate_commission(order, timeline, closed_at=closed_at)
    for kind, moment in _event_times(timeline, closed=closed).items():
        if moment is not None:
            OrderEvent.objects.filter(order=order, kind=kind).update(created_at=moment)


def withdrawal_backdate(*, withdrawal_id: int, requested: datetime, reviewed: datetime | None = None,
                        paid: datetime | None = None) -> None:
    fields = {"requested_at": requested}
    if reviewed is not None:
        fields["reviewed_at"] = reviewed
    if paid is not None:
        fields["paid_at"] = paid
    Withdrawal.objects.filter(pk=withdrawal_id).update(**fields)


def payout_account_backdate(*, account_id: int, added: datetime) -> None:
    PayoutAccount.objects.filter(pk=account_id).update(created_at=added)

