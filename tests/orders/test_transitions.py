"""Every order and after-sale transition: the legal ones move and log, the illegal ones
raise a clear domain error and change nothing."""

import pytest

from orders.errors import (
    AfterSaleNotAllowed,
    AfterSaleNotFound,
    AfterSaleTransitionInvalid,
    OrderNotPayable,
    OrderTransitionInvalid,
    ReasonRequired,
    TrackingRequired,
)
from orders.models import AfterSale, Order, OrderEvent
from orders.services.aftersale import (
    aftersale_approve,
    aftersale_buyer_ship,
    aftersale_confirm_received,
    aftersale_reject,
    aftersale_request,
    aftersale_withdraw,
)
from orders.services.fulfilment import order_cancel, order_confirm_receipt, order_ship
from orders.services.payment import payment_start
from orders.services.refund import aftersale_refund
from tests.mall.factories import UserFactory
from tests.orders.factories import pay, place_order

pytestmark = pytest.mark.django_db


def _state(order: Order) -> tuple[str, list[str]]:
    return (
        Order.objects.get(pk=order.pk).state,
        list(OrderEvent.objects.filter(order=order).values_list("kind", flat=True)),
    )


def _paid() -> Order:
    return pay(place_order())


def _shipped() -> Order:
    order = _paid()
    return order_ship(order=order, actor=None, carrier="顺丰", tracking_no="SF1")


def _received() -> Order:
    order = _shipped()
    return order_confirm_receipt(order=order, actor=order.user)


def test_the_happy_path_moves_through_every_state_and_logs_each_step():
    order = _received()

    assert _state(order) == ("received", ["created", "payment_started", "paid", "shipped", "received"])
    order.refresh_from_db()
    assert (order.carrier, order.tracking_no) == ("顺丰", "SF1")
    assert order.paid_at and order.shipped_at and order.received_at


def test_cancel_a_pending_order():
    order = place_order()

    order_cancel(order=order, actor=order.user)

    order.refresh_from_db()
    assert (order.state, order.cancel_reason) == ("cancelled", "买家取消。")
    assert order.cancelled_at is not None


@pytest.mark.parametrize(
    ("make", "act"),
    [
        (place_order, lambda o: order_ship(order=o, actor=None, carrier="顺丰", tracking_no="SF1")),
        (place_order, lambda o: order_confirm_receipt(order=o, actor=None)),
        (_paid, lambda o: order_cancel(order=o, actor=None)),
        (_paid, lambda o: order_confirm_receipt(order=o, actor=None)),
        (_shipped, lambda o: order_ship(order=o, actor=None, carrier="顺丰", tracking_no="SF2")),
        (_shipped, lambda o: order_cancel(order=o, actor=None)),
        (_received, lambda o: order_confirm_receipt(order=o, actor=None)),
        (_received, lambda o: order_ship(order=o, actor=None, carrier="顺丰", tracking_no="SF2")),
    ],
)
def test_illegal_order_transitions_are_refused_and_change_nothing(make, act):
    order = make()
    before = _state(order)

    with pytest.raises(OrderTransitionInvalid) as caught:
        act(Order.objects.get(pk=order.pk))

    assert caught.value.status == 409
    assert "不能变为" in str(caught.value.message)  # zh-hans is the default language
    assert _state(order) == before


def test_a_cancelled_order_cannot_be_paid_or_shipped():
    order = place_order()
    order_cancel(order=order, actor=None)
    before = _state(order)

    with pytest.raises(OrderNotPayable):
        payment_start(order=order)
    with pytest.raises(OrderTransitionInvalid):
        order_ship(order=order, actor=None, carrier="顺丰", tracking_no="SF1")

    assert _state(order) == before


def test_shipping_needs_carrier_and_tracking_number():
    order = _paid()

    with pytest.raises(TrackingRequired):
        order_ship(order=order, actor=None, carrier=" ", tracking_no="SF1")

    assert _state(order)[0] == "paid"


# --- after-sales ----------------------------------------------------------------------


def _request(order: Order, kind: str = "refund_only") -> AfterSale:
    return aftersale_request(
        user=order.user, order_item_id=order.items.get().pk, kind=kind, quantity=1, reason="尺码不合适"
    )


