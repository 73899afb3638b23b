"""售后期外退款: staff refund units of an item after its after-sales window closed, through
the admin, the gateway and its signed notice; and every guard that refuses one."""

import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction

from mall.models import User
from orders.errors import (
    AfterWindowRefundForbidden,
    AfterWindowRefundNotAllowed,
    ReasonRequired,
    RefundExceedsPaid,
    RefundInFlight,
    RefundQuantityInvalid,
)
from orders.models import Order, OrderEvent, OrderItem, Refund
from orders.payments.sandbox.models import SandboxRefund
from orders.services.fulfilment import order_confirm_receipt, order_ship, orders_close_windows
from orders.services.refund_after_window import refund_after_window_create
from tests.mall.factories import SKUFactory, UserFactory
from tests.orders.factories import pay, place_order, post_refund_notice

pytestmark = pytest.mark.django_db


def staff(*perms: str) -> User:
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=perms))
    return User.objects.get(pk=user.pk)  # fresh permission cache


def refunder() -> User:
    return staff("view_order", "refund_after_window")


def completed_order(*, price: str = "10.00", quantity: int = 3) -> Order:
    """Paid, shipped, received, and the after-sales window closed by the sweep."""
    order = pay(place_order(lines=[(SKUFactory(price=Decimal(price), stock=10), quantity)]))
    order_ship(order=order, actor=None, carrier="顺丰", tracking_no="SF1")
    order_confirm_receipt(order=order, actor=order.user)
    orders_close_windows(now=Order.objects.get(pk=order.pk).received_at + timedelta(days=8))
    order.refresh_from_db()
    assert order.state == "completed"
    return order


def text(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def nothing_refunded(order: Order) -> tuple:
    item = order.items.get()
    return (
        Refund.objects.count(),
        SandboxRefund.objects.count(),
        item.refunded_quantity,
        item.refunded_amount,
    )


def test_staff_refund_after_the_window_from_the_order_page_then_the_notice_applies_it(client, hook_calls):
    order = completed_order()
    item = order.items.get()
    operator = refunder()
    client.force_login(operator)
    page = client.get(f"/admin/orders/order/{order.pk}/change/")
    assert f"/admin/orders/order/{order.pk}/refund-after-window/" in page.content.decode()
    assert "售后期外退款" in text(page)

    response = client.post(
        f"/admin/orders/order/{order.pk}/refund-after-window/",
        {"order_item": item.pk, "quantity": 1, "amount": "", "reason": "银行拒付（chargeback）"},
    )

    assert response.status_code == 302
    refund = Refund.objects.get()
    assert (refund.kind, refund.aftersale, refund.order_item_id, refund.quantity, refund.amount) == (
        "after_window",
        None,
        item.pk,
        1,
        Decimal("10.00"),
    )
    assert (refund.state, refund.reason, refund.requested_by_id) == (
        "pending",
        "银行拒付（chargeback）",
        operator.pk,
    )
    requested = OrderEvent.objects.get(order=order, kind="after_window_refund")
    assert (requested.actor_id, requested.message) == (
        operator.pk,
        f"{refund.refund_no} {item.product_title} × 1 ¥10.00",
    )
    assert SandboxRefund.objects.get().amount_fen == 1000  # the gateway was asked
    assert hook_calls["item_refunded"] == []  # only the gateway's word counts

    ack = post_refund_notice(client, refund)

    assert ack.status_code == 204
    refund.refresh_from_db()
    item.refresh_from_db()
    order.refresh_from_db()
    assert refund.state == "succeeded"
    assert (item.refunded_quantity, item.refunded_amount) == (1, Decimal("10.00"))
    assert [(c["order_item"].pk, c["refund_amount"]) for c in hook_calls["item_refunded"]] == [
        (item.pk, Decimal("10.00"))
    ]
    assert order.state == "completed"
    assert list(
        order.events.filter(kind__in=["after_window_refund", "refunded"]).values_list("kind", flat=True)
    ) == [
        "after_window_refund",
        "refunded",
    ]


def test_refunding_every_unit_after_the_window_keeps_the_order_completed(client, hook_calls):
    order = completed_order(price="10.00", quantity=2)
    item = order.items.get()

    refund = refund_after_window_create(
        order_item_id=item.pk, quantity=2, reason="商品召回", actor=refunder()
    )
    assert post_refund_notice(client, refund).status_code == 204

    item.refresh_from_db()
    assert (item.refunded_quantity, item.refunded_amount) == (2, Decimal("20.00"))
    assert Order.objects.get(pk=order.pk).state == "completed"
    assert [c["refund_amount"] for c in hook_calls["item_refunded"]] == [Decimal("20.00")]


def test_a_smaller_goodwill_amount_for_some_units_is_allowed(client):
    order = completed_order()
    item = order.items.get()

    refund = refund_after_window_create(
        order_item_id=item.pk, quantity=1, amount="3.50", reason="安抚补偿", actor=refunder()
    )
    post_refund_notice(client, refund)

    item.refresh_from_db()
    assert (refund.amount, item.refunded_quantity, item.refunded_amount) == (
        Decimal("3.50"),
        1,
        Decimal("3.50"),
    )


def test_no_refund_after_the_window_while_the_window_is_still_open():
    order = pay(place_order(lines=[(SKUFactory(price=Decimal("10.00"), stock=10), 3)]))
    order_ship(order=order, actor=None, carrier="顺丰", tracking_no="SF1")
    order_confirm_receipt(order=order, actor=order.user)

    with pytest.raises(AfterWindowRefundNotAllowed):
        refund_after_window_create(
            order_item_id=order.items.get().pk, quantity=1, reason="x", actor=refunder()
        )

    assert nothing_refunded(order) == (0, 0, 0, Decimal("0.00"))
    assert not OrderEvent.objects.filter(kind="after_window_refund").exists()


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"quantity": 0}, RefundQuantityInvalid),
        ({"quantity": 4}, RefundQuantityInvalid),
        ({"quantity": "1"}, RefundQuantityInvalid),
        ({"amount": "10.01"}, RefundExceedsPaid),
        ({"amount": "0"}, RefundExceedsPaid),
        ({"amount": "1.234"}, RefundExceedsPaid),
        ({"reason": "  "}, ReasonRequired),
    ],
)
def test_bad_requests_are_refused_and_change_nothing(changes, error):
    order = completed_order()
    request = {"order_item_id": order.items.get().pk, "quantity": 1, "reason": "商品召回", "amount": None}

    with pytest.raises(error):
        refund_after_window_create(**{**request, **changes}, actor=refunder())

    assert nothing_refunded(order) == (0, 0, 0, Decimal("0.00"))


