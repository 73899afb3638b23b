"""The shopper's H5 pages: cart, checkout, addresses, orders, after-sales (zh-hans)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from mall.models import SKU, Product
from orders.models import Address, AfterSale, CartItem, Order, OrderEvent, OrderState, Payment
from orders.payments.sandbox.models import SandboxTrade
from orders.services.aftersale import aftersale_approve, aftersale_request
from orders.services.cart import cart_add
from orders.services.fulfilment import order_confirm_receipt, order_ship
from orders.services.payment import payment_start, payment_sync
from tests.mall.factories import ShopFactory, SKUFactory, UserFactory
from tests.orders.factories import AddressFactory, open_and_pay_at_cashier, pay, place_order

pytestmark = pytest.mark.django_db


def sign_in(client, user=None):
    user = user or UserFactory()
    client.force_login(user)
    return user


def html(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def select_for_checkout(client, *lines: tuple[SKU, int]) -> None:
    """What the cart's 去结算 does: keep the chosen lines in the session."""
    for sku, quantity in lines:
        client.post(reverse("orders:cart_add"), {"sku_id": sku.pk, "quantity": quantity, "action": "add"})
    client.post(reverse("orders:cart_checkout"), {"sku_id": [sku.pk for sku, _ in lines]})


def checkout_token(client) -> str:
    return client.session["checkout"]["token"]


# --- cart ----------------------------------------------------------------------------------


def test_a_visitor_adds_to_the_session_cart_and_goes_back_to_the_product(client):
    sku = SKUFactory(price=Decimal("12.50"), stock=5, product__title="手冲咖啡豆")
    product_url = reverse("mall:product", args=[sku.product_id])

    response = client.post(
        reverse("orders:cart_add"),
        {"sku_id": sku.pk, "quantity": 2, "action": "add"},
        HTTP_REFERER=f"http://testserver{product_url}",
    )

    # Back to the product with the chosen SKU kept (?sku=), for the page without its script.
    assert (response.status_code, response["Location"]) == (302, f"http://testserver{product_url}?sku={sku.pk}")
    assert client.session["cart"] == {str(sku.pk): 2}
    page = html(client.get(reverse("orders:cart")))
    assert "手冲咖啡豆" in page
    assert 'data-testid="cart-subtotal">¥25.00<' in page
    assert 'data-testid="line-quantity">2<' in page
    assert not CartItem.objects.exists()


def test_a_member_adds_to_the_database_cart_and_quantities_add_up(client):
    user = sign_in(client)
    sku = SKUFactory(price=Decimal("9.90"), stock=10)

    for _ in range(2):
        client.post(reverse("orders:cart_add"), {"sku_id": sku.pk, "quantity": 3, "action": "add"})

    assert list(CartItem.objects.filter(user=user).values_list("sku_id", "quantity")) == [(sku.pk, 6)]
    assert 'data-testid="cart-subtotal">¥59.40<' in html(client.get(reverse("orders:cart")))


def test_adding_more_than_the_stock_shows_insufficient_stock_and_changes_nothing(client):
    user = sign_in(client)
    sku = SKUFactory(stock=2, product__title="保温杯")

    response = client.post(
        reverse("orders:cart_add"), {"sku_id": sku.pk, "quantity": 3, "action": "add"}, follow=True
    )

    assert messages_of(response) == ["库存不足：保温杯 仅剩 2 件。"]
    assert not CartItem.objects.filter(user=user).exists()


def test_adding_without_a_sku_asks_to_choose_a_specification(client):
    response = client.post(reverse("orders:cart_add"), {"quantity": 1, "action": "add"}, follow=True)

    assert messages_of(response) == ["请先选择规格。"]
    assert "cart" not in client.session


