import re
from decimal import Decimal

import pytest
from django.utils import translation

from mall.errors import InsufficientStock, SKUNotFound
from mall.models import SKU, Product
from mall.services.catalog import sku_set_stock
from mall.services.shops import platform_shop_get
from orders.errors import AddressNotFound, CartEmpty, OutOfStock, ProductUnavailable, QuantityInvalid
from orders.hooks import hooks
from orders.models import CartItem, Order, OrderEvent, OrderItem, ShippingRule
from orders.services.checkout import CheckoutLine, checkout_preview, order_create
from tests.concurrency import run_parallel
from tests.mall.factories import ShopFactory, SKUFactory, UserFactory
from tests.orders.factories import AddressFactory


@pytest.mark.django_db
def test_order_create_snapshots_prices_address_and_shop_and_reserves_stock(hook_calls):
    user = UserFactory()
    address = AddressFactory(user=user)
    shop = ShopFactory()
    tee = SKUFactory(
        price=Decimal("59.90"),
        cost_price=Decimal("30.00"),
        stock=5,
        specs={"颜色": "白"},
        product__title="纯棉T恤",
    )
    mug = SKUFactory(price=Decimal("20.05"), cost_price=Decimal("8.00"), stock=3)
    ShippingRule.objects.update_or_create(
        pk=1, defaults={"flat_fee": Decimal("8.00"), "free_over": Decimal("200.00")}
    )

    order = order_create(
        user=user,
        address=address,
        shop=shop,
        note=" 请尽快发货 ",
        clear_cart=False,
        lines=[CheckoutLine(sku_id=tee.pk, quantity=2), CheckoutLine(sku_id=mug.pk, quantity=1)],
    )

    assert re.fullmatch(r"Q\d{8}\d{8}", order.number)
    assert (order.state, order.shop, order.note) == ("pending_payment", shop, "请尽快发货")
    assert (order.subtotal, order.discount_amount, order.shipping_fee, order.total_amount) == (
        Decimal("139.85"),
        Decimal("0.00"),
        Decimal("8.00"),
        Decimal("147.85"),
    )
    assert (order.receiver, order.receiver_phone, order.address_text) == (
        "王小明",
        "13800138000",
        "浙江省杭州市西湖区文三路 100 号",
    )
    items = {i.sku_id: i for i in OrderItem.objects.filter(order=order)}
    assert (
        items[tee.pk].product_title,
        items[tee.pk].sku_spec_text,
        items[tee.pk].unit_price,
        items[tee.pk].cost_price,
        items[tee.pk].quantity,
        items[tee.pk].line_amount,
        items[tee.pk].discount_amount,
        items[tee.pk].paid_amount,
    ) == (
        "纯棉T恤",
        "白",
        Decimal("59.90"),
        Decimal("30.00"),
        2,
        Decimal("119.80"),
        Decimal("0.00"),
        Decimal("119.80"),
    )
    assert items[mug.pk].paid_amount == Decimal("20.05")
    assert dict(SKU.objects.filter(pk__in=[tee.pk, mug.pk]).values_list("pk", "stock")) == {
        tee.pk: 3,
        mug.pk: 2,
    }
    assert list(order.events.values_list("kind", flat=True)) == ["created"]
    assert [c["order"].pk for c in hook_calls["order_created"]] == [order.pk]


@pytest.mark.django_db
def test_order_create_snapshot_does_not_follow_later_price_changes():
    user = UserFactory()
    sku = SKUFactory(price=Decimal("10.00"), stock=5)
    order = order_create(user=user, address=AddressFactory(user=user), lines=[CheckoutLine(sku.pk, 1)])

    SKU.objects.filter(pk=sku.pk).update(price=Decimal("99.00"), cost_price=Decimal("50.00"))

    item = order.items.get()
    assert (item.unit_price, item.cost_price, item.paid_amount) == (
        Decimal("10.00"),
        Decimal("60.00"),
        Decimal("10.00"),
    )


