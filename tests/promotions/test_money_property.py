"""I9 as a property, through the real services: random prices, quantities, coupon kinds and
scopes, then random partial refunds.

- Σ line discounts = the order's discount, which equals an independent model of the rule;
- every refund stays within what was paid (per item and for the order);
- the commission base of every record is the item's paid amount (after the discount), and
  its amount is the tier's rate on what is still paid, rounded down.

Runs on PostgreSQL (``make test``) and on SQLite (``make test-sqlite-money``).
"""

from decimal import ROUND_DOWN, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from distribution.models import CommissionRecord
from orders.models import OrderItem
from promotions.models import CouponKind, CouponScope
from tests.distribution.commission_world import make_world, refund, sku
from tests.orders.factories import AddressFactory, pay
from tests.promotions.factories import CouponTemplateFactory, checkout, give

pytestmark = pytest.mark.django_db
CENT = Decimal("0.01")
RATES = {1: Decimal("0.10"), 2: Decimal("0.05")}

lines_strategy = st.lists(st.tuples(st.integers(1, 50_000), st.integers(1, 4)), min_size=1, max_size=4)
coupon_strategy = st.tuples(
    st.sampled_from([CouponKind.THRESHOLD, CouponKind.PERCENT, CouponKind.NO_THRESHOLD]),
    st.integers(1, 30_000),  # amount off, in fen
    st.integers(0, 60_000),  # threshold, in fen
    st.integers(1, 99),  # percent off
    st.one_of(st.none(), st.integers(1, 20_000)),  # ceiling, in fen
    st.booleans(),  # scoped to the first product only
)
refunds_strategy = st.lists(st.tuples(st.integers(0, 3), st.integers(1, 4)), max_size=4)


def _expected_discount(kind, amount, threshold, percent, ceiling, eligible):
    base = sum((price * q for price, q in eligible), Decimal(0))
    units = sum(q for _, q in eligible)
    if kind == CouponKind.THRESHOLD and base < threshold:
        return None
    if kind == CouponKind.PERCENT:
        off = (base * percent / 100).quantize(CENT, rounding=ROUND_DOWN)
        off = min(off, ceiling) if ceiling is not None else off
    else:
        off = amount
    off = min(off, base - CENT * units)
    return off if off > 0 else None


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(lines=lines_strategy, coupon=coupon_strategy, refunds=refunds_strategy)
def test_coupon_discounts_refunds_and_commission_bases_are_exact(lines, coupon, refunds):
    kind, amount_fen, threshold_fen, percent, ceiling_fen, scoped = coupon
    world = make_world(tiers=2, rates=("0.10", "0.05", "0.02"))
    user = world.buyer.user
    AddressFactory(user=user)
    skus = [(sku(price=str(Decimal(p) / 100), cost="0.00", stock=10), q) for p, q in lines]
    template = CouponTemplateFactory(
        kind=kind,
        amount=Decimal(amount_fen) / 100,
        threshold=Decimal(threshold_fen) / 100 if kind == CouponKind.THRESHOLD else 0,
        percent_off=percent if kind == CouponKind.PERCENT else 0,
        max_discount=Decimal(ceiling_fen) / 100 if ceiling_fen and kind == CouponKind.PERCENT else None,
        scope=CouponScope.PRODUCTS if scoped else CouponScope.ALL,
    )
    if scoped:
        template.products.set([skus[0][0].product])
    eligible = [(s.price, q) for s, q in (skus[:1] if scoped else skus)]
    expected = _expected_discount(
        kind,
        template.amount,
        template.threshold,
        percent,
        template.max_discount,
        eligible,
    )
    coupon_row = give(template, user)

    order = pay(checkout(user, skus, coupon=coupon_row if expected is not None else None))

    items = list(order.items.order_by("pk"))
    assert order.discount_amount == (expected or Decimal("0.00"))
    assert sum((i.discount_amount for i in items), Decimal(0)) == order.discount_amount
    assert all(i.discount_amount >= 0 and i.paid_amount == i.line_amount - i.discount_amount for i in items)
    assert all(i.paid_amount >= CENT * i.quantity for i in items)  # no item is free
    units = sum(i.quantity for i in items)
    assert sum((i.paid_amount for i in items), Decimal(0)) >= CENT * units  # the order never costs 0
    assert order.total_amount == order.subtotal - order.discount_amount + order.shipping_fee

    for which, units in refunds:
        item = items[which % len(items)]
        item.refresh_from_db()
        left = item.quantity - item.refunded_quantity
        if left:
            refund(order, quantity=min(units, left), item_index=which % len(items))
    for item in OrderItem.objects.filter(order=order):
        assert item.refunded_amount <= item.paid_amount
        assert item.refunded_quantity < item.quantity or item.refunded_amount == item.paid_amount
        for record in CommissionRecord.objects.filter(order_item=item):
            assert record.base_amount == item.paid_amount
            still_paid = item.paid_amount - item.refunded_amount
            assert record.amount == (still_paid * RATES[record.tier]).quantize(CENT, rounding=ROUND_DOWN)