def test_buy_now_goes_to_checkout_with_that_line_and_leaves_the_cart_alone(client):
    user = sign_in(client)
    AddressFactory(user=user)
    in_cart = SKUFactory(price=Decimal("5.00"))
    cart_add(user=user, sku_id=in_cart.pk, quantity=1)
    sku = SKUFactory(price=Decimal("30.00"), stock=5)

    response = client.post(reverse("orders:cart_add"), {"sku_id": sku.pk, "quantity": 2, "action": "buy"})

    assert response["Location"] == reverse("orders:checkout")
    assert client.session["checkout"]["lines"] == [[sku.pk, 2]]
    assert client.session["checkout"]["from_cart"] is False
    page = html(client.get(reverse("orders:checkout")))
    assert 'data-testid="checkout-total">¥70.00<' in page  # 60.00 + 10.00 shipping
    assert list(CartItem.objects.filter(user=user).values_list("sku_id", "quantity")) == [(in_cart.pk, 1)]


def test_buy_now_of_an_unknown_sku_goes_back_to_the_cart_with_the_reason(client):
    sign_in(client)

    client.post(reverse("orders:cart_add"), {"sku_id": 999999, "quantity": 1, "action": "buy"})
    response = client.get(reverse("orders:checkout"), follow=True)

    assert response.redirect_chain == [(reverse("orders:cart"), 302)]
    assert messages_of(response) == ["该商品规格不存在。"]
    assert "checkout" not in client.session
    assert not Order.objects.exists()


def test_the_cart_flags_lines_that_cannot_be_bought_and_does_not_let_them_be_ticked(client):
    user = sign_in(client)
    ok = SKUFactory(price=Decimal("10.00"), stock=5)
    short = SKUFactory(price=Decimal("20.00"), stock=5)
    gone = SKUFactory(price=Decimal("30.00"), stock=5)
    for sku in (ok, short, gone):
        cart_add(user=user, sku_id=sku.pk, quantity=3)
    SKU.objects.filter(pk=short.pk).update(stock=1)
    Product.objects.filter(pk=gone.product_id).update(status=Product.Status.OFF_SHELF)

    page = html(client.get(reverse("orders:cart")))

    lines = dict(re.findall(r'data-sku="(\d+)">(.*?)data-testid="line-delete"', page, re.S))
    assert "line-flag" not in lines[str(ok.pk)] and " checked" in lines[str(ok.pk)]
    assert "仅剩 1 件" in lines[str(short.pk)] and " disabled" in lines[str(short.pk)]
    assert "商品已下架" in lines[str(gone.pk)] and " disabled" in lines[str(gone.pk)]
    assert 'data-testid="cart-subtotal">¥30.00<' in page  # only the line that can be bought


def test_the_stepper_sets_the_quantity_within_the_stock(client):
    user = sign_in(client)
    sku = SKUFactory(stock=3, product__title="保温杯")
    cart_add(user=user, sku_id=sku.pk, quantity=1)

    client.post(reverse("orders:cart_update"), {"sku_id": sku.pk, "quantity": 3})
    refused = client.post(reverse("orders:cart_update"), {"sku_id": sku.pk, "quantity": 4}, follow=True)

    assert messages_of(refused) == ["库存不足：保温杯 仅剩 3 件。"]
    assert CartItem.objects.get(user=user).quantity == 3


def test_quantity_zero_deletes_the_line(client):
    user = sign_in(client)
    sku = SKUFactory()
    cart_add(user=user, sku_id=sku.pk, quantity=2)

    client.post(reverse("orders:cart_update"), {"sku_id": sku.pk, "quantity": 0})

    assert not CartItem.objects.filter(user=user).exists()
    assert 'data-testid="cart-empty"' in html(client.get(reverse("orders:cart")))


