"""Coupons at checkout: the discount spread exactly over the eligible lines, the errors that
change nothing, and a cancelled unpaid order giving its coupon back (a refund does not)."""

from decimal import Decimal

import pytest

from mall.models import SKU
from orders.discounts import NO_DISCOUNT
from orders.errors import DiscountUnavailable
from orders.models import Order, OrderState
from orders.services.checkout import CheckoutLine, checkout_preview
from orders.services.fulfilment import order_cancel, orders_cancel_expired
from promotions.errors import (
    CouponBelowThreshold,
    CouponExpired,
    CouponNotApplicable,
    CouponNotFound,
    CouponUsed,
)
from promotions.models import Coupon, CouponKind, CouponScope, CouponState
from tests.distribution.commission_world import refund
from tests.mall.factories import CategoryFactory, ProductFactory, SKUFactory, UserFactory
from tests.orders.factories import AddressFactory, pay
from tests.promotions.factories import CouponTemplateFactory, checkout, expire, give

pytestmark = pytest.mark.django_db
D = Decimal


def _sku(price: str, stock: int = 50, **kwargs) -> SKU:
    return SKUFactory(price=D(price), cost_price=D("1.00"), stock=stock, **kwargs)


def test_a_threshold_coupon_is_spread_over_the_lines_exactly_and_marked_used():
    user = UserFactory()
    coupon = give(CouponTemplateFactory(threshold=D("100.00"), amount=D("10.00")), user)
    a, b, c = _sku("33.33"), _sku("33.33"), _sku("33.34")

    order = checkout(user, [(a, 1), (b, 1), (c, 1)], coupon=coupon)

    items = list(order.items.order_by("pk"))
    assert order.discount_amount == D("10.00")
    assert [i.discount_amount for i in items] == [D("3.33"), D("3.33"), D("3.34")]
    assert sum(i.discount_amount for i in items) == order.discount_amount
    assert [i.paid_amount for i in items] == [D("30.00"), D("30.00"), D("30.00")]
    assert order.total_amount == D("90.00") + order.shipping_fee
    assert order.discount_key == coupon.key
    coupon.refresh_from_db()
    assert (coupon.state, coupon.order_id, coupon.discount_amount) == (CouponState.USED, order.pk, D("10.00"))


def test_a_percent_coupon_is_rounded_down_and_capped_by_its_ceiling():
    user = UserFactory()
    capped = give(
        CouponTemplateFactory(
            kind=CouponKind.PERCENT, percent_off=15, threshold=0, amount=0, max_discount=D("20.00")
        ),
        user,
    )
    small = give(CouponTemplateFactory(kind=CouponKind.PERCENT, percent_off=15, threshold=0, amount=0), user)

    big_order = checkout(user, [(_sku("199.99"), 1)], coupon=capped)
    small_order = checkout(user, [(_sku("33.33"), 1)], coupon=small)

    assert big_order.discount_amount == D("20.00")
    assert small_order.discount_amount == D("4.99")  # 4.9995 rounded down


def test_a_scoped_coupon_discounts_only_the_lines_in_its_scope():
    user = UserFactory()
    parent = CategoryFactory()
    child = CategoryFactory(parent=parent)
    inside = _sku("80.00", product=ProductFactory(category=child))
    outside = _sku("50.00")
    template = CouponTemplateFactory(
        scope=CouponScope.CATEGORIES, kind=CouponKind.NO_THRESHOLD, threshold=0, amount=D("15.00")
    )
    template.categories.set([parent])

    order = checkout(user, [(inside, 1), (outside, 1)], coupon=give(template, user))

    by_sku = {i.sku_id: i for i in order.items.all()}
    assert by_sku[inside.pk].discount_amount == D("15.00")
    assert by_sku[outside.pk].discount_amount == D("0.00")


def test_a_no_threshold_coupon_never_takes_an_item_to_zero():
    user = UserFactory()
    coupon = give(CouponTemplateFactory(kind=CouponKind.NO_THRESHOLD, threshold=0, amount=D("50.00")), user)

    order = checkout(user, [(_sku("9.90"), 2)], coupon=coupon)

    assert order.discount_amount == D("19.78")
    assert order.items.get().paid_amount == D("0.02")


