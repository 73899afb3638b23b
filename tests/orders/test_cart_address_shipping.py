from decimal import Decimal

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import IntegrityError, transaction
from django.test import RequestFactory

from mall.errors import SKUNotFound
from mall.hooks import hooks as mall_hooks
from mall.models import Product
from orders.errors import AddressInvalid, AddressNotFound, OutOfStock, ProductUnavailable, QuantityInvalid
from orders.models import Address, CartItem, ShippingRule
from orders.selectors import cart_lines_for_session, cart_lines_for_user, cart_summary
from orders.services.address import address_create, address_delete, address_set_default, address_update
from orders.services.cart import cart_add, cart_merge, cart_set_quantity, session_cart_add
from tests.mall.factories import SKUFactory, UserFactory
from tests.orders.factories import AddressFactory

pytestmark = pytest.mark.django_db


# --- cart ---------------------------------------------------------------------------


def test_cart_add_adds_up_quantities_up_to_the_stock():
    user, sku = UserFactory(), SKUFactory(stock=5)

    cart_add(user=user, sku_id=sku.pk, quantity=2)
    cart_add(user=user, sku_id=sku.pk, quantity=3)
    with pytest.raises(OutOfStock) as caught:
        cart_add(user=user, sku_id=sku.pk, quantity=1)

    assert "库存不足" in str(caught.value.message)
    assert list(CartItem.objects.values_list("sku_id", "quantity")) == [(sku.pk, 5)]


@pytest.mark.parametrize(
    ("make_sku", "error"),
    [
        (lambda: SKUFactory(product__status=Product.Status.OFF_SHELF), ProductUnavailable),
        (lambda: SKUFactory(is_active=False), ProductUnavailable),
    ],
)
def test_cart_add_refuses_what_is_not_on_sale(make_sku, error):
    user = UserFactory()

    with pytest.raises(error):
        cart_add(user=user, sku_id=make_sku().pk)

    assert not CartItem.objects.exists()


@pytest.mark.parametrize("quantity", [0, -1, 100, "x"])
def test_cart_quantities_must_be_between_1_and_99(quantity):
    user, sku = UserFactory(), SKUFactory(stock=500)

    with pytest.raises(QuantityInvalid):
        cart_set_quantity(user=user, sku_id=sku.pk, quantity=quantity)

    assert not CartItem.objects.exists()


def test_cart_add_of_an_unknown_sku_is_not_found():
    with pytest.raises(SKUNotFound):
        cart_add(user=UserFactory(), sku_id=424242)


def test_cart_lines_flag_off_shelf_and_short_stock_lines_and_the_summary_skips_them():
    user = UserFactory()
    ok, gone, short = SKUFactory(price=Decimal("30.00"), stock=5), SKUFactory(stock=5), SKUFactory(stock=5)
    for sku in (ok, gone, short):
        cart_add(user=user, sku_id=sku.pk, quantity=2)
    Product.objects.filter(pk=gone.product_id).update(status=Product.Status.OFF_SHELF)
    type(short).objects.filter(pk=short.pk).update(stock=1)

    lines = {line.sku.pk: line.problem for line in cart_lines_for_user(user=user)}

    assert lines == {ok.pk: "", gone.pk: "off_shelf", short.pk: "insufficient_stock"}
    ShippingRule.objects.update_or_create(pk=1, defaults={"flat_fee": Decimal("6.00"), "free_over": None})
    assert cart_summary(lines=cart_lines_for_user(user=user)) == {
        "subtotal": Decimal("60.00"),
        "shipping_fee": Decimal("6.00"),
        "total": Decimal("66.00"),
    }


def test_session_cart_keeps_lines_for_anonymous_visitors():
    session: dict = {}
    sku = SKUFactory(stock=3)

    session_cart_add(session=session, sku_id=sku.pk, quantity=2)
    with pytest.raises(OutOfStock):
        session_cart_add(session=session, sku_id=sku.pk, quantity=2)

    assert session == {"cart": {str(sku.pk): 2}}
    assert [(line.sku.pk, line.quantity) for line in cart_lines_for_session(session=session)] == [(sku.pk, 2)]


def test_cart_merge_adds_session_lines_caps_at_stock_and_drops_unknown_skus():
    user = UserFactory()
    both, only_session = SKUFactory(stock=4), SKUFactory(stock=10)
    cart_add(user=user, sku_id=both.pk, quantity=3)

    merged = cart_merge(
        user=user, session_cart={str(both.pk): 3, str(only_session.pk): 2, "99999": 1, "junk": "x"}
    )

    assert merged == 2
    assert dict(CartItem.objects.filter(user=user).values_list("sku_id", "quantity")) == {
        both.pk: 4,
        only_session.pk: 2,
    }