@pytest.mark.parametrize("ticked", ["none", "blocked"])
def test_checking_out_nothing_or_a_blocked_line_is_refused(client, ticked):
    user = sign_in(client)
    sku = SKUFactory(stock=5, product__title="保温杯")
    cart_add(user=user, sku_id=sku.pk, quantity=2)
    SKU.objects.filter(pk=sku.pk).update(stock=1)

    response = client.post(
        reverse("orders:cart_checkout"), {"sku_id": [] if ticked == "none" else [sku.pk]}, follow=True
    )

    expected = "请至少选择一件商品。" if ticked == "none" else "保温杯 暂时无法购买，请取消勾选或修改。"
    assert messages_of(response) == [expected]
    assert "checkout" not in client.session
    assert list(CartItem.objects.filter(user=user).values_list("sku_id", "quantity")) == [(sku.pk, 2)]
    assert not Order.objects.exists()
    assert SKU.objects.get(pk=sku.pk).stock == 1


def test_a_visitor_signs_in_at_checkout_and_keeps_the_chosen_lines(client):
    sku = SKUFactory(price=Decimal("50.00"), stock=5)
    select_for_checkout(client, (sku, 2))

    response = client.get(reverse("orders:checkout"))
    assert response["Location"] == f"{reverse('mall:signin')}?next=/checkout/"
    user = UserFactory(phone="13911112222")
    client.post(reverse("mall:signin"), {"phone": "13911112222", "password": "Quanzi-test-123"})

    page = html(client.get(reverse("orders:checkout")))
    assert 'data-testid="checkout-total">¥100.00<' in page  # free shipping from 99.00
    assert 'data-testid="add-address"' in page
    assert list(CartItem.objects.filter(user=user).values_list("sku_id", "quantity")) == [(sku.pk, 2)]


# --- checkout ------------------------------------------------------------------------------


def test_place_order_creates_it_for_the_session_shop_empties_the_cart_and_opens_the_cashier(client):
    user = sign_in(client)
    address = AddressFactory(user=user)
    shop = ShopFactory()
    session = client.session
    session["shop_id"] = shop.pk
    session.save()
    sku = SKUFactory(price=Decimal("45.00"), stock=5)
    select_for_checkout(client, (sku, 1))

    response = client.post(
        reverse("orders:checkout"),
        {"address_id": address.pk, "note": "请用纸箱", "token": checkout_token(client)},
    )

    order = Order.objects.get()
    trade = SandboxTrade.objects.get()
    assert response["Location"] == f"/pay/sandbox/{trade.token}/"
    assert (order.user, order.shop, order.state, order.total_amount, order.note) == (
        user,
        shop,
        "pending_payment",
        Decimal("55.00"),
        "请用纸箱",
    )
    assert trade.return_url == f"/orders/{order.number}/?from=cashier"
    assert SKU.objects.get(pk=sku.pk).stock == 4
    assert not CartItem.objects.filter(user=user).exists()
    assert "checkout" not in client.session


def test_place_order_short_of_stock_shows_insufficient_stock_and_creates_nothing(client):
    user = sign_in(client)
    address = AddressFactory(user=user)
    sku = SKUFactory(stock=5, product__title="保温杯")
    select_for_checkout(client, (sku, 2))
    SKU.objects.filter(pk=sku.pk).update(stock=1)

    response = client.post(
        reverse("orders:checkout"), {"address_id": address.pk, "token": checkout_token(client)}
    )

    page = html(response)
    assert response.status_code == 200
    assert 'data-testid="checkout-error">库存不足：保温杯 仅剩 1 件。<' in page
    assert 'data-testid="place-order" disabled' in page
    assert not Order.objects.exists()
    assert SKU.objects.get(pk=sku.pk).stock == 1
    assert CartItem.objects.get(user=user).quantity == 2


@pytest.mark.parametrize("address", ["missing", "someone_elses"])
def test_place_order_needs_one_of_my_addresses(client, address):
    user = sign_in(client)
    sku = SKUFactory(stock=5)
    select_for_checkout(client, (sku, 1))
    data = {"token": checkout_token(client)}
    if address == "someone_elses":
        data["address_id"] = AddressFactory().pk

    response = client.post(reverse("orders:checkout"), data)

    expected = "请先添加收货地址。" if address == "missing" else "地址不存在。"
    assert f'data-testid="checkout-error">{expected}<' in html(response)
    assert not Order.objects.filter(user=user).exists()
    assert SKU.objects.get(pk=sku.pk).stock == 5


