from datetime import timedelta
from decimal import Decimal

import pytest

from mall.models import SKU
from orders.errors import (
    AfterSaleAlreadyOpen,
    AfterSaleNotAllowed,
    AfterSaleQuantityInvalid,
    AfterSaleWindowClosed,
    RefundExceedsPaid,
)
from orders.models import AfterSale, Order, OrderItem, Refund
from orders.payments.sandbox import notices
from orders.payments.sandbox.models import SandboxRefund
from orders.services.aftersale import aftersale_approve, aftersale_request
from orders.services.fulfilment import order_confirm_receipt, order_ship, orders_close_windows
from orders.services.payment import payment_notice_handle
from orders.services.refund import aftersale_refund, refunds_reconcile
from orders.services.refund_amounts import refundable_amount
from tests.mall.factories import SKUFactory
from tests.orders.factories import pay, place_order, set_discount


def _order_of_three(*, price: str = "10.00", discount: str = "0.00", received: bool = True) -> Order:
    sku = SKUFactory(price=Decimal(price), stock=10)
    order = place_order(lines=[(sku, 3)])
    if Decimal(discount):
        set_discount(order, order.items.get(), Decimal(discount))
    pay(order)
    if received:
        order_ship(order=order, actor=None, carrier="顺丰", tracking_no="SF1")
        order_confirm_receipt(order=order, actor=order.user)
    order.refresh_from_db()
    return order


def _refund(order: Order, *, quantity: int, amount: Decimal | None = None) -> Refund:
    item = order.items.get()
    aftersale = aftersale_request(
        user=order.user,
        order_item_id=item.pk,
        kind="refund_only",
        quantity=quantity,
        reason="不想要了",
        amount=amount,
    )
    aftersale_approve(aftersale=aftersale, actor=None)
    return aftersale_refund(aftersale=aftersale, actor=None)


def _deliver_refund_notice(refund: Refund) -> None:
    provider_refund = SandboxRefund.objects.get(out_refund_no=refund.refund_no)
    headers, body = notices.refund_notice_build(provider_refund)
    payment_notice_handle(provider="sandbox", headers=headers, body=body)


@pytest.mark.django_db
def test_partial_refund_of_one_of_three_units_refunds_exactly_that_units_paid_share(hook_calls):
    order = _order_of_three(price="10.00", discount="0.01")  # paid 29.99: shares 9.99, 9.99, 10.01
    item = order.items.get()
    assert item.paid_amount == Decimal("29.99")

    refund = _refund(order, quantity=1)
    assert refund.amount == Decimal("9.99")
    assert (refund.state, hook_calls["item_refunded"]) == ("pending", [])  # only the gateway's word counts

    _deliver_refund_notice(refund)

    item.refresh_from_db()
    refund.refresh_from_db()
    assert (item.refunded_quantity, item.refunded_amount, item.remaining_paid_amount) == (
        1,
        Decimal("9.99"),
        Decimal("20.00"),
    )
    assert (refund.state, refund.aftersale.state) == ("succeeded", "refunded")
    assert [(c["order_item"].pk, c["refund_amount"]) for c in hook_calls["item_refunded"]] == [
        (item.pk, Decimal("9.99"))
    ]
    assert hook_calls["item_refunded"][0]["order_item"].refunded_amount == Decimal("9.99")
    assert SandboxRefund.objects.get().amount_fen == 999


@pytest.mark.django_db
def test_refunding_every_unit_in_two_steps_returns_exactly_the_paid_amount_and_closes_the_order(hook_calls):
    order = _order_of_three(price="10.00", discount="0.01")

    _deliver_refund_notice(_refund(order, quantity=1))
    second = _refund(order, quantity=2)
    _deliver_refund_notice(second)

    item = OrderItem.objects.get(order=order)
    assert second.amount == Decimal("20.00")  # 9.99 + the last unit's 10.01
    assert (item.refunded_quantity, item.refunded_amount) == (3, Decimal("29.99"))
    assert [c["refund_amount"] for c in hook_calls["item_refunded"]] == [Decimal("9.99"), Decimal("20.00")]
    order.refresh_from_db()
    assert order.state == "cancelled"


@pytest.mark.django_db
def test_a_duplicate_refund_notice_changes_nothing_twice(hook_calls):
    order = _order_of_three()
    refund = _refund(order, quantity=1)

    _deliver_refund_notice(refund)
    _deliver_refund_notice(refund)

    item = order.items.get()
    assert (item.refunded_quantity, item.refunded_amount) == (1, Decimal("10.00"))
    assert len(hook_calls["item_refunded"]) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["10.01", "30.00", "-1", "0", "1.234", "abc"])