def _as_state(aftersale: AfterSale) -> str:
    return AfterSale.objects.get(pk=aftersale.pk).state


def test_return_and_refund_goes_requested_approved_shipped_back_received_back(platform_return_address):
    order = _received()
    aftersale = _request(order, "return_and_refund")

    aftersale_approve(aftersale=aftersale, actor=None)
    aftersale_buyer_ship(aftersale=aftersale, user=order.user, carrier="中通", tracking_no="ZT9")
    aftersale_confirm_received(aftersale=aftersale, actor=None)
    refund = aftersale_refund(aftersale=aftersale, actor=None)

    aftersale.refresh_from_db()
    assert (aftersale.state, aftersale.return_carrier, aftersale.return_tracking_no) == (
        "received_back",
        "中通",
        "ZT9",
    )
    assert refund.state == "pending"
    assert _state(order)[1][-5:] == [
        "aftersale_requested",
        "aftersale_approved",
        "aftersale_buyer_shipped",
        "aftersale_received_back",
        "refund_requested",
    ]


def test_reject_needs_a_reason_and_records_it():
    aftersale = _request(_received())

    with pytest.raises(ReasonRequired):
        aftersale_reject(aftersale=aftersale, actor=None, reason=" ")
    assert _as_state(aftersale) == "requested"

    aftersale_reject(aftersale=aftersale, actor=None, reason="已超出质保范围")
    aftersale.refresh_from_db()
    assert (aftersale.state, aftersale.reject_reason) == ("rejected", "已超出质保范围")


def test_withdraw_by_the_shopper_only():
    order = _received()
    aftersale = _request(order)

    with pytest.raises(AfterSaleNotFound):
        aftersale_withdraw(aftersale=aftersale, user=UserFactory())
    assert _as_state(aftersale) == "requested"

    aftersale_withdraw(aftersale=aftersale, user=order.user)
    assert _as_state(aftersale) == "withdrawn"


def test_withdraw_is_refused_while_a_refund_is_under_way():
    order = _received()
    aftersale = _request(order)
    aftersale_approve(aftersale=aftersale, actor=None)
    aftersale_refund(aftersale=aftersale, actor=None)

    with pytest.raises(AfterSaleNotAllowed):
        aftersale_withdraw(aftersale=aftersale, user=order.user)

    assert _as_state(aftersale) == "approved"


@pytest.mark.parametrize(
    ("kind", "steps", "act"),
    [
        ("refund_only", [], lambda a, u: aftersale_confirm_received(aftersale=a, actor=None)),
        ("refund_only", [], lambda a, u: aftersale_refund(aftersale=a, actor=None)),
        ("refund_only", ["approve"], lambda a, u: aftersale_approve(aftersale=a, actor=None)),
        (
            "refund_only",
            ["approve"],
            lambda a, u: aftersale_buyer_ship(aftersale=a, user=u, carrier="中通", tracking_no="1"),
        ),
        ("refund_only", ["approve"], lambda a, u: aftersale_reject(aftersale=a, actor=None, reason="x")),
        ("return_and_refund", ["approve"], lambda a, u: aftersale_refund(aftersale=a, actor=None)),
        ("return_and_refund", ["approve"], lambda a, u: aftersale_confirm_received(aftersale=a, actor=None)),
        ("refund_only", ["reject"], lambda a, u: aftersale_approve(aftersale=a, actor=None)),
        ("refund_only", ["withdraw"], lambda a, u: aftersale_approve(aftersale=a, actor=None)),
    ],
)
def test_illegal_aftersale_transitions_are_refused_and_change_nothing(
    kind, steps, act, platform_return_address
):
    order = _received()
    aftersale = _request(order, kind)
    for step in steps:
        {
            "approve": lambda: aftersale_approve(aftersale=aftersale, actor=None),
            "reject": lambda: aftersale_reject(aftersale=aftersale, actor=None, reason="不符合"),
            "withdraw": lambda: aftersale_withdraw(aftersale=aftersale, user=order.user),
        }[step]()
    before = (_as_state(aftersale), _state(order), aftersale.refunds.count())

    with pytest.raises(AfterSaleTransitionInvalid):
        act(AfterSale.objects.get(pk=aftersale.pk), order.user)

    assert (_as_state(aftersale), _state(order), aftersale.refunds.count()) == before