def test_a_repeated_submit_lands_on_the_order_already_made(client):
    user = sign_in(client)
    address = AddressFactory(user=user)
    select_for_checkout(client, (SKUFactory(stock=5), 1))
    data = {"address_id": address.pk, "token": checkout_token(client)}

    client.post(reverse("orders:checkout"), data)
    again = client.post(reverse("orders:checkout"), data)

    order = Order.objects.get()
    assert again["Location"] == reverse("orders:detail", args=[order.number])


def test_a_stale_checkout_page_is_refused_and_creates_nothing(client):
    user = sign_in(client)
    address = AddressFactory(user=user)
    sku = SKUFactory(stock=5)
    select_for_checkout(client, (sku, 1))

    response = client.post(reverse("orders:checkout"), {"address_id": address.pk, "token": "old-page"})

    assert 'data-testid="checkout-error">页面已过期，请重新确认订单后提交。<' in html(response)
    assert not Order.objects.exists()
    assert SKU.objects.get(pk=sku.pk).stock == 5


def test_checkout_preselects_the_default_address_and_can_use_another(client):
    user = sign_in(client)
    AddressFactory(user=user, receiver="默认收件人")
    other = AddressFactory(user=user, receiver="公司前台", is_default=False)
    select_for_checkout(client, (SKUFactory(), 1))

    default_page = html(client.get(reverse("orders:checkout")))
    other_page = html(client.get(reverse("orders:checkout"), {"address": other.pk}))

    assert "默认收件人" in default_page and "公司前台" not in default_page
    assert f'name="address_id" value="{other.pk}"' in other_page


# --- addresses -----------------------------------------------------------------------------

ADDRESS = {
    "receiver": "李雷", "phone": "139 1234 5678", "province": "广东省", "city": "深圳市",
    "district": "南山区", "detail": "科技园 1 号",
}  # fmt: skip


def test_adding_an_address_from_checkout_goes_back_with_it_chosen(client):
    user = sign_in(client)

    response = client.post(
        f"{reverse('orders:address_new')}?next=/checkout/", {**ADDRESS, "next": "/checkout/"}
    )

    address = Address.objects.get(user=user)
    assert response["Location"] == f"/checkout/?address={address.pk}"
    assert (address.phone, address.is_default, address.full_text) == (
        "13912345678",
        True,
        "广东省深圳市南山区科技园 1 号",
    )


def test_an_invalid_phone_is_shown_next_to_the_field_and_nothing_is_saved(client):
    user = sign_in(client)

    response = client.post(reverse("orders:address_new"), {**ADDRESS, "phone": "12345"})

    assert response.status_code == 200
    assert "请输入有效的中国大陆手机号" in html(response)
    assert not Address.objects.filter(user=user).exists()


def test_edit_set_default_and_delete_my_addresses(client):
    user = sign_in(client)
    first = AddressFactory(user=user)
    second = AddressFactory(user=user, is_default=False)

    client.post(reverse("orders:address_edit", args=[second.pk]), {**ADDRESS, "is_default": "on"})
    client.post(reverse("orders:address_default", args=[first.pk]))
    client.post(reverse("orders:address_delete", args=[first.pk]))

    assert list(Address.objects.filter(user=user).values_list("pk", "receiver", "is_default")) == [
        (second.pk, "李雷", True)
    ]


@pytest.mark.parametrize("action", ["address_edit", "address_delete", "address_default"])
def test_another_members_address_is_404_and_unchanged(client, action):
    sign_in(client)
    theirs = AddressFactory(receiver="别人")

    response = client.post(reverse(f"orders:{action}", args=[theirs.pk]), ADDRESS)

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert (theirs.receiver, theirs.is_default) == ("别人", True)


