from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from mall.models import SKU
from orders.models import Order, OrderEvent, OrderItem, Payment
from orders.payments.sandbox.models import SandboxTrade
from orders.services.aftersale import aftersale_request
from orders.services.fulfilment import (
    order_confirm_receipt,
    order_ship,
    orders_auto_receive,
    orders_cancel_expired,
    orders_close_windows,
)
from orders.services.payment import payment_start, payments_reconcile
from tests.concurrency import run_parallel
from tests.mall.factories import SKUFactory
from tests.orders.factories import open_and_pay_at_cashier, pay, place_order


def _run_twice_at_once(sweep, **kwargs) -> list[int]:
    return run_parallel(2, lambda _: sweep(**kwargs))


# --- unpaid orders ------------------------------------------------------------------


@pytest.mark.django_db
def test_unpaid_sweep_cancels_only_orders_past_their_deadline_and_releases_their_stock():
    sku = SKUFactory(stock=10)
    late, fresh = place_order(lines=[(sku, 3)]), place_order(lines=[(sku, 2)])
    Order.objects.filter(pk=late.pk).update(payment_deadline=timezone.now() - timedelta(seconds=1))

    cancelled = orders_cancel_expired()

    assert cancelled == 1
    assert dict(Order.objects.values_list("pk", "state")) == {
        late.pk: "cancelled",
        fresh.pk: "pending_payment",
    }
    assert SKU.objects.get(pk=sku.pk).stock == 8
    assert list(OrderEvent.objects.filter(order=late).values_list("kind", "actor")) == [
        ("created", late.user_id),
        ("cancelled", None),
    ]
    assert orders_cancel_expired() == 0
    assert SKU.objects.get(pk=sku.pk).stock == 8


@pytest.mark.django_db
def test_unpaid_sweep_records_a_payment_made_at_the_last_second_instead_of_cancelling(hook_calls):
    sku = SKUFactory(stock=10)
    order = place_order(lines=[(sku, 1)])
    open_and_pay_at_cashier(order)  # paid at the provider; the notice has not arrived
    Order.objects.filter(pk=order.pk).update(payment_deadline=timezone.now() - timedelta(seconds=1))

    assert orders_cancel_expired() == 0

    order.refresh_from_db()
    assert order.state == "paid"
    assert Payment.objects.get(order=order).source == "query"
    assert len(hook_calls["order_paid"]) == 1
    assert SKU.objects.get(pk=sku.pk).stock == 9


@pytest.mark.django_db
def test_cancelling_closes_the_trade_at_the_gateway_so_it_can_no_longer_be_paid():
    order = place_order()
    payment_start(order=order)  # the shopper opened the cashier but never paid
    Order.objects.filter(pk=order.pk).update(payment_deadline=timezone.now() - timedelta(seconds=1))

    assert orders_cancel_expired() == 1

    assert SandboxTrade.objects.get(out_trade_no=order.number).state == "CLOSED"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_unpaid_sweep_run_twice_at_once_cancels_each_order_once_and_releases_stock_once():
    sku = SKUFactory(stock=20)
    orders = [place_order(lines=[(sku, 2)]) for _ in range(5)]
    Order.objects.update(payment_deadline=timezone.now() - timedelta(seconds=1))
    assert SKU.objects.get(pk=sku.pk).stock == 10

    results = _run_twice_at_once(orders_cancel_expired)

    assert sorted(results) in ([0, 5], [1, 4], [2, 3])  # split between the two, never doubled
    assert sum(results) == 5
    assert set(Order.objects.values_list("state", flat=True)) == {"cancelled"}
    assert SKU.objects.get(pk=sku.pk).stock == 20
    for order in orders:
        assert OrderEvent.objects.filter(order=order, kind="cancelled").count() == 1


# --- auto-receipt -------------------------------------------------------------------


def _shipped_order(days_ago: int) -> Order:
    order = pay(place_order())
    order_ship(order=order, actor=None, carrier="顺丰", tracking_no="SF100")
    Order.objects.filter(pk=order.pk).update(shipped_at=timezone.now() - timedelta(days=days_ago))
    return order


