"""Staff reports of reach (reads only). Figures, precisely:

- **sent**: messages decided ``sent``; **read**: of those, opened in the inbox (``read_at``);
  **clicked**: followed (``clicked_at``); **converted**: the member paid an order (not
  cancelled) within 7 days after the message's ``sent_at``;
- **volume per member**: for the Shanghai days ``start`` .. ``start + days - 1``, how many
  members received exactly k messages, for each k ≥ 1 — the proof that the caps hold.
"""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q

from crm.models import Channel, Delivery, Message, MessageState, SourceKind
from crm.rules import REACH_TIME_ZONE
from orders.models import Order, OrderState

CONVERSION_WINDOW = timedelta(days=7)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=REACH_TIME_ZONE)


def volume_per_member(*, start: date, days: int = 7) -> dict[int, int]:
    sent = Message.objects.filter(state=MessageState.SENT, sent_at__gte=_day_start(start),
                                  sent_at__lt=_day_start(start + timedelta(days=days)))
    per_member = sent.order_by().values("user_id").annotate(n=Count("id")).values_list("n", flat=True)
    histogram: dict[int, int] = {}
    for n in per_member:
        histogram[n] = histogram.get(n, 0) + 1
    return dict(sorted(histogram.items()))


def _converted() -> Exists:
    return Exists(Order.objects.filter(
        user_id=OuterRef("user_id"), paid_at__gte=OuterRef("sent_at"),
        paid_at__lt=OuterRef("sent_at") + CONVERSION_WINDOW).exclude(state=OrderState.CANCELLED))


def reach_funnel(*, group_by: str, **filters: object) -> dict[object, dict[str, int]]:
    """sent / read / clicked / converted per value of ``group_by`` (``channel``,
    ``source_kind``, ``source_id``, ``template``), over the sent messages matching ``filters``."""
    rows = (Message.objects.filter(state=MessageState.SENT, **filters).annotate(conv=_converted())
            .order_by().values(group_by).annotate(
                sent=Count("id"), read=Count("id", filter=Q(read_at__isnull=False)),
                clicked=Count("id", filter=Q(clicked_at__isnull=False)),
                converted=Count("id", filter=Q(conv=True))))
    return {row.pop(group_by): row for row in rows}


STEP_FIGURES = ("members", "queued", "deferred", "sent", "delivered", "read", "clicked", "converted",
                "skipped_cap", "not_sent_other")


def sop_step_figures(*, step_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per SOP step, from its outbox rows (one per member and occasion): **members** reached
    (rows), **queued** (not decided yet), **deferred** (moved by quiet hours at least once),
    **sent**, **delivered** (sent to the inbox, or delivered by SMS / WeChat), **read**,
    **clicked**, **converted** (sent, and a paid order within 7 days), **skipped_cap** (the
    anti-disturbance cap) and **not_sent_other** (no consent, or dropped in quiet hours)."""
    sent = Q(state=MessageState.SENT)
    rows = (Message.objects.filter(source_kind=SourceKind.SOP, source_id__in=step_ids)
            .annotate(conv=_converted()).order_by().values("source_id").annotate(
                members=Count("id"), queued=Count("id", filter=Q(state=MessageState.QUEUED)),
                deferred=Count("id", filter=Q(deferred_count__gt=0)), sent=Count("id", filter=sent),
                delivered=Count("id", filter=sent & (Q(channel=Channel.INBOX)
                                                     | Q(delivery=Delivery.DELIVERED))),
                read=Count("id", filter=Q(read_at__isnull=False)),
                clicked=Count("id", filter=Q(clicked_at__isnull=False)),
                converted=Count("id", filter=sent & Q(conv=True)),
                skipped_cap=Count("id", filter=Q(state=MessageState.SKIPPED_CAP)),
                not_sent_other=Count("id", filter=Q(state__in=[MessageState.SKIPPED_CONSENT,
                                                               MessageState.DROPPED_QUIET]))))
    figures = {step_id: dict.fromkeys(STEP_FIGURES, 0) for step_id in step_ids}
    for row in rows:
        figures[row.pop("source_id")] = row
    return figures


def message_status(message: Message, *, converted: bool = False) -> str:  # noqa: PLR0911
    """One member's status on one step occasion, from its outbox row: the furthest of
    converted / clicked / read / delivered / sent, else skipped_cap, deferred, queued or the
    other reason it was not sent."""
    if message.state != MessageState.SENT:
        if message.state == MessageState.QUEUED:
            return "deferred" if message.deferred_count else "queued"
        return message.state
    if converted:
        return "converted"
    if message.clicked_at:
        return "clicked"
    if message.read_at:
        return "read"
    if message.channel == Channel.INBOX or message.delivery == Delivery.DELIVERED:
        return "delivered"
    return "sent"