def test_asking_for_more_than_those_units_paid_is_refused_and_creates_nothing(amount, hook_calls):
    order = _order_of_three(price="10.00")
    item = order.items.get()

    with pytest.raises(RefundExceedsPaid):
        aftersale_request(
            user=order.user,
            order_item_id=item.pk,
            kind="refund_only",
            quantity=1,
            reason="不想要了",
            amount=amount,
        )

    assert not AfterSale.objects.exists()
    assert not Refund.objects.exists()
    assert OrderItem.objects.get(pk=item.pk).refunded_amount == Decimal("0.00")


@pytest.mark.django_db
@pytest.mark.parametrize("quantity", [0, 4, -1])
def test_asking_for_more_units_than_remain_is_refused(quantity):
    order = _order_of_three()

    with pytest.raises(AfterSaleQuantityInvalid):
        aftersale_request(
            user=order.user,
            order_item_id=order.items.get().pk,
            kind="refund_only",
            quantity=quantity,
            reason="不想要了",
        )

    assert not AfterSale.objects.exists()


@pytest.mark.django_db
def test_units_already_refunded_cannot_be_asked_for_again():
    order = _order_of_three()
    _deliver_refund_notice(_refund(order, quantity=2))
    item = order.items.get()

    with pytest.raises(AfterSaleQuantityInvalid):
        aftersale_request(user=order.user, order_item_id=item.pk, kind="refund_only", quantity=2, reason="x")

    assert refundable_amount(order_item=item, quantity=1) == Decimal("10.00")
    assert AfterSale.objects.count() == 1


@pytest.mark.django_db
def test_a_second_open_request_on_the_same_item_is_refused():
    order = _order_of_three()
    item = order.items.get()
    aftersale_request(user=order.user, order_item_id=item.pk, kind="refund_only", quantity=1, reason="x")

    with pytest.raises(AfterSaleAlreadyOpen):
        aftersale_request(user=order.user, order_item_id=item.pk, kind="refund_only", quantity=1, reason="y")

    assert AfterSale.objects.count() == 1


@pytest.mark.django_db
def test_no_request_once_the_window_has_passed_even_before_the_sweep_ran():
    order = _order_of_three()
    OrderItem.objects.filter(order=order).update(window_closes_at=order.received_at)

    with pytest.raises(AfterSaleWindowClosed):
        aftersale_request(
            user=order.user, order_item_id=order.items.get().pk, kind="refund_only", quantity=1, reason="x"
        )

    assert not AfterSale.objects.exists()


@pytest.mark.django_db
def test_no_request_on_a_completed_order():
    order = _order_of_three()
    orders_close_windows(now=order.received_at + timedelta(days=7))
    assert Order.objects.get(pk=order.pk).state == "completed"

    with pytest.raises(AfterSaleWindowClosed):
        aftersale_request(
            user=order.user, order_item_id=order.items.get().pk, kind="refund_only", quantity=1, reason="x"
        )

    assert not AfterSale.objects.exists()


@pytest.mark.django_db
def test_no_request_on_an_unpaid_order_and_no_return_before_shipping():
    unpaid = place_order()
    paid = _order_of_three(received=False)

    with pytest.raises(AfterSaleNotAllowed):
        aftersale_request(
            user=unpaid.user, order_item_id=unpaid.items.get().pk, kind="refund_only", quantity=1, reason="x"
        )
    with pytest.raises(AfterSaleNotAllowed):
        aftersale_request(
            user=paid.user,
            order_item_id=paid.items.get().pk,
            kind="return_and_refund",
            quantity=1,
            reason="x",
        )

    assert not AfterSale.objects.exists()


@pytest.mark.django_db
def test_refund_before_shipping_puts_the_units_back_on_sale():
    order = _order_of_three(received=False)
    sku_id = order.items.get().sku_id
    assert SKU.objects.get(pk=sku_id).stock == 7

    _deliver_refund_notice(_refund(order, quantity=1))

    assert SKU.objects.get(pk=sku_id).stock == 8


@pytest.mark.django_db
def test_refund_query_sweep_applies_a_refund_whose_notice_never_came(hook_calls):
    order = _order_of_three()
    refund = _refund(order, quantity=1)
    Refund.objects.filter(pk=refund.pk).update(created_at=refund.created_at - timedelta(minutes=5))

    assert refunds_reconcile() == 1

    refund.refresh_from_db()
    assert refund.state == "succeeded"
    assert [c["refund_amount"] for c in hook_calls["item_refunded"]] == [Decimal("10.00")]
    assert refunds_reconcile() == 0