@pytest.mark.django_db
def test_order_create_without_shop_uses_the_platform_shop_and_clears_bought_cart_lines():
    user = UserFactory()
    sku, other = SKUFactory(stock=5), SKUFactory(stock=5)
    CartItem.objects.create(user=user, sku=sku, quantity=1)
    CartItem.objects.create(user=user, sku=other, quantity=1)

    order = order_create(
        user=user, address=AddressFactory(user=user), lines=[CheckoutLine(sku.pk, 1)], clear_cart=True
    )

    assert order.shop == platform_shop_get()
    assert list(CartItem.objects.filter(user=user).values_list("sku_id", flat=True)) == [other.pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make_lines", "error"),
    [
        (lambda sku: [], CartEmpty),
        (lambda sku: [CheckoutLine(sku.pk, 0)], QuantityInvalid),
        (lambda sku: [CheckoutLine(sku.pk, 100)], QuantityInvalid),
        (lambda sku: [CheckoutLine(sku.pk, 6)], OutOfStock),
        (lambda sku: [CheckoutLine(987654, 1)], SKUNotFound),
    ],
)
def test_order_create_refuses_bad_lines_and_changes_nothing(make_lines, error):
    user = UserFactory()
    sku = SKUFactory(stock=5)

    with pytest.raises(error):
        order_create(user=user, address=AddressFactory(user=user), lines=make_lines(sku))

    assert not Order.objects.exists()
    assert SKU.objects.get(pk=sku.pk).stock == 5


@pytest.mark.django_db
def test_order_create_refuses_off_shelf_products_and_inactive_skus():
    user = UserFactory()
    address = AddressFactory(user=user)
    off_shelf = SKUFactory(stock=5, product__status=Product.Status.OFF_SHELF)
    inactive = SKUFactory(stock=5, is_active=False)

    for sku in (off_shelf, inactive):
        with pytest.raises(ProductUnavailable):
            order_create(user=user, address=address, lines=[CheckoutLine(sku.pk, 1)])

    assert not Order.objects.exists()
    assert list(SKU.objects.filter(pk__in=[off_shelf.pk, inactive.pk]).values_list("stock", flat=True)) == [
        5,
        5,
    ]


@pytest.mark.django_db
def test_order_create_refuses_another_members_address():
    user = UserFactory()
    sku = SKUFactory(stock=5)

    with pytest.raises(AddressNotFound):
        order_create(user=user, address=AddressFactory(), lines=[CheckoutLine(sku.pk, 1)])

    assert not Order.objects.exists()


@pytest.mark.django_db
def test_a_line_that_runs_short_at_reservation_rolls_back_the_whole_order():
    user = UserFactory()
    plenty, scarce = SKUFactory(stock=5), SKUFactory(stock=2)

    def someone_else_buys(order, items) -> None:  # runs before the stock is taken, like a racing buyer
        sku_set_stock(sku_id=scarce.pk, stock=1)

    hooks.register("order_created", someone_else_buys)
    try:
        with pytest.raises(OutOfStock):
            order_create(
                user=user,
                address=AddressFactory(user=user),
                lines=[CheckoutLine(plenty.pk, 2), CheckoutLine(scarce.pk, 2)],
            )
    finally:
        hooks.unregister("order_created", someone_else_buys)

    assert not Order.objects.exists()
    assert not OrderItem.objects.exists()
    assert dict(SKU.objects.values_list("pk", "stock")) == {plenty.pk: 5, scarce.pk: 2}


@pytest.mark.django_db
def test_checkout_preview_shows_lines_shipping_total_and_flags_problems():
    user = UserFactory()
    address = AddressFactory(user=user)
    ShippingRule.objects.update_or_create(
        pk=1, defaults={"flat_fee": Decimal("10.00"), "free_over": Decimal("99.00")}
    )
    sku = SKUFactory(price=Decimal("30.00"), stock=2)
    off = SKUFactory(price=Decimal("5.00"), stock=2, product__status=Product.Status.OFF_SHELF)

    preview = checkout_preview(user=user, lines=[CheckoutLine(sku.pk, 3), CheckoutLine(off.pk, 1)])

    assert [(line.sku.pk, line.quantity, line.line_amount) for line in preview.lines] == [
        (sku.pk, 3, Decimal("90.00")),
        (off.pk, 1, Decimal("5.00")),
    ]
    assert (preview.subtotal, preview.shipping_fee, preview.total_amount) == (
        Decimal("95.00"),
        Decimal("10.00"),
        Decimal("105.00"),
    )
    assert preview.address == address
    assert len(preview.problems) == 2
    assert not preview.can_submit
    assert "库存不足" in preview.problems[0]


@pytest.mark.django_db
def test_checkout_preview_ships_free_over_the_threshold():
    user = UserFactory()
    ShippingRule.objects.update_or_create(
        pk=1, defaults={"flat_fee": Decimal("10.00"), "free_over": Decimal("99.00")}
    )
    sku = SKUFactory(price=Decimal("33.00"), stock=5)

    preview = checkout_preview(user=user, lines=[CheckoutLine(sku.pk, 3)], address=AddressFactory(user=user))

    assert (preview.subtotal, preview.shipping_fee, preview.total_amount, preview.can_submit) == (
        Decimal("99.00"),
        Decimal("0.00"),
        Decimal("99.00"),
        True,
    )


