"""``seed_demo``: builds the demo catalogue and logins, and a second run changes nothing.

Each full run takes a few seconds (64 products, 128 drawn images), so images are drawn small.
"""

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from mall.demo.seed import ean13
from mall.models import (
    SKU,
    Category,
    MaterialImage,
    Product,
    ProductImage,
    ProductMaterial,
    RecommendedProduct,
    Shop,
    ShopProduct,
    Supplier,
    User,
)

pytestmark = pytest.mark.django_db

ROOTS = {"母婴", "美妆个护", "休闲食品", "生鲜", "家居日用", "服饰", "数码", "健康"}
RESELLER_PHONES = [f"1380000000{i}" for i in range(1, 6)]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", image_size=96, stdout=out)
    return out.getvalue()


def _snapshot() -> dict:
    """Everything the command writes, row by row."""
    return {
        "categories": sorted(Category.objects.values_list("pk", "name", "parent_id", "lft", "rght",
                                                          "icon")),
        "suppliers": sorted(Supplier.objects.values_list("pk", "name")),
        "products": sorted(Product.objects.values_list("pk", "title", "status", "sales_count",
                                                       "updated_at")),
        "skus": sorted(SKU.objects.values_list("pk", "spec_key", "price", "cost_price", "stock",
                                               "barcode", "updated_at")),
        "images": sorted(ProductImage.objects.values_list("pk", "image")),
        "users": sorted(User.objects.values_list("pk", "phone", "password")),
        "shops": sorted(Shop.objects.values_list("pk", "name", "owner_id", "avatar")),
        "listings": sorted(ShopProduct.objects.values_list("pk", "shop_id", "product_id", "sort_order")),
    }


def test_seed_demo_builds_the_demo_and_a_second_run_changes_nothing(settings):
    out = _seed()
    first = _snapshot()
    second_out = _seed()

    roots = Category.objects.filter(parent__isnull=True)
    assert set(roots.values_list("name", flat=True)) == ROOTS
    assert all(2 <= root.get_children().count() <= 4 for root in roots)
    assert Supplier.objects.count() == 3
    products = Product.objects.all()
    assert products.count() == 64
    assert all(product.skus.exists() for product in products)
    assert ProductImage.objects.count() == 128
    assert all(Path(settings.MEDIA_ROOT, name).is_file() for _, name in first["images"])
    assert Shop.objects.filter(is_platform=True).count() == 1
    shops = Shop.objects.filter(is_platform=False).select_related("owner").order_by("owner__phone")
    assert [shop.owner.phone for shop in shops] == RESELLER_PHONES
    assert all(8 <= shop.listings.count() <= 15 for shop in shops)
    staff = User.objects.get(phone="13800000000")
    assert (staff.is_staff, staff.is_superuser, staff.check_password("admin12345")) == (True, True, True)
    assert User.objects.get(phone="13900000001").check_password("quanzi123")
    assert all(User.objects.get(phone=p).check_password("quanzi123") for p in RESELLER_PHONES)
    assert "[64/64] 商品" in out
    # 我的小店: the recommended selection for new shops, 素材 for the best sellers, 小雨's cover and pin
    assert RecommendedProduct.objects.count() == 6
    assert ProductMaterial.objects.count() == 10 and MaterialImage.objects.exists()
    xiaoyu = Shop.objects.get(owner__phone="13800000001")
    assert xiaoyu.cover and xiaoyu.listings.filter(is_pinned=True).count() == 1
    assert "13800000000   password admin12345" in out
    assert "13900000001   password quanzi123" in out

    assert _snapshot() == first
    assert "created now: 0 categories, 0 suppliers, 0 products (0 SKUs, 0 images), 0 users, " \
        "0 shops, 0 listings" in second_out
    assert "13800000000   password admin12345" in second_out


def test_seed_demo_catalogue_makes_sense(monkeypatch):
    monkeypatch.setenv("DJANGO_DEMO_ADMIN_PASSWORD", "Another-Pass-42")

    _seed()

    skus = list(SKU.objects.select_related("product"))
    margins = {(sku.price - sku.cost_price) / sku.price for sku in skus}
    assert all(Decimal("0.19") <= m <= Decimal("0.51") for m in margins)
    barcodes = [sku.barcode for sku in skus]
    assert len(set(barcodes)) == len(barcodes)
    assert all(len(b) == 13 and b.isdigit() and ean13(b[:12]) == b for b in barcodes)
    sold_out = [sku for sku in skus if sku.stock == 0]
    assert 3 <= len(sold_out) <= len(skus) // 10
    assert Product.objects.filter(status=Product.Status.OFF_SHELF).count() == 3
    # Spec options multiply out into SKUs, some with their own price.
    tee = Product.objects.get(title="棉时光 女士纯棉宽松短袖T恤")
    assert tee.skus.count() == 12
    serum = Product.objects.get(title="水漾 玻尿酸补水保湿精华液")
    assert dict(serum.skus.values_list("spec_key", "price")) == {
        "规格:30ml": Decimal("159.00"), "规格:50ml": Decimal("239.00")}
    assert "<table" in serum.description
    assert "玻尿酸" in serum.description
    staff = User.objects.get(phone="13800000000")
    assert staff.check_password("Another-Pass-42")
    assert not staff.check_password("admin12345")


def test_seed_demo_refuses_production_settings(monkeypatch):
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "config.settings.production")

    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", stdout=StringIO())

    assert not Product.objects.exists()
    assert not User.objects.exists()


def test_ean13_check_digit():
    # The worked example from the GS1 specification.
    assert ean13("400638133393") == "4006381333931"
