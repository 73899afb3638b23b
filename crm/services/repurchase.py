"""Repurchase cycles and reminders.

Definitions (also in crm/README.md), days counted between Shanghai dates:

- **a purchase** of a product: a paid (not cancelled) order with an item of it; one order is
  one purchase however many items. **A pair**: two successive purchases of the same product
  by the same member; its gap is the days between them (a gap of 0 — two orders one day —
  is not a pair: it is one shopping trip).
- **learned cycle**: the median gap over all pairs of the product (rounded half up to whole
  days), stored only when there are at least ``RepurchaseSettings.min_pairs`` pairs [20];
  otherwise nothing is learned. **Cycle**: staff's ``override_days`` if set, else the learned
  one; a cycle under 3 days sends no reminder.
- **reminder**: on day ``cycle - 2`` after the member's *last* purchase of the product (day
  ``cycle - 1`` too, for a run the day before that was missed), the reminder template
  (``RepurchaseSettings.template``), with ``{product}`` the product's title and, if staff ask,
  the returning-customer offer's coupon template. Keyed by (product, last purchase date,
  member) in the outbox: one reminder per purchase however often the task runs; a new
  purchase makes a new "last" and the old one is never reminded. A product off the shelf gets
  no reminders (it cannot be bought again).
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from statistics import median

from django.db import transaction
from django.db.models import Max

from crm.models import ProductCycle, RepurchaseSettings, SourceKind
from crm.rules import REACH_TIME_ZONE, local
from crm.services.outbox import messages_enqueue
from mall.models import Product
from orders.models import OrderItem, OrderState

REMIND_BEFORE_DAYS = 2
REMIND_TIME = time(10)
MIN_CYCLE = 3


def _purchases():
    return (OrderItem.objects.filter(order__paid_at__isnull=False)
            .exclude(order__state=OrderState.CANCELLED))


def cycle_gaps(*, purchases: list[tuple[int, int, datetime]]) -> dict[int, list[int]]:
    """Gaps in days between each member's successive purchases, per product.
    ``purchases``: (product id, user id, paid at)."""
    dates: dict[tuple[int, int], set[date]] = defaultdict(set)
    for product_id, user_id, paid_at in purchases:
        dates[product_id, user_id].add(local(paid_at).date())
    gaps: dict[int, list[int]] = defaultdict(list)
    for (product_id, _user), days in dates.items():
        ordered = sorted(days)
        gaps[product_id].extend((b - a).days for a, b in pairwise(ordered))
    return gaps


def cycles_learn(*, today: date) -> int:
    """Learn every product's cycle from the order history. Safe to run twice (an upsert).
    Returns the products with a learned cycle."""
    min_pairs = RepurchaseSettings.get_solo().min_pairs
    rows = _purchases().order_by().values_list("product_id", "order__user_id", "order__paid_at").distinct()
    gaps = cycle_gaps(purchases=list(rows))
    learned = []
    for product_id, values in gaps.items():
        days = int(Decimal(str(median(values))).quantize(Decimal(1), rounding=ROUND_HALF_UP)) \
            if len(values) >= min_pairs else None
        learned.append(ProductCycle(product_id=product_id, learned_days=days, sample_pairs=len(values),
                                    learned_on=today))
    with transaction.atomic():
        ProductCycle.objects.exclude(product_id__in=list(gaps)).update(learned_days=None, sample_pairs=0,
                                                                       learned_on=today)
        ProductCycle.objects.bulk_create(learned, batch_size=1000, update_conflicts=True,
                                         unique_fields=["product"],
                                         update_fields=["learned_days", "sample_pairs", "learned_on"])
    return sum(1 for row in learned if row.learned_days)


def _coupon(settings: RepurchaseSettings) -> str | None:
    if not settings.with_returning_coupon:
        return None
    from promotions.models import ReturningCustomerRule  # crm sits above promotions (pyproject layers)

    template_id = ReturningCustomerRule.get_solo().template_id
    return str(template_id) if template_id else None


def repurchase_remind(*, today: date) -> int:
    """Queue today's reminders (10:00 Shanghai, not before). Returns the members offered."""
    settings = RepurchaseSettings.get_solo()
    if settings.template is None:
        return 0
    coupon = _coupon(settings)
    offered = 0
    for cycle in ProductCycle.objects.filter(product__status=Product.Status.ON_SHELF):
        days = cycle.cycle_days
        if not days or days < MIN_CYCLE:
            continue
        start = datetime.combine(today - timedelta(days=days - 1), time(0), tzinfo=REACH_TIME_ZONE)
        end = datetime.combine(today - timedelta(days=days - REMIND_BEFORE_DAYS - 1), time(0),
                               tzinfo=REACH_TIME_ZONE)
        last = (_purchases().filter(product_id=cycle.product_id).order_by().values("order__user_id")
                .annotate(last=Max("order__paid_at")).filter(last__gte=start, last__lt=end))
        by_day: dict[date, list[int]] = defaultdict(list)
        for row in last:
            by_day[local(row["last"]).date()].append(row["order__user_id"])
        title = Product.objects.filter(pk=cycle.product_id).values_list("title", flat=True).first() or ""
        for day, user_ids in by_day.items():
            offered += messages_enqueue(
                template=settings.template, user_ids=user_ids, source_kind=SourceKind.REPURCHASE,
                source_id=cycle.product_id, occasion=day.isoformat(), values={"product": title},
                not_before=datetime.combine(today, REMIND_TIME, tzinfo=REACH_TIME_ZONE),
                coupon_template=coupon)
    return offered