def test_picking_an_address_for_checkout_links_back_with_its_id(client):
    user = sign_in(client)
    address = AddressFactory(user=user)

    page = html(client.get(reverse("orders:addresses"), {"select": 1, "next": "/checkout/"}))

    assert f'href="/checkout/?address={address.pk}" data-testid="address-pick"' in page


# --- orders --------------------------------------------------------------------------------


def test_the_order_list_shows_each_tab_with_its_count_badge(client):
    user = sign_in(client)
    address = AddressFactory(user=user)
    unpaid = place_order(user=user, address=address)
    paid = pay(place_order(user=user, address=address))

    all_page = html(client.get(reverse("orders:list")))
    to_ship = html(client.get(reverse("orders:list"), {"tab": "to_ship"}))

    assert re.findall(r'data-number="(Q\d+)"', all_page) == [paid.number, unpaid.number]
    assert re.findall(r'data-number="(Q\d+)"', to_ship) == [paid.number]
    assert 'data-testid="tab-count-pending_payment">1<' in all_page
    assert 'data-testid="tab-count-to_ship">1<' in all_page
    assert "tab-count-to_receive" not in all_page


def test_the_order_list_costs_the_same_queries_for_many_orders(client, django_assert_max_num_queries):
    user = sign_in(client)
    address = AddressFactory(user=user)
    for _ in range(8):
        place_order(user=user, address=address, lines=[(SKUFactory(), 1), (SKUFactory(), 2)])

    # session, user, page count, orders, items, products, images, after-sales, tab counts
    with django_assert_max_num_queries(9):
        response = client.get(reverse("orders:list"))

    assert len(re.findall(r'data-testid="order-card"', html(response))) == 8


def test_the_order_detail_shows_state_items_amounts_and_timeline(client):
    user = sign_in(client)
    sku = SKUFactory(price=Decimal("33.30"), product__title="云南小粒咖啡")
    order = pay(place_order(user=user, lines=[(sku, 2)]))
    order_ship(order=order, actor=None, carrier="顺丰速运", tracking_no="SF100200300")

    page = html(client.get(reverse("orders:detail", args=[order.number])))

    assert 'data-testid="order-state">待收货<' in page
    assert 'data-testid="tracking-no">SF100200300<' in page
    assert "云南小粒咖啡" in page
    assert 'data-testid="order-total">¥76.60<' in page  # 66.60 + 10.00
    assert re.findall(r'data-kind="(\w+)"', page) == ["shipped", "paid", "payment_started", "created"]
    assert 'data-testid="order-confirm-receipt"' in page


@pytest.mark.parametrize("path", ["detail", "pay", "cancel", "confirm_receipt"])
def test_another_members_order_number_is_404_and_nothing_changes(client, path):
    sign_in(client)
    theirs = place_order()

    response = (client.get if path == "detail" else client.post)(
        reverse(f"orders:{path}", args=[theirs.number])
    )

    assert response.status_code == 404
    assert "订单不存在" in html(response)
    theirs.refresh_from_db()
    assert (theirs.state, theirs.payment_started_at) == ("pending_payment", None)


def test_an_unpaid_order_counts_down_and_can_be_paid_or_cancelled(client):
    user = sign_in(client)
    sku = SKUFactory(stock=10)
    order = place_order(user=user, lines=[(sku, 3)])

    page = html(client.get(reverse("orders:detail", args=[order.number])))
    pay_response = client.post(reverse("orders:pay", args=[order.number]))
    client.post(reverse("orders:cancel", args=[order.number]))

    assert re.search(r'data-seconds="(\d+)" data-testid="countdown">(\d\d):(\d\d)<', page)
    assert pay_response["Location"] == f"/pay/sandbox/{SandboxTrade.objects.get().token}/"
    order.refresh_from_db()
    assert (order.state, SKU.objects.get(pk=sku.pk).stock) == ("cancelled", 10)


