from decimal import Decimal

import pytest

from orders.models import AfterSale, Order, ShippingRule
from orders.services.aftersale import aftersale_request
from orders.services.fulfilment import order_confirm_receipt, order_ship
from tests.mall.factories import UserFactory
from tests.orders.factories import pay, place_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_order_list_filters_and_search_work(staff_client):
    order = place_order()

    response = staff_client.get("/admin/orders/order/", {"state": "pending_payment", "q": order.number})

    assert response.status_code == 200
    assert order.number in response.content.decode()


def test_staff_ship_a_paid_order_with_carrier_and_tracking_number(staff_client):
    order = pay(place_order())
    page = staff_client.get(f"/admin/orders/order/{order.pk}/change/")
    assert f"/admin/orders/order/{order.pk}/ship/" in page.content.decode()

    response = staff_client.post(
        f"/admin/orders/order/{order.pk}/ship/", {"carrier": "顺丰速运", "tracking_no": "SF1234567890"}
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.state, order.carrier, order.tracking_no) == ("shipped", "顺丰速运", "SF1234567890")
    assert order.events.filter(kind="shipped").get().actor.is_staff


def test_shipping_an_unpaid_order_shows_the_error_and_changes_nothing(staff_client):
    order = place_order()

    response = staff_client.post(
        f"/admin/orders/order/{order.pk}/ship/", {"carrier": "顺丰速运", "tracking_no": "1"}, follow=True
    )

    assert response.status_code == 200
    assert Order.objects.get(pk=order.pk).state == "pending_payment"
    assert next(iter(response.context["messages"])).level_tag == "error"


def test_staff_approve_then_refund_an_aftersale_from_its_page(staff_client):
    order = pay(place_order())
    order_ship(order=order, actor=None, carrier="顺丰", tracking_no="SF1")
    order_confirm_receipt(order=order, actor=order.user)
    aftersale = aftersale_request(
        user=order.user, order_item_id=order.items.get().pk, kind="refund_only", quantity=1, reason="破损"
    )
    assert (
        "/act/approve/"
        in staff_client.get(f"/admin/orders/aftersale/{aftersale.pk}/change/").content.decode()
    )

    staff_client.post(f"/admin/orders/aftersale/{aftersale.pk}/act/approve/")
    staff_client.post(f"/admin/orders/aftersale/{aftersale.pk}/act/refund/")

    aftersale.refresh_from_db()
    assert aftersale.state == "approved"
    assert aftersale.refunds.get().amount == Decimal("10.00")


def test_staff_reject_needs_a_reason(staff_client):
    order = pay(place_order())
    aftersale = aftersale_request(
        user=order.user, order_item_id=order.items.get().pk, kind="refund_only", quantity=1, reason="不想要了"
    )

    staff_client.post(f"/admin/orders/aftersale/{aftersale.pk}/act/reject/", {"reason": ""})
    assert AfterSale.objects.get(pk=aftersale.pk).state == "requested"
    staff_client.post(
        f"/admin/orders/aftersale/{aftersale.pk}/act/reject/", {"reason": "已发货，请收货后申请"}
    )

    aftersale.refresh_from_db()
    assert (aftersale.state, aftersale.reject_reason) == ("rejected", "已发货，请收货后申请")


def test_non_staff_cannot_reach_the_ship_page(client):
    order = pay(place_order())
    client.force_login(UserFactory())

    response = client.post(f"/admin/orders/order/{order.pk}/ship/",
                           {"carrier": "顺丰速运", "tracking_no": "1"})

    assert response.status_code == 302  # to the admin login
    assert Order.objects.get(pk=order.pk).state == "paid"


def test_shipping_rule_admin_edits_the_singleton(staff_client):
    assert staff_client.get("/admin/orders/shippingrule/").status_code == 302

    response = staff_client.post(
        "/admin/orders/shippingrule/1/change/",
        {"flat_fee": "8.00", "free_over": "", "aftersale_window_days": "15"},
    )

    assert response.status_code == 302
    rule = ShippingRule.objects.get()
    assert (rule.flat_fee, rule.free_over, rule.aftersale_window_days) == (Decimal("8.00"), None, 15)


def test_shipping_rule_admin_refuses_a_window_above_30_days(staff_client):
    staff_client.get("/admin/orders/shippingrule/")

    response = staff_client.post(
        "/admin/orders/shippingrule/1/change/",
        {"flat_fee": "8.00", "free_over": "", "aftersale_window_days": "31"},
    )

    assert response.status_code == 200  # the form again, with the error
    assert ShippingRule.objects.get().aftersale_window_days == 7
