"""/api/v1/ for the mini-program: cart, addresses, checkout, orders, after-sales (token auth)."""

from decimal import Decimal

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from common.api import WEB_SERVER_ANSWERS
from mall.models import SKU
from orders.models import Address, AfterSale, CartItem, Order, OrderEvent, OrderItem, Payment, Refund
from orders.payments.sandbox.models import SandboxTrade
from orders.services.aftersale import aftersale_approve, aftersale_request
from orders.services.cart import cart_add
from orders.services.fulfilment import order_confirm_receipt, order_ship
from tests.mall.factories import ShopFactory, SKUFactory, UserFactory
from tests.orders.factories import AddressFactory, pay, place_order

pytestmark = pytest.mark.django_db
API = "/api/v1"


def api_client(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def member():
    return UserFactory()


@pytest.fixture
def client(member) -> APIClient:
    return api_client(member)


# --- cart ----------------------------------------------------------------------------------


def test_cart_add_list_change_and_remove(client, member):
    sku = SKUFactory(price=Decimal("12.50"), stock=5, product__title="手冲咖啡豆", specs={"烘焙": "中深"})

    added = client.post(f"{API}/cart/items/", {"sku_id": sku.pk, "quantity": 2}, format="json")
    changed = client.patch(f"{API}/cart/items/{sku.pk}/", {"quantity": 4}, format="json")
    removed = client.delete(f"{API}/cart/items/{sku.pk}/")

    assert added.status_code == 201
    assert added.json() == {
        "lines": [{
            "sku_id": sku.pk, "product_id": sku.product_id, "title": "手冲咖啡豆", "spec_text": sku.spec_text,
            "specs": {"烘焙": "中深"}, "price": "12.50", "stock": 5, "quantity": 2, "line_amount": "25.00",
            "image": None, "problem": "", "can_buy": True,
        }],
        "subtotal": "25.00", "shipping_fee": "10.00", "total": "35.00",
    }  # fmt: skip
    assert (changed.status_code, changed.json()["subtotal"]) == (200, "50.00")
    assert removed.status_code == 204
    assert not CartItem.objects.filter(user=member).exists()


def test_cart_add_over_the_stock_is_refused_with_the_code_and_changes_nothing(client, member):
    sku = SKUFactory(stock=2, product__title="保温杯")
    cart_add(user=member, sku_id=sku.pk, quantity=1)

    response = client.post(f"{API}/cart/items/", {"sku_id": sku.pk, "quantity": 2}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "code": "insufficient_stock",
        "detail": "Insufficient stock (库存不足): 保温杯, only 2 left.",
    }
    assert CartItem.objects.get(user=member).quantity == 1


def test_cart_of_an_unknown_sku_is_404_and_the_cart_stays_empty(client, member):
    response = client.post(f"{API}/cart/items/", {"sku_id": 999999}, format="json")

    assert (response.status_code, response.json()["code"]) == (404, "sku_not_found")
    assert not CartItem.objects.filter(user=member).exists()


def test_the_api_needs_a_token():
    response = api_client().get(f"{API}/cart/items/")

    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")


# --- addresses -----------------------------------------------------------------------------

ADDRESS = {
    "receiver": "李雷", "phone": "+86 139-1234-5678", "province": "广东省", "city": "深圳市",
    "district": "南山区", "detail": "科技园 1 号",
}  # fmt: skip


def test_address_create_update_set_default_and_delete(client, member):
    first = client.post(f"{API}/addresses/", ADDRESS, format="json").json()
    second = client.post(f"{API}/addresses/", {**ADDRESS, "receiver": "韩梅梅"}, format="json").json()

    updated = client.put(
        f"{API}/addresses/{second['id']}/", {**ADDRESS, "detail": "科技园 2 号"}, format="json"
    )
    made_default = client.post(f"{API}/addresses/{second['id']}/default/")
    deleted = client.delete(f"{API}/addresses/{first['id']}/")

    assert first == {
        "id": first["id"], "receiver": "李雷", "phone": "13912345678", "province": "广东省", "city": "深圳市",
        "district": "南山区", "detail": "科技园 1 号", "full_text": "广东省深圳市南山区科技园 1 号",
        "is_default": True,
    }  # fmt: skip
    assert (second["is_default"], updated.json()["detail"], updated.json()["is_default"]) == (
        False,
        "科技园 2 号",
        False,
    )
    assert made_default.json()["is_default"] is True
    assert deleted.status_code == 204
    assert list(client.get(f"{API}/addresses/").json()) == [{**made_default.json()}]


def test_an_invalid_address_is_refused_and_nothing_is_saved(client, member):
    response = client.post(f"{API}/addresses/", {**ADDRESS, "phone": "12345"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "address_invalid"
    assert not Address.objects.filter(user=member).exists()


@pytest.mark.parametrize("method", ["get", "put", "delete", "default"])
def test_another_members_address_is_404_and_unchanged(client, method):
    theirs = AddressFactory(receiver="别人")
    url = f"{API}/addresses/{theirs.pk}/"

    if method == "default":
        response = client.post(f"{url}default/")
    else:
        response = getattr(client, method)(url, ADDRESS, format="json")

    assert response.status_code == 404
    assert response.json() == {"code": "address_not_found", "detail": "This address does not exist."}
    theirs.refresh_from_db()
    assert (theirs.receiver, theirs.is_default) == ("别人", True)


# --- checkout and orders -----------------------------------------------------------------


def test_checkout_preview_prices_the_lines_with_shipping_and_flags_problems(client, member):
    address = AddressFactory(user=member)
    ok = SKUFactory(price=Decimal("20.00"), stock=5)
    short = SKUFactory(price=Decimal("30.00"), stock=1, product__title="保温杯")

    response = client.post(
        f"{API}/checkout/preview/",
        {"lines": [{"sku_id": ok.pk, "quantity": 2}, {"sku_id": short.pk, "quantity": 2}]},
        format="json",
    )

    data = response.json()
    assert response.status_code == 200
    assert (data["subtotal"], data["shipping_fee"], data["total_amount"]) == ("100.00", "0.00", "100.00")
    assert data["address"]["id"] == address.pk
    assert data["problems"] == ["Insufficient stock (库存不足): 保温杯, only 1 left."]
    assert data["can_submit"] is False
    assert [line["problem"] for line in data["lines"]] == ["", data["problems"][0]]


def test_place_an_order_reserves_stock_and_returns_it_with_its_timeline(client, member):
    address = AddressFactory(user=member)
    shop = ShopFactory()
    sku = SKUFactory(price=Decimal("45.00"), stock=5)
    cart_add(user=member, sku_id=sku.pk, quantity=1)

    response = client.post(
        f"{API}/orders/",
        {
            "lines": [{"sku_id": sku.pk, "quantity": 1}],
            "address_id": address.pk,
            "note": "放门口",
            "from_cart": True,
            "shop_id": shop.pk,
        },
        format="json",
    )

    order = Order.objects.get()
    data = response.json()
    assert response.status_code == 201
    assert (data["number"], data["state"], data["state_display"]) == (
        order.number,
        "pending_payment",
        "To pay",
    )
    assert (data["subtotal"], data["shipping_fee"], data["total_amount"]) == ("45.00", "10.00", "55.00")
    assert data["address"] == {
        "receiver": "王小明",
        "phone": "138****8000",
        "province": "浙江省",
        "city": "杭州市",
        "district": "西湖区",
        "detail": "文三路 100 号",
    }
    assert [e["kind"] for e in data["timeline"]] == ["created"]
    assert (order.shop, order.note) == (shop, "放门口")
    assert SKU.objects.get(pk=sku.pk).stock == 4
    assert not CartItem.objects.filter(user=member).exists()


def test_an_idempotency_key_makes_a_retried_order_request_return_the_first_order(client, member):
    address = AddressFactory(user=member)
    sku = SKUFactory(price=Decimal("45.00"), stock=5)
    body = {"lines": [{"sku_id": sku.pk, "quantity": 1}], "address_id": address.pk}

    first = client.post(f"{API}/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="mp-req-00000001")
    again = client.post(f"{API}/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="mp-req-00000001")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["number"] == first.json()["number"]
    assert Order.objects.count() == 1
    assert SKU.objects.get(pk=sku.pk).stock == 4


def test_an_order_short_of_stock_is_refused_and_creates_nothing(client, member):
    address = AddressFactory(user=member)
    sku = SKUFactory(stock=1, product__title="保温杯")

    response = client.post(
        f"{API}/orders/",
        {"lines": [{"sku_id": sku.pk, "quantity": 2}], "address_id": address.pk},
        format="json",
    )

    assert response.status_code == 409
    assert response.json() == {
        "code": "insufficient_stock",
        "detail": "Insufficient stock (库存不足): 保温杯, only 1 left.",
    }
    assert not Order.objects.exists()
    assert SKU.objects.get(pk=sku.pk).stock == 1


def test_an_order_to_another_members_address_is_404_and_changes_nothing(client):
    sku, theirs = SKUFactory(stock=5), AddressFactory(receiver="别人")

    response = client.post(
        f"{API}/orders/",
        {"lines": [{"sku_id": sku.pk, "quantity": 1}], "address_id": theirs.pk},
        format="json",
    )

    assert (response.status_code, response.json()["code"]) == (404, "address_not_found")
    assert not Order.objects.exists()
    assert SKU.objects.get(pk=sku.pk).stock == 5
    theirs.refresh_from_db()
    assert (theirs.receiver, theirs.is_default) == ("别人", True)


def test_list_by_tab_with_counts_in_a_bounded_number_of_queries(
    client, member, django_assert_max_num_queries
):
    address = AddressFactory(user=member)
    unpaid = [
        place_order(user=member, address=address, lines=[(SKUFactory(), 1), (SKUFactory(), 2)])
        for _ in range(6)
    ]
    paid = pay(place_order(user=member, address=address))

    # token, count, orders, items, products, images, after-sales
    with django_assert_max_num_queries(7):
        listed = client.get(f"{API}/orders/", {"tab": "pending_payment"})
    counts = client.get(f"{API}/orders/counts/")

    assert listed.json()["count"] == 6
    assert [o["number"] for o in listed.json()["results"]] == [o.number for o in reversed(unpaid)]
    assert listed.json()["results"][0]["item_count"] == 3
    assert client.get(f"{API}/orders/", {"tab": "to_ship"}).json()["results"][0]["number"] == paid.number
    assert counts.json() == {
        "pending_payment": 6,
        "to_ship": 1,
        "to_receive": 0,
        "completed": 0,
        "aftersales": 0,
    }


def test_an_unknown_tab_is_a_validation_error(client):
    response = client.get(f"{API}/orders/", {"tab": "nope"})

    assert (response.status_code, response.json()["code"]) == (400, "invalid")


@pytest.mark.parametrize("action", ["", "pay/", "cancel/", "confirm-receipt/"])
def test_another_members_order_is_404_with_the_error_shape_and_unchanged(client, action):
    theirs = place_order()

    url = f"{API}/orders/{theirs.number}/{action}"
    response = client.post(url) if action else client.get(url)

    assert response.status_code == 404
    assert response.json() == {"code": "order_not_found", "detail": "This order does not exist."}
    theirs.refresh_from_db()
    assert (theirs.state, theirs.payment_started_at) == ("pending_payment", None)


def test_pay_returns_the_absolute_cashier_url_and_cancel_gives_the_stock_back(client, member):
    sku = SKUFactory(stock=10)
    order = place_order(user=member, lines=[(sku, 4)])

    paid = client.post(f"{API}/orders/{order.number}/pay/")
    cancelled = client.post(f"{API}/orders/{order.number}/cancel/")

    trade = SandboxTrade.objects.get()
    assert paid.json() == {"cashier_url": f"http://testserver/pay/sandbox/{trade.token}/"}
    assert trade.return_url == f"/orders/{order.number}/?from=cashier"
    assert (cancelled.status_code, cancelled.json()["state"]) == (200, "cancelled")
    assert SKU.objects.get(pk=sku.pk).stock == 10


def test_confirm_receipt_only_after_shipping(client, member):
    order = pay(place_order(user=member))

    early = client.post(f"{API}/orders/{order.number}/confirm-receipt/")
    order.refresh_from_db()
    assert (order.state, order.received_at) == ("paid", None)  # the refusal changed nothing
    assert not OrderEvent.objects.filter(order=order, kind="received").exists()
    order_ship(order=order, actor=None, carrier="顺丰", tracking_no="SF1")
    confirmed = client.post(f"{API}/orders/{order.number}/confirm-receipt/")

    assert (early.status_code, early.json()["code"]) == (409, "order_transition_invalid")
    assert confirmed.json()["state"] == "received"
    assert [e["kind"] for e in confirmed.json()["timeline"]][-2:] == ["shipped", "received"]
    assert confirmed.json()["items"][0]["aftersale"] == {
        "kinds": ["refund_only", "return_and_refund"],
        "max_quantity": 1,
        "max_amount": "10.00",
        "has_open": False,
    }


def test_a_paid_order_cannot_be_paid_again(client, member):
    order = pay(place_order(user=member))
    events = list(OrderEvent.objects.filter(order=order).values_list("kind", flat=True))

    response = client.post(f"{API}/orders/{order.number}/pay/")

    assert (response.status_code, response.json()["code"]) == (409, "order_not_payable")
    assert Order.objects.get(pk=order.pk).state == "paid"
    assert Payment.objects.filter(order=order).count() == SandboxTrade.objects.count() == 1
    assert list(OrderEvent.objects.filter(order=order).values_list("kind", flat=True)) == events


# --- after-sales ---------------------------------------------------------------------------


def received(user, quantity=3):
    address = Address.objects.filter(user=user, is_default=True).first() or AddressFactory(user=user)
    sku = SKUFactory(price=Decimal("10.00"), stock=10)
    order = pay(place_order(user=user, address=address, lines=[(sku, quantity)]))
    order_ship(order=order, actor=None, carrier="顺丰", tracking_no="SF1")
    return order_confirm_receipt(order=order, actor=user)


def test_request_list_detail_and_withdraw_an_aftersale(client, member):
    order = received(member)
    item = order.items.get()

    created = client.post(
        f"{API}/orders/{order.number}/items/{item.pk}/aftersales/",
        {"kind": "refund_only", "quantity": 2, "reason": "商品破损"},
        format="json",
    )
    listed = client.get(f"{API}/aftersales/")
    withdrawn = client.post(f"{API}/aftersales/{created.json()['id']}/withdraw/")

    data = created.json()
    assert created.status_code == 201
    assert (
        data["order_number"],
        data["order_item_id"],
        data["kind"],
        data["state"],
        data["quantity"],
        data["amount"],
        data["refund"],
    ) == (order.number, item.pk, "refund_only", "requested", 2, "20.00", None)
    assert [a["id"] for a in listed.json()["results"]] == [data["id"]]
    assert (withdrawn.json()["state"], withdrawn.json()["state_display"]) == ("withdrawn", "Withdrawn")


def test_asking_back_more_than_was_paid_is_refused_and_nothing_is_created(client, member):
    order = received(member)

    response = client.post(
        f"{API}/orders/{order.number}/items/{order.items.get().pk}/aftersales/",
        {"kind": "refund_only", "quantity": 1, "reason": "商品破损", "amount": "10.01"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "refund_exceeds_paid",
        "detail": "The refund cannot be more than was paid for these units.",
    }
    assert not AfterSale.objects.exists()
    assert not Refund.objects.exists()
    assert not OrderEvent.objects.filter(order=order, kind="aftersale_requested").exists()
    item = OrderItem.objects.get(order=order)
    assert (item.refunded_quantity, item.refunded_amount) == (0, Decimal("0.00"))


def test_an_item_of_another_order_is_404(client, member):
    mine = received(member)
    other = received(member)

    response = client.post(
        f"{API}/orders/{mine.number}/items/{other.items.get().pk}/aftersales/",
        {"kind": "refund_only", "quantity": 1, "reason": "商品破损"},
        format="json",
    )

    assert (response.status_code, response.json()["code"]) == (404, "order_item_not_found")
    assert not AfterSale.objects.exists()
    assert not OrderEvent.objects.filter(kind="aftersale_requested").exists()


def test_ship_back_an_approved_return(client, member, platform_return_address):
    order = received(member)
    aftersale = aftersale_request(
        user=member,
        order_item_id=order.items.get().pk,
        kind="return_and_refund",
        quantity=1,
        reason="质量问题",
    )
    aftersale_approve(aftersale=aftersale, actor=None)

    missing = client.post(f"{API}/aftersales/{aftersale.pk}/ship-back/", {"carrier": "顺丰"}, format="json")
    aftersale.refresh_from_db()
    assert (aftersale.state, aftersale.return_carrier, aftersale.return_tracking_no) == ("approved", "", "")
    shipped = client.post(
        f"{API}/aftersales/{aftersale.pk}/ship-back/",
        {"carrier": "顺丰", "tracking_no": "SF9"},
        format="json",
    )

    assert (missing.status_code, missing.json()["code"]) == (400, "invalid")
    assert (shipped.json()["state"], shipped.json()["return_tracking_no"]) == ("buyer_shipped", "SF9")


@pytest.mark.parametrize("action", ["", "withdraw/", "ship-back/"])
def test_another_members_aftersale_is_404_and_unchanged(client, action):
    owner = UserFactory()
    order = received(owner)
    aftersale = aftersale_request(
        user=owner, order_item_id=order.items.get().pk, kind="refund_only", quantity=1, reason="不想要了"
    )

    url = f"{API}/aftersales/{aftersale.pk}/{action}"
    response = (
        client.post(url, {"carrier": "顺丰", "tracking_no": "1"}, format="json")
        if action
        else client.get(url)
    )

    assert response.status_code == 404
    assert response.json()["code"] == "aftersale_not_found"
    assert AfterSale.objects.values_list("state", "return_tracking_no").get() == ("requested", "")
    assert not OrderEvent.objects.filter(kind__in=["aftersale_withdrawn", "aftersale_buyer_shipped"]).exists()


def test_errors_follow_the_request_language(member):
    client = api_client(member)
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {Token.objects.get(user=member).key}", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    response = client.get(f"{API}/orders/Q2000010100000000/")

    assert response.json() == {"code": "order_not_found", "detail": "订单不存在。"}


# --- the OpenAPI description -------------------------------------------------------------

ORDERS_OPERATIONS = {
    ("/api/v1/cart/items/", "get"), ("/api/v1/cart/items/", "post"),
    ("/api/v1/cart/items/{sku_id}/", "patch"), ("/api/v1/cart/items/{sku_id}/", "delete"),
    ("/api/v1/addresses/", "get"), ("/api/v1/addresses/", "post"),
    ("/api/v1/addresses/{address_id}/", "get"), ("/api/v1/addresses/{address_id}/", "put"),
    ("/api/v1/addresses/{address_id}/", "delete"), ("/api/v1/addresses/{address_id}/default/", "post"),
    ("/api/v1/checkout/preview/", "post"), ("/api/v1/orders/", "get"), ("/api/v1/orders/", "post"),
    ("/api/v1/orders/counts/", "get"), ("/api/v1/orders/{number}/", "get"),
    ("/api/v1/orders/{number}/pay/", "post"), ("/api/v1/orders/{number}/cancel/", "post"),
    ("/api/v1/orders/{number}/confirm-receipt/", "post"),
    ("/api/v1/orders/{number}/items/{item_id}/aftersales/", "post"),
    ("/api/v1/aftersales/", "get"), ("/api/v1/aftersales/{aftersale_id}/", "get"),
    ("/api/v1/aftersales/{aftersale_id}/withdraw/", "post"),
    ("/api/v1/aftersales/{aftersale_id}/ship-back/", "post"),
    ("/api/v1/aftersales/{aftersale_id}/photos/{photo_id}/", "get"),
}  # fmt: skip
ERROR_REFS = {"#/components/schemas/Error", "#/components/schemas/ValidationError"}


def test_every_orders_operation_is_documented_with_typed_errors():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {(p, m): op for p, item in schema["paths"].items() for m, op in item.items()}

    assert set(operations) >= ORDERS_OPERATIONS
    for key in ORDERS_OPERATIONS:
        operation = operations[key]
        assert operation["tags"] and operation["summary"], key
        assert {"tokenAuth": []} in operation["security"] and {} not in operation["security"], key
        errors = {code: r for code, r in operation["responses"].items()
                  if code.startswith(("4", "5")) and code not in WEB_SERVER_ANSWERS}
        assert "401" in errors, key
        for code, response in errors.items():
            assert response["content"]["application/json"]["schema"]["$ref"] in ERROR_REFS, (key, code)