def test_confirm_receipt_of_a_shipped_order_and_not_of_a_paid_one(client):
    user = sign_in(client)
    address = AddressFactory(user=user)
    shipped = pay(place_order(user=user, address=address))
    order_ship(order=shipped, actor=None, carrier="中通", tracking_no="ZT1")
    paid = pay(place_order(user=user, address=address))

    done = client.post(reverse("orders:confirm_receipt", args=[shipped.number]), follow=True)
    refused = client.post(reverse("orders:confirm_receipt", args=[paid.number]), follow=True)

    assert Order.objects.get(pk=shipped.pk).state == "received"
    assert Order.objects.values_list("state", "received_at").get(pk=paid.pk) == ("paid", None)
    assert not OrderEvent.objects.filter(order=paid, kind="received").exists()
    assert messages_of(done) == ["已确认收货，感谢您的支持！"]
    assert messages_of(refused) == ["订单当前为“待发货”，不能变为“已收货”。"]


def test_back_from_the_cashier_before_the_notice_the_page_asks_the_gateway(client):
    user = sign_in(client)
    order = place_order(user=user)
    trade = open_and_pay_at_cashier(order)  # paid at the provider; its notice never arrives (:9)

    page = html(client.get(reverse("orders:detail", args=[order.number]), {"from": "cashier"}))

    order.refresh_from_db()
    assert order.state == OrderState.PAID
    assert Payment.objects.get().transaction_id == trade.transaction_id
    assert 'data-testid="order-state">待发货<' in page


def test_me_page_shows_the_order_counts(client):
    user = sign_in(client)
    address = AddressFactory(user=user)
    pay(place_order(user=user, address=address))
    pay(place_order(user=user, address=address))

    page = html(client.get(reverse("mall:me")))

    assert 'data-testid="order-count-to_ship">2<' in page
    assert 'href="/orders/?tab=aftersales"' in page


# --- after-sales ---------------------------------------------------------------------------


def received_order(user, *, quantity=3, price="10.00"):
    order = pay(place_order(user=user, lines=[(SKUFactory(price=Decimal(price), stock=10), quantity)]))
    order_ship(order=order, actor=None, carrier="顺丰", tracking_no="SF1")
    return order_confirm_receipt(order=order, actor=user)


def test_the_aftersale_form_offers_the_kinds_units_and_amount_caps(client):
    user = sign_in(client)
    order = received_order(user)
    item = order.items.get()

    page = html(client.get(reverse("orders:aftersale_new", args=[order.number, item.pk])))

    assert 'data-testid="kind-refund_only"' in page and 'data-testid="kind-return_and_refund"' in page
    assert '"1": "10.00", "2": "20.00", "3": "30.00"' in page
    assert 'data-testid="refund-cap">最多 ¥30.00<' in page


def test_request_a_refund_of_one_unit_at_the_default_amount(client):
    user = sign_in(client)
    order = received_order(user)
    item = order.items.get()

    response = client.post(
        reverse("orders:aftersale_new", args=[order.number, item.pk]),
        {"kind": "refund_only", "quantity": 1, "amount": "", "reason": "商品破损", "description": "外箱压坏"},
    )

    aftersale = AfterSale.objects.get()
    assert response["Location"] == reverse("orders:aftersale", args=[aftersale.pk])
    assert (aftersale.kind, aftersale.quantity, aftersale.amount, aftersale.reason, aftersale.state) == (
        "refund_only",
        1,
        Decimal("10.00"),
        "商品破损: 外箱压坏",
        "requested",
    )
    page = html(client.get(response["Location"]))
    assert 'data-testid="aftersale-state">等待商家审核<' in page
    assert 'data-testid="aftersale-amount">¥10.00<' in page


def test_asking_more_than_was_paid_is_refused_and_nothing_is_created(client):
    user = sign_in(client)
    order = received_order(user)
    item = order.items.get()

    response = client.post(
        reverse("orders:aftersale_new", args=[order.number, item.pk]),
        {"kind": "refund_only", "quantity": 1, "amount": "10.01", "reason": "商品破损"},
    )

    assert response.status_code == 200
    assert "退款金额不能超过这些商品的实付金额。" in html(response)
    assert not AfterSale.objects.exists()
    assert not OrderEvent.objects.filter(order=order, kind="aftersale_requested").exists()
    item.refresh_from_db()
    assert (item.refunded_quantity, item.refunded_amount) == (0, Decimal("0.00"))


