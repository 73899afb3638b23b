"""Reads of promotions: the claim centre, 我的优惠券, a product's chips, the home banner."""

from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from mall.models import Product, User
from promotions.models import Coupon, CouponScope, CouponSource, CouponState, CouponTemplate

TABS = ("unused", "used", "expired")


def _offered_now() -> Q:
    now = timezone.now()
    return (
        Q(is_active=True, in_claim_centre=True)
        & (Q(valid_until__isnull=True) | Q(valid_until__gt=now))
        & (Q(valid_from__isnull=True) | Q(valid_from__lte=now) | Q(valid_days__isnull=False))
    )


def claimable_templates() -> QuerySet[CouponTemplate]:
    """The claim centre: active, claimable, in their dates (sold-out ones too, marked)."""
    return CouponTemplate.objects.filter(_offered_now()).order_by("-pk")


def claimed_counts(*, user: User, template_ids: list[int]) -> dict[int, int]:
    if not user.is_authenticated:
        return {}
    rows = Coupon.objects.filter(
        user=user, template_id__in=template_ids, claim_seq__isnull=False
    ).values_list("template_id", flat=True)
    counts: dict[int, int] = {}
    for template_id in rows:
        counts[template_id] = counts.get(template_id, 0) + 1
    return counts


def templates_for_product(*, product: Product, limit: int = 3) -> list[CouponTemplate]:
    """Chips on a product page: claimable templates whose scope covers the product."""
    ancestors = product.category.get_ancestors(include_self=True).values_list("pk", flat=True)
    covers = (
        Q(scope=CouponScope.ALL)
        | Q(scope=CouponScope.PRODUCTS, products=product)
        | Q(scope=CouponScope.CATEGORIES, categories__in=list(ancestors))
    )
    return list(claimable_templates().filter(covers).filter(issued__lt=F("stock")).distinct()[:limit])


def coupons_for_user(*, user: User, tab: str) -> QuerySet[Coupon]:
    """我的优惠券: 未使用 (usable now or later), 已使用, 已过期 (unused and past their date)."""
    now = timezone.now()
    mine = Coupon.objects.select_related("template").filter(user=user)
    if tab == "used":
        return mine.filter(state=CouponState.USED).order_by("-used_at", "-pk")
    if tab == "expired":
        return mine.filter(state=CouponState.UNUSED, valid_until__lte=now).order_by("-valid_until", "-pk")
    return mine.filter(state=CouponState.UNUSED, valid_until__gt=now).order_by("valid_until", "pk")


def coupon_counts(*, user: User) -> dict[str, int]:
    return {tab: coupons_for_user(user=user, tab=tab).count() for tab in TABS}


@dataclass(frozen=True)
class SignupGiftBanner:
    template: CouponTemplate
    coupon: Coupon | None  # the member's gift, still to use; None for a visitor


def signup_gift_banner(*, user: User) -> SignupGiftBanner | None:
    """The home banner's 新人礼: shown to visitors (sign up to get it) and to new members
    whose gift is still unused and valid; nobody else sees it."""
    template = CouponTemplate.objects.filter(is_signup_gift=True, is_active=True).first()
    if template is None:
        return None
    if not user.is_authenticated:
        return SignupGiftBanner(template=template, coupon=None)
    coupon = (
        Coupon.objects.filter(
            user=user, source=CouponSource.SIGNUP, state=CouponState.UNUSED, valid_until__gt=timezone.now()
        )
        .select_related("template")
        .first()
    )
    return SignupGiftBanner(template=coupon.template, coupon=coupon) if coupon else None
