"""老客专享: grant the returning-customer template to members whose last paid order is older
than N days, at most once per member per M days (``ReturningCustomerRule``).

Safe to run twice at once or to die halfway (the daily task): every grant has the key
``returning:<member>:<date>``, so a second run on the same day returns the coupons the
first gave, and a member who got one in the last M days is skipped.
"""

from datetime import date, timedelta

from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from common.errors import DomainError
from mall.models import User
from orders.models import Order
from promotions.models import Coupon, CouponSource, ReturningCustomerRule
from promotions.services.issue import coupon_grant

BATCH = 500


def returning_customers_grant(*, today: date | None = None, limit: int = 10_000) -> int:
    """Grant today's returning-customer coupons; returns how many members were granted."""
    rule = ReturningCustomerRule.get_solo()
    if not rule.enabled or rule.template_id is None:
        return 0
    now = timezone.now()
    today = today or timezone.localdate()
    recent = Coupon.objects.filter(
        user_id=OuterRef("user_id"),
        source=CouponSource.RETURNING,
        claimed_at__gt=now - timedelta(days=rule.repeat_days),
    )
    candidates = (
        Order.objects.filter(paid_at__isnull=False)
        .values("user_id")
        .annotate(last_paid=Max("paid_at"))
        .filter(last_paid__lt=now - timedelta(days=rule.inactive_days))
        .annotate(recently_granted=Exists(recent))
        .filter(recently_granted=False)
        .order_by("user_id")
        .values_list("user_id", flat=True)[:limit]
    )
    granted = 0
    for user_id in candidates:
        try:
            coupon_grant(
                template=rule.template,
                user=User(pk=user_id),
                source=CouponSource.RETURNING,
                key=f"returning:{user_id}:{today.isoformat()}",
            )
        except DomainError:  # sold out or switched off: nobody else gets one today either
            break
        granted += 1
    return granted