@pytest.mark.django_db
def test_auto_receipt_confirms_orders_shipped_ten_days_ago_and_opens_their_windows():
    old, recent = _shipped_order(days_ago=10), _shipped_order(days_ago=9)

    assert orders_auto_receive() == 1

    old.refresh_from_db()
    assert (old.state, Order.objects.get(pk=recent.pk).state) == ("received", "shipped")
    item = old.items.get()
    assert item.window_closes_at == old.received_at + timedelta(days=7)
    assert orders_auto_receive() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_auto_receipt_run_twice_at_once_receives_each_order_once():
    orders = [_shipped_order(days_ago=11) for _ in range(4)]

    results = _run_twice_at_once(orders_auto_receive)

    assert sum(results) == 4
    assert set(Order.objects.values_list("state", flat=True)) == {"received"}
    for order in orders:
        assert OrderEvent.objects.filter(order=order, kind="received").count() == 1


# --- after-sales windows and completion ------------------------------------------------


def _received_order(lines=None) -> Order:
    order = pay(place_order(lines=lines))
    order_ship(order=order, actor=None, carrier="顺丰", tracking_no="SF100")
    return order_confirm_receipt(order=order, actor=order.user)


def _closed_at(order: Order) -> dict[int, object]:
    return dict(order.items.values_list("pk", "window_closed_at"))


def _window_events(order: Order) -> int:
    return OrderEvent.objects.filter(order=order, kind="item_window_closed").count()


@pytest.mark.django_db
def test_window_sweep_closes_items_after_seven_days_once_and_completes_the_order():
    order = _received_order(lines=[(SKUFactory(stock=5), 1), (SKUFactory(stock=5), 2)])
    later = order.received_at + timedelta(days=7)

    assert orders_close_windows(now=later - timedelta(seconds=1)) == 0
    assert set(_closed_at(order).values()) == {None}
    assert orders_close_windows(now=later) == 2

    order.refresh_from_db()
    assert order.state == "completed"
    assert set(_closed_at(order).values()) == {later}  # what distribution's settlement sweep polls
    assert orders_close_windows(now=later + timedelta(days=1)) == 0
    assert set(_closed_at(order).values()) == {later}
    assert _window_events(order) == 2


@pytest.mark.django_db
def test_an_open_aftersale_holds_its_items_window_open_and_the_order_uncompleted():
    order = _received_order(lines=[(SKUFactory(stock=5), 1), (SKUFactory(stock=5), 1)])
    held, free = order.items.order_by("pk")
    aftersale_request(user=order.user, order_item_id=held.pk, kind="refund_only", quantity=1, reason="破损")
    later = order.received_at + timedelta(days=8)

    assert orders_close_windows(now=later) == 1

    order.refresh_from_db()
    assert order.state == "received"
    assert _closed_at(order) == {held.pk: None, free.pk: later}
    assert _window_events(order) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_window_sweep_run_twice_at_once_closes_each_item_once():
    orders = [_received_order() for _ in range(3)]
    later = timezone.now() + timedelta(days=8)

    results = _run_twice_at_once(orders_close_windows, now=later)

    assert sum(results) == 3
    assert OrderEvent.objects.filter(kind="item_window_closed").count() == 3
    assert OrderItem.objects.filter(window_closed_at=later).count() == 3
    assert set(Order.objects.values_list("state", flat=True)) == {"completed"}
    for order in orders:
        assert OrderEvent.objects.filter(order=order, kind="completed").count() == 1


# --- payment query sweep ------------------------------------------------------------


@pytest.mark.django_db
def test_payment_query_sweep_records_payments_whose_notice_never_came(hook_calls):
    silent = place_order()
    open_and_pay_at_cashier(silent)
    unpaid = place_order()
    payment_start(order=unpaid)
    Order.objects.update(payment_started_at=timezone.now() - timedelta(minutes=3))

    assert payments_reconcile() == 1

    assert dict(Order.objects.values_list("pk", "state")) == {silent.pk: "paid", unpaid.pk: "pending_payment"}
    assert Payment.objects.get().amount == Decimal("20.00")
    assert len(hook_calls["order_paid"]) == 1
    assert payments_reconcile() == 0