def test_signing_in_merges_the_session_cart_through_the_mall_hook_and_empties_it():
    user, sku = UserFactory(), SKUFactory(stock=10)
    request = RequestFactory().get("/")
    request.session = SessionStore()
    request.session["cart"] = {str(sku.pk): 2}

    mall_hooks.call("user_signed_in", request=request, user=user)

    assert list(CartItem.objects.filter(user=user).values_list("sku_id", "quantity")) == [(sku.pk, 2)]
    assert "cart" not in request.session


# --- addresses ----------------------------------------------------------------------

FIELDS = {
    "receiver": "李雷",
    "phone": "+86 138-0013-8000",
    "province": "广东省",
    "city": "深圳市",
    "district": "南山区",
    "detail": "科技园 1 号",
}


def test_the_first_address_becomes_the_default_and_a_new_default_replaces_it():
    user = UserFactory()

    first = address_create(user=user, **FIELDS)
    second = address_create(user=user, **FIELDS)
    third = address_create(user=user, **FIELDS, is_default=True)

    assert first.phone == "13800138000"
    assert dict(Address.objects.values_list("pk", "is_default")) == {
        first.pk: False,
        second.pk: False,
        third.pk: True,
    }
    address_set_default(user=user, address_id=second.pk)
    assert list(Address.objects.filter(is_default=True).values_list("pk", flat=True)) == [second.pk]


def test_the_database_refuses_a_second_default_address():
    user = UserFactory()
    AddressFactory(user=user, is_default=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        AddressFactory(user=user, is_default=True)

    assert Address.objects.filter(user=user, is_default=True).count() == 1


def test_deleting_the_default_address_promotes_another():
    user = UserFactory()
    first = address_create(user=user, **FIELDS)
    second = address_create(user=user, **FIELDS)

    address_delete(user=user, address_id=first.pk)

    assert list(Address.objects.values_list("pk", "is_default")) == [(second.pk, True)]


@pytest.mark.parametrize(
    "override", [{"phone": "12345"}, {"receiver": " "}, {"district": ""}, {"detail": "x" * 121}]
)
def test_an_invalid_address_is_refused(override):
    with pytest.raises(AddressInvalid):
        address_create(user=UserFactory(), **{**FIELDS, **override})

    assert not Address.objects.exists()


def test_another_members_address_cannot_be_changed():
    mine = address_create(user=UserFactory(), **FIELDS)

    with pytest.raises(AddressNotFound):
        address_update(user=UserFactory(), address_id=mine.pk, **{**FIELDS, "receiver": "韩梅梅"})

    assert Address.objects.get(pk=mine.pk).receiver == "李雷"


# --- shipping rule ------------------------------------------------------------------


def test_shipping_rule_is_a_singleton_with_defaults():
    rule = ShippingRule.get_solo()

    assert (rule.pk, rule.flat_fee, rule.free_over) == (1, Decimal("10.00"), Decimal("99.00"))
    assert ShippingRule.get_solo().pk == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        ShippingRule.objects.create(id=2)


@pytest.mark.parametrize(
    ("free_over", "amount", "fee"),
    [
        ("99.00", "98.99", "10.00"),
        ("99.00", "99.00", "0.00"),
        (None, "10000.00", "10.00"),
    ],
)
def test_shipping_fee_is_flat_until_the_free_threshold(free_over, amount, fee):
    rule = ShippingRule(flat_fee=Decimal("10.00"), free_over=Decimal(free_over) if free_over else None)

    assert rule.fee_for(Decimal(amount)) == Decimal(fee)


@pytest.mark.django_db
def test_the_after_sales_window_is_the_one_staff_set_on_the_rule():
    from datetime import timedelta

    from orders.models import ShippingRule
    from orders.services.fulfilment import order_confirm_receipt, order_ship
    from tests.orders.factories import pay, place_order

    ShippingRule.get_solo()
    ShippingRule.objects.update(aftersale_window_days=3)
    order = pay(place_order())
    order_ship(order=order, actor=None, carrier="顺丰", tracking_no="SF1")

    order_confirm_receipt(order=order, actor=order.user)

    order.refresh_from_db()
    item = order.items.get()
    assert item.window_closes_at - order.received_at == timedelta(days=3)
