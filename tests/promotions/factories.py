"""Factories and helpers of the promotions tests, through the real services."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from mall.models import SKU, Shop, User
from orders.models import Order
from orders.services.checkout import CheckoutLine, order_create
from promotions.models import Coupon, CouponKind, CouponSource, CouponTemplate
from promotions.services.issue import coupon_grant
from tests.orders.factories import AddressFactory


class CouponTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CouponTemplate

    name = factory.Sequence(lambda n: f"满减券{n}")
    kind = CouponKind.THRESHOLD
    threshold = Decimal("100.00")
    amount = Decimal("10.00")
    valid_days = 7
    stock = 100
    per_member_limit = 1


def give(template: CouponTemplate, user: User, *, key: str | None = None) -> Coupon:
    return coupon_grant(
        template=template,
        user=user,
        source=CouponSource.STAFF,
        key=key or f"test:{template.pk}:{user.pk}:{Coupon.objects.count()}",
    )


def expire(coupon: Coupon) -> Coupon:
    Coupon.objects.filter(pk=coupon.pk).update(valid_until=timezone.now() - timedelta(minutes=1))
    coupon.refresh_from_db()
    return coupon


def checkout(
    user: User,
    lines: list[tuple[SKU, int]],
    *,
    coupon: Coupon | None = None,
    key: str | None = None,
    shop: Shop | None = None,
) -> Order:
    address = user.addresses.first() or AddressFactory(user=user)
    return order_create(
        user=user,
        address=address,
        shop=shop,
        lines=[CheckoutLine(sku_id=sku.pk, quantity=q) for sku, q in lines],
        discount_key=key if key is not None else (coupon.key if coupon else ""),
    )


def partner_world(*, budget: str = "100.00", fee: str = "5.00"):
    """A partner with one staff account, a funded coupon template (满100减10) and an offer."""
    from promotions.models import Partner, PartnerOffer, PartnerStaff
    from tests.mall.factories import UserFactory

    partner = Partner.objects.create(name=f"宝宝摄影{Partner.objects.count()}", budget=Decimal(budget))
    staff = UserFactory()
    PartnerStaff.objects.create(partner=partner, user=staff)
    template = CouponTemplateFactory(
        partner=partner, in_claim_centre=False, link_token=f"tok{partner.pk}x", stock=1000
    )
    offer = PartnerOffer.objects.create(
        partner=partner,
        title="全家福套餐抵用券",
        fee=Decimal(fee),
        stock=100,
        valid_until=timezone.now() + timedelta(days=30),
    )
    return partner, staff, template, offer
