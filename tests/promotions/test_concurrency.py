"""I9 under real parallel connections (PostgreSQL): stock, the per-member limit, one coupon in
two checkouts at once, a partner's budget under concurrent orders, concurrent voucher scans."""

from decimal import Decimal

import pytest
from django.utils import translation

from mall.models import SKU
from orders.models import Order
from promotions.errors import (
    CouponLimitReached,
    CouponSoldOut,
    CouponUsed,
    PartnerBudgetExhausted,
    VoucherAlreadyVerified,
)
from promotions.models import Coupon, CouponState, CouponTemplate, PartnerLedgerEntry, PartnerVoucher
from promotions.services.issue import coupon_claim, coupon_claim_by_link
from promotions.services.partner_reports import partners_reconcile
from promotions.services.vouchers import partner_voucher_claim, partner_voucher_verify
from tests.concurrency import run_parallel
from tests.mall.factories import SKUFactory, UserFactory
from tests.orders.factories import AddressFactory
from tests.promotions.factories import CouponTemplateFactory, checkout, give, partner_world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
CONNECTIONS = 40  # the server is shared: 500 claims go through 40 connections at once


def test_a_template_with_stock_100_claimed_by_500_members_at_once_issues_exactly_100():
    template = CouponTemplateFactory(stock=100)
    members = [UserFactory() for _ in range(500)]

    def claims(i: int) -> list[object]:
        outcomes = []
        for user in members[i::CONNECTIONS]:
            try:
                outcomes.append(coupon_claim(template_id=template.pk, user=user))
            except CouponSoldOut as exc:
                outcomes.append(exc)
        return outcomes

    results = [o for chunk in run_parallel(CONNECTIONS, claims) for o in chunk]

    assert len(results) == 500
    assert sum(isinstance(r, Coupon) for r in results) == 100
    assert sum(isinstance(r, CouponSoldOut) for r in results) == 400
    assert CouponTemplate.objects.get(pk=template.pk).issued == 100
    assert Coupon.objects.filter(template=template).count() == 100
    assert Coupon.objects.values("user").distinct().count() == 100


def test_a_per_member_limit_of_one_holds_when_one_member_claims_from_10_connections():
    template = CouponTemplateFactory(stock=50, per_member_limit=1)
    user = UserFactory()

    results = run_parallel(10, lambda i: coupon_claim(template_id=template.pk, user=user))

    assert sum(isinstance(r, Coupon) for r in results) == 1
    assert sum(isinstance(r, CouponLimitReached) for r in results) == 9
    assert Coupon.objects.filter(user=user).count() == 1
    assert CouponTemplate.objects.get(pk=template.pk).issued == 1  # the refused took nothing


def test_one_coupon_in_two_concurrent_checkouts_is_used_once_and_the_other_gets_an_error_and_no_order():
    user = UserFactory()
    AddressFactory(user=user)
    coupon = give(CouponTemplateFactory(threshold=Decimal("100.00"), amount=Decimal("10.00")), user)
    skus = [SKUFactory(price=Decimal("120.00"), stock=5) for _ in range(2)]

    results = run_parallel(2, lambda i: checkout(user, [(skus[i], 1)], coupon=coupon))

    orders = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, CouponUsed)]
    assert (len(orders), len(refused)) == (1, 1), results
    with translation.override("zh-hans"):
        assert str(refused[0].message) == "这张券已经使用过了。"
    assert Order.objects.count() == 1
    coupon.refresh_from_db()
    assert (coupon.state, coupon.order_id) == (CouponState.USED, orders[0].pk)
    assert sorted(SKU.objects.filter(pk__in=[s.pk for s in skus]).values_list("stock", flat=True)) == [4, 5]


def test_a_partner_budget_with_room_for_10_discounts_funds_exactly_10_of_30_concurrent_orders():
    partner, _staff, template, _offer = partner_world(budget="100.00")  # 10 discounts of 10.00
    buyers = [UserFactory() for _ in range(30)]
    coupons = [coupon_claim_by_link(token=template.link_token, user=u) for u in buyers]
    for user in buyers:
        AddressFactory(user=user)
    sku = SKUFactory(price=Decimal("120.00"), stock=100)

    results = run_parallel(30, lambda i: checkout(buyers[i], [(sku, 1)], coupon=coupons[i]))

    assert sum(isinstance(r, Order) for r in results) == 10
    assert sum(isinstance(r, PartnerBudgetExhausted) for r in results) == 20
    partner.refresh_from_db()
    assert partner.budget_used == Decimal("100.00")
    assert PartnerLedgerEntry.objects.filter(partner=partner).count() == 10
    assert Order.objects.count() == 10
    assert Coupon.objects.filter(state=CouponState.USED).count() == 10
    assert SKU.objects.get(pk=sku.pk).stock == 90
    assert partners_reconcile().ok


def test_ten_concurrent_scans_of_one_voucher_verify_it_once():
    partner, staff, _template, offer = partner_world(fee="5.00")
    voucher = partner_voucher_claim(offer_id=offer.pk, user=UserFactory())

    results = run_parallel(
        10, lambda i: partner_voucher_verify(code=voucher.code, partner=partner, actor=staff)
    )

    assert sum(isinstance(r, PartnerVoucher) for r in results) == 1
    assert sum(isinstance(r, VoucherAlreadyVerified) for r in results) == 9
    assert list(PartnerLedgerEntry.objects.values_list("kind", "amount")) == [
        ("voucher_fee", Decimal("5.00"))
    ]