def test_the_preview_proposes_the_best_coupon_and_lets_the_shopper_change_or_drop_it():
    user = UserFactory()
    AddressFactory(user=user)
    small = give(CouponTemplateFactory(threshold=D("50.00"), amount=D("5.00")), user)
    big = give(CouponTemplateFactory(threshold=D("100.00"), amount=D("12.00")), user)
    out_of_reach = give(CouponTemplateFactory(threshold=D("500.00"), amount=D("80.00")), user)
    lines = [CheckoutLine(sku_id=_sku("120.00").pk, quantity=1)]

    best = checkout_preview(user=user, lines=lines)
    chosen = checkout_preview(user=user, lines=lines, discount_key=small.key)
    none = checkout_preview(user=user, lines=lines, discount_key=NO_DISCOUNT)
    unusable = checkout_preview(user=user, lines=lines, discount_key=out_of_reach.key)

    assert (best.discount.key, best.discount_amount) == (big.key, D("12.00"))
    assert (chosen.discount.key, chosen.discount_amount) == (small.key, D("5.00"))
    assert (none.discount, none.discount_amount) == (None, D("0.00"))
    assert unusable.discount is None
    assert "¥380.00" in unusable.discount_problem
    assert {o.key for o in best.discount_options} == {small.key, big.key, out_of_reach.key}
    assert Coupon.objects.filter(state=CouponState.USED).count() == 0  # a preview reserves nothing


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("expired", CouponExpired),
        ("foreign", CouponNotFound),
        ("below_threshold", CouponBelowThreshold),
        ("out_of_scope", CouponNotApplicable),
        ("used", CouponUsed),
        ("unknown", DiscountUnavailable),
    ],
)
def test_a_coupon_that_cannot_be_used_refuses_the_checkout_and_changes_nothing(case, error):
    user, other = UserFactory(), UserFactory()
    template = CouponTemplateFactory(threshold=D("100.00"), amount=D("10.00"))
    coupon = give(template, other if case == "foreign" else user)
    sku = _sku("60.00", stock=5)
    quantity = 1 if case == "below_threshold" else 2
    if case == "expired":
        expire(coupon)
    if case == "out_of_scope":
        template.scope = CouponScope.PRODUCTS
        template.save()
        template.products.set([ProductFactory()])
    if case == "used":
        checkout(user, [(_sku("200.00"), 1)], coupon=coupon)
    orders_before = Order.objects.count()
    state_before = Coupon.objects.get(pk=coupon.pk).state

    with pytest.raises(error) as raised:
        checkout(user, [(sku, quantity)], key="promo:9" if case == "unknown" else coupon.key)

    assert raised.value.message
    assert Order.objects.count() == orders_before
    sku.refresh_from_db()
    assert sku.stock == 5
    assert Coupon.objects.get(pk=coupon.pk).state == state_before


def test_cancelling_an_unpaid_order_gives_the_coupon_back_once():
    user = UserFactory()
    coupon = give(CouponTemplateFactory(), user)
    order = checkout(user, [(_sku("150.00"), 1)], coupon=coupon)

    order_cancel(order=order, actor=user)

    coupon.refresh_from_db()
    assert (coupon.state, coupon.order_id, coupon.used_at) == (CouponState.UNUSED, None, None)
    again = checkout(user, [(_sku("150.00"), 1)], coupon=coupon)
    assert again.discount_amount == D("10.00")


def test_the_unpaid_sweep_gives_the_coupon_back_too():
    from datetime import timedelta

    from django.utils import timezone

    user = UserFactory()
    coupon = give(CouponTemplateFactory(), user)
    checkout(user, [(_sku("150.00"), 1)], coupon=coupon)

    assert orders_cancel_expired(now=timezone.now() + timedelta(hours=2)) == 1

    coupon.refresh_from_db()
    assert coupon.state == CouponState.UNUSED


def test_a_refunded_order_keeps_its_coupon_used_and_refunds_only_what_was_paid():
    from tests.distribution.commission_world import make_world

    world = make_world()
    AddressFactory(user=world.buyer.user)
    coupon = give(CouponTemplateFactory(threshold=D("100.00"), amount=D("10.00")), world.buyer.user)
    order = pay(checkout(world.buyer.user, [(_sku("50.00"), 3)], coupon=coupon))

    refund(order, quantity=3)

    order.refresh_from_db()
    item = order.items.get()
    assert order.state == OrderState.CANCELLED
    assert item.refunded_amount == item.paid_amount == D("140.00")
    coupon.refresh_from_db()
    assert (coupon.state, coupon.order_id) == (CouponState.USED, order.pk)


def test_an_order_without_a_coupon_is_unchanged():
    user = UserFactory()
    give(CouponTemplateFactory(), user)

    order = checkout(user, [(_sku("150.00"), 1)])

    assert (order.discount_amount, order.discount_key) == (D("0.00"), "")
    assert Coupon.objects.get().state == CouponState.UNUSED


@pytest.mark.django_db
def test_an_attempt_rolled_back_for_a_taken_order_number_gives_its_coupon_back_to_the_next(monkeypatch):
    from orders.services import checkout as checkout_module

    sku = _sku("50.00")
    taken = checkout(UserFactory(), [(sku, 1)])
    user = UserFactory()
    coupon = give(CouponTemplateFactory(threshold=Decimal("0"), kind=CouponKind.NO_THRESHOLD,
                                        amount=Decimal("5.00")), user)
    drawn = iter([taken.number, "Q2026120500000002"])
    monkeypatch.setattr(checkout_module, "order_number_new", lambda: next(drawn))

    order = checkout(user, [(sku, 1)], coupon=coupon)

    coupon.refresh_from_db()
    assert order.number == "Q2026120500000002" and order.discount_amount == Decimal("5.00")
    assert coupon.state == CouponState.USED and coupon.order_id == order.pk
    assert Order.objects.filter(user=user).count() == 1