def test_an_item_of_another_members_order_is_404(client):
    sign_in(client)
    theirs = received_order(UserFactory())

    response = client.post(
        reverse("orders:aftersale_new", args=[theirs.number, theirs.items.get().pk]),
        {"kind": "refund_only", "quantity": 1, "reason": "商品破损"},
    )

    assert response.status_code == 404
    assert not AfterSale.objects.exists()
    assert not OrderEvent.objects.filter(order=theirs, kind="aftersale_requested").exists()


def test_withdraw_an_open_request(client):
    user = sign_in(client)
    order = received_order(user)
    aftersale = aftersale_request(
        user=user, order_item_id=order.items.get().pk, kind="refund_only", quantity=1, reason="不想要了"
    )

    client.post(reverse("orders:aftersale_withdraw", args=[aftersale.pk]))

    assert AfterSale.objects.get().state == "withdrawn"


def test_send_goods_back_for_an_approved_return_needs_the_tracking_number(
    client, platform_return_address
):
    user = sign_in(client)
    order = received_order(user)
    aftersale = aftersale_request(
        user=user, order_item_id=order.items.get().pk, kind="return_and_refund", quantity=1, reason="质量问题"
    )
    aftersale_approve(aftersale=aftersale, actor=None)
    url = reverse("orders:aftersale_ship_back", args=[aftersale.pk])
    assert 'data-testid="ship-back-form"' in html(
        client.get(reverse("orders:aftersale", args=[aftersale.pk]))
    )

    refused = client.post(url, {"carrier": "顺丰", "tracking_no": ""}, follow=True)
    assert messages_of(refused) == ["请填写快递公司和运单号。"]
    assert AfterSale.objects.get().state == "approved"
    client.post(url, {"carrier": "顺丰", "tracking_no": "SF999"})

    aftersale.refresh_from_db()
    assert (aftersale.state, aftersale.return_carrier, aftersale.return_tracking_no) == (
        "buyer_shipped",
        "顺丰",
        "SF999",
    )


@pytest.mark.parametrize("action", ["aftersale", "aftersale_withdraw"])
def test_another_members_aftersale_is_404_and_unchanged(client, action):
    sign_in(client)
    owner = UserFactory()
    order = received_order(owner)
    aftersale = aftersale_request(
        user=owner, order_item_id=order.items.get().pk, kind="refund_only", quantity=1, reason="不想要了"
    )

    response = (client.get if action == "aftersale" else client.post)(
        reverse(f"orders:{action}", args=[aftersale.pk])
    )

    assert response.status_code == 404
    assert AfterSale.objects.get().state == "requested"
    assert not OrderEvent.objects.filter(order=order, kind="aftersale_withdrawn").exists()


def test_pages_need_a_signed_in_member(client):
    order = place_order()

    for url in (
        reverse("orders:list"),
        reverse("orders:detail", args=[order.number]),
        reverse("orders:addresses"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("mall:signin")), url


def test_payment_start_of_the_page_reuses_the_open_cashier(client):
    user = sign_in(client)
    order = place_order(user=user)
    first = payment_start(order=order, return_url="/")

    response = client.post(reverse("orders:pay", args=[order.number]))

    assert response["Location"] == first.cashier_url


def test_payment_sync_records_nothing_for_an_order_not_paid_at_the_gateway():
    opened = place_order()
    payment_start(order=opened, return_url="/")
    never_opened = place_order()

    results = [payment_sync(order=Order.objects.get(pk=o.pk)) for o in (opened, never_opened)]

    assert results == [False, False]
    assert not Payment.objects.exists()
    assert set(Order.objects.values_list("state", flat=True)) == {"pending_payment"}
