from decimal import Decimal

import pytest

from mall.errors import InsufficientStock, InvalidPrice, InvalidSpecs, SKUNotFound, StockBelowZero
from mall.models import SKU
from mall.services.catalog import (
    product_create,
    sku_adjust_stock,
    sku_release_stock,
    sku_reserve_stock,
    sku_set_price,
)
from tests.mall.factories import CategoryFactory, SKUFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def test_product_create_makes_one_sku_per_spec_combination():
    product = product_create(
        supplier=SupplierFactory(), category=CategoryFactory(), title="纯棉T恤",
        price="59.90", cost_price="30.00", stock=5,
        spec_options=[{"name": "颜色", "values": ["白", "黑"]},
                      {"name": "尺码", "values": ["S", "M", "L"]}],
    )

    skus = list(product.skus.order_by("id"))
    assert len(skus) == 6
    assert {s.spec_key for s in skus} == {
        f"尺码:{size};颜色:{color}" for color in ("白", "黑") for size in ("S", "M", "L")
    }
    assert all(s.price == Decimal("59.90") and s.stock == 5 for s in skus)


@pytest.mark.parametrize("spec_options", [
    [{"name": "颜色", "values": []}],
    [{"name": "", "values": ["红"]}],
    [{"name": "颜色", "values": ["红", "红"]}],
    [{"name": "颜色", "values": ["红"]}, {"name": "颜色", "values": ["蓝"]}],
])
def test_product_create_refuses_bad_specs_and_creates_nothing(spec_options):
    with pytest.raises(InvalidSpecs):
        product_create(supplier=SupplierFactory(), category=CategoryFactory(), title="x",
                       price="1.00", cost_price="0.50", spec_options=spec_options)
    assert not SKU.objects.exists()


def test_sku_set_price_changes_price_and_cost():
    sku = SKUFactory(price=Decimal("10.00"), cost_price=Decimal("5.00"))

    sku_set_price(sku_id=sku.pk, price="12.30", cost_price="6.10")

    sku.refresh_from_db()
    assert (sku.price, sku.cost_price) == (Decimal("12.30"), Decimal("6.10"))


@pytest.mark.parametrize("bad", ["0", "-1", "1.234", "abc"])
def test_sku_set_price_refuses_bad_price(bad):
    sku = SKUFactory(price=Decimal("10.00"))

    with pytest.raises(InvalidPrice):
        sku_set_price(sku_id=sku.pk, price=bad)

    sku.refresh_from_db()
    assert sku.price == Decimal("10.00")


def test_sku_set_price_unknown_sku():
    with pytest.raises(SKUNotFound):
        sku_set_price(sku_id=999999, price="1.00")


def test_sku_adjust_stock_adds_and_removes():
    sku = SKUFactory(stock=3)

    assert sku_adjust_stock(sku_id=sku.pk, delta=7) == 10
    assert sku_adjust_stock(sku_id=sku.pk, delta=-10) == 0


def test_sku_adjust_stock_refuses_going_below_zero():
    sku = SKUFactory(stock=3)

    with pytest.raises(StockBelowZero):
        sku_adjust_stock(sku_id=sku.pk, delta=-4)

    sku.refresh_from_db()
    assert sku.stock == 3


def test_sku_reserve_and_release_stock():
    sku = SKUFactory(stock=2)

    sku_reserve_stock(sku_id=sku.pk, quantity=2)
    with pytest.raises(InsufficientStock):
        sku_reserve_stock(sku_id=sku.pk, quantity=1)
    sku_release_stock(sku_id=sku.pk, quantity=1)

    sku.refresh_from_db()
    assert sku.stock == 1


def test_product_without_an_active_sku_cannot_go_on_shelf():
    from mall.errors import ProductNotSellable
    from mall.models import Product
    from mall.services.catalog import product_set_status

    sku = SKUFactory(is_active=False, product__status=Product.Status.OFF_SHELF)

    with pytest.raises(ProductNotSellable):
        product_set_status(product=sku.product, on_shelf=True)

    sku.product.refresh_from_db()
    assert sku.product.status == Product.Status.OFF_SHELF