def test_units_already_refunded_cannot_be_refunded_again(client):
    order = completed_order()
    item = order.items.get()
    post_refund_notice(
        client, refund_after_window_create(order_item_id=item.pk, quantity=2, reason="召回", actor=refunder())
    )

    with pytest.raises(RefundQuantityInvalid):
        refund_after_window_create(order_item_id=item.pk, quantity=2, reason="召回", actor=refunder())

    item.refresh_from_db()
    assert (Refund.objects.count(), item.refunded_quantity, item.refunded_amount) == (1, 2, Decimal("20.00"))


def test_only_staff_with_the_permission_may_refund_after_the_window(client):
    order = completed_order()
    item = order.items.get()
    superuser = UserFactory(is_staff=True, is_superuser=True)
    viewer = staff("view_order")

    inactive = refunder()
    inactive.is_active = False
    for actor in (viewer, UserFactory(), inactive):
        with pytest.raises(AfterWindowRefundForbidden):
            refund_after_window_create(order_item_id=item.pk, quantity=1, reason="x", actor=actor)
    client.force_login(viewer)
    page = client.get(f"/admin/orders/order/{order.pk}/change/")
    form = client.post(
        f"/admin/orders/order/{order.pk}/refund-after-window/",
        {"order_item": item.pk, "quantity": 1, "reason": "x"},
    )

    assert "refund-after-window" not in page.content.decode()
    assert form.status_code == 403
    assert nothing_refunded(order) == (0, 0, 0, Decimal("0.00"))
    assert (
        refund_after_window_create(order_item_id=item.pk, quantity=1, reason="x", actor=superuser).state
        == "pending"
    )


def test_one_refund_at_a_time_per_item(client):
    order = completed_order()
    item = order.items.get()
    operator = refunder()
    first = refund_after_window_create(order_item_id=item.pk, quantity=1, reason="召回", actor=operator)
    client.force_login(operator)

    with pytest.raises(RefundInFlight):
        refund_after_window_create(order_item_id=item.pk, quantity=1, reason="召回", actor=operator)
    from_admin = client.post(
        f"/admin/orders/order/{order.pk}/refund-after-window/",
        {"order_item": item.pk, "quantity": 1, "reason": "召回"},
        follow=True,
    )
    with pytest.raises(IntegrityError), transaction.atomic():  # the database says so too
        Refund.objects.create(
            order=order,
            order_item=item,
            kind="after_window",
            quantity=1,
            reason="召回",
            refund_no="R-DUPLICATE",
            provider="sandbox",
            amount=Decimal("10.00"),
        )

    assert "该商品已有一笔退款在处理中或处于退款异常，请先处理完毕。" in text(from_admin)
    assert list(Refund.objects.values_list("pk", flat=True)) == [first.pk]
    post_refund_notice(client, first)
    second = refund_after_window_create(order_item_id=item.pk, quantity=1, reason="召回", actor=operator)
    assert (second.state, second.refund_no) == ("pending", f"R{order.number}002")


def test_the_form_offers_only_the_items_whose_window_closed_and_that_have_units_left(client):
    order = completed_order()
    item = order.items.get()
    OrderItem.objects.filter(pk=item.pk).update(refunded_quantity=3, refunded_amount=Decimal("30.00"))
    client.force_login(refunder())

    page = client.get(f"/admin/orders/order/{order.pk}/change/")
    form = client.get(f"/admin/orders/order/{order.pk}/refund-after-window/")

    assert "refund-after-window" not in page.content.decode()
    assert list(form.context["form"].fields["order_item"].queryset) == []


def test_the_refund_pages_render_in_zh_hans_for_a_superuser(client):
    order = completed_order()
    refund = refund_after_window_create(
        order_item_id=order.items.get().pk, quantity=1, reason="商品召回", actor=refunder()
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    form = client.get(f"/admin/orders/order/{order.pk}/refund-after-window/")
    listing = client.get("/admin/orders/refund/")
    detail = client.get(f"/admin/orders/refund/{refund.pk}/change/")

    assert [r.status_code for r in (form, listing, detail)] == [200, 200, 200]
    assert f"售后期外退款：{order.number}" in text(form)
    assert "留空则退还这些件数实付的全部金额。" in text(form)
    assert "售后期外退款" in text(listing) and "重试所选退款异常" in text(listing)
    assert "商品召回" in text(detail)