@pytest.mark.django_db
def test_out_of_stock_message_is_translated_to_zh_hans_and_keeps_the_code():
    user = UserFactory()
    sku = SKUFactory(stock=0, product__title="保温杯")

    with translation.override("zh-hans"), pytest.raises(OutOfStock) as caught:
        order_create(user=user, address=AddressFactory(user=user), lines=[CheckoutLine(sku.pk, 1)])

    assert caught.value.code == "insufficient_stock"
    assert isinstance(caught.value, InsufficientStock)
    with translation.override("zh-hans"):
        assert str(caught.value.message) == "库存不足：保温杯。"
    with translation.override("en"):
        assert str(caught.value.message) == "Insufficient stock (库存不足): 保温杯."


# --- Acceptance 1: I5 under 50 concurrent checkouts -----------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_checkouts_never_sell_more_than_the_stock():
    sku = SKUFactory(price=Decimal("10.00"), stock=10)
    buyers = [(u, AddressFactory(user=u)) for u in (UserFactory() for _ in range(50))]

    results = run_parallel(50, lambda i: order_create(
        user=buyers[i][0], address=buyers[i][1], lines=[CheckoutLine(sku.pk, 1)]))

    orders = [r for r in results if isinstance(r, Order)]
    refusals = [r for r in results if isinstance(r, InsufficientStock)]
    assert (len(orders), len(refusals)) == (10, 40)
    assert all("库存不足" in str(r.message) for r in refusals)
    assert SKU.objects.get(pk=sku.pk).stock == 0
    assert Order.objects.count() == 10
    assert OrderItem.objects.filter(sku=sku).count() == 10
    assert OrderEvent.objects.filter(kind="created").count() == 10


@pytest.mark.django_db
def test_the_same_client_token_returns_the_first_order_and_takes_stock_once():
    from orders.models import Address

    sku = SKUFactory(price=Decimal("10.00"), stock=5)
    user = UserFactory()
    address = AddressFactory(user=user)

    first = order_create(user=user, address=address, lines=[CheckoutLine(sku_id=sku.pk, quantity=2)],
                         client_token="retry-key-0001")
    again = order_create(user=user, address=address, lines=[CheckoutLine(sku_id=sku.pk, quantity=2)],
                         client_token="retry-key-0001")

    assert again.pk == first.pk
    assert Order.objects.filter(user=user).count() == 1
    sku.refresh_from_db()
    assert sku.stock == 3
    assert Address.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_requests_with_one_client_token_make_one_order():
    sku = SKUFactory(price=Decimal("10.00"), stock=50)
    user = UserFactory()
    address = AddressFactory(user=user)

    numbers = run_parallel(8, lambda _: order_create(
        user=user, address=address, client_token="same-tap-0001",
        lines=[CheckoutLine(sku_id=sku.pk, quantity=1)]).number)

    assert len(numbers) == 8
    assert len(set(numbers)) == 1
    assert Order.objects.filter(user=user).count() == 1
    sku.refresh_from_db()
    assert sku.stock == 49


@pytest.mark.django_db
def test_an_order_number_already_taken_makes_the_attempt_again_whole(monkeypatch):
    """Given an order number that is already taken, when checkout draws it first, the
    attempt is rolled back whole and made again with a new number: one order, one item,
    one created event, stock taken once."""
    from orders.services import checkout as checkout_module

    sku = SKUFactory(price=Decimal("10.00"), stock=5)
    other = UserFactory()
    taken = order_create(user=other, address=AddressFactory(user=other),
                         lines=[CheckoutLine(sku_id=sku.pk, quantity=1)])
    user = UserFactory()
    drawn = iter([taken.number, "Q2026120500000001"])
    monkeypatch.setattr(checkout_module, "order_number_new", lambda: next(drawn))

    order = order_create(user=user, address=AddressFactory(user=user),
                         lines=[CheckoutLine(sku_id=sku.pk, quantity=2)], client_token="clash-0001")

    assert order.number == "Q2026120500000001"
    assert Order.objects.filter(user=user).count() == 1
    assert OrderItem.objects.filter(order__user=user).count() == 1
    assert OrderEvent.objects.filter(order__user=user, kind="created").count() == 1
    sku.refresh_from_db()
    assert sku.stock == 2  # 5 - 1 - 2: the rolled-back attempt took nothing
