"""我的小店 in the mall: the recommended selection a new shop starts with, pins, moves, the
owner check on a shop id, and the logo / cover pictures (type, size, resize)."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from mall import selectors
from mall.errors import ImageInvalid, ImageTooLarge, NotYourShop, ProductNotFound, ProductNotInShop
from mall.models import Product, RecommendedProduct, Shop, ShopProduct
from mall.services import shops
from mall.services.shop_images import LOGO_SIZE, shop_image_clean
from tests.mall.factories import ProductFactory, ShopFactory, UserFactory

pytestmark = pytest.mark.django_db


def zh(message) -> str:
    with translation.override("zh-hans"):
        return str(message)


def png(size=(800, 600), color=(200, 30, 30), fmt="PNG") -> bytes:
    out = BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


def test_a_new_shop_starts_with_the_recommended_selection_in_order_without_off_shelf_products():
    a, b, off = ProductFactory(), ProductFactory(), ProductFactory()
    RecommendedProduct.objects.create(product=b, sort_order=1)
    RecommendedProduct.objects.create(product=a, sort_order=2)
    RecommendedProduct.objects.create(product=off, sort_order=0)
    Product.objects.filter(pk=off.pk).update(status=Product.Status.OFF_SHELF)

    shop = shops.shop_open(owner=UserFactory(), name="小雨的店")

    assert selectors.shop_listed_product_ids(shop=shop) == [b.pk, a.pk]


def test_an_existing_shop_is_not_filled_with_the_selection_afterwards():
    shop = ShopFactory()
    RecommendedProduct.objects.create(product=ProductFactory())

    assert selectors.shop_listed_product_ids(shop=shop) == []


def test_pinned_products_come_first_and_moves_stay_within_their_group():
    shop = ShopFactory()
    p1, p2, p3 = (ProductFactory() for _ in range(3))
    for p in (p1, p2, p3):
        shops.shop_list_product(shop=shop, product_id=p.pk)

    shops.shop_pin_product(shop=shop, product_id=p3.pk, pinned=True)
    assert selectors.shop_listed_product_ids(shop=shop) == [p3.pk, p1.pk, p2.pk]

    assert shops.shop_move_product(shop=shop, product_id=p2.pk, offset=-1) == [p3.pk, p2.pk, p1.pk]
    assert selectors.shop_listed_product_ids(shop=shop) == [p3.pk, p2.pk, p1.pk]
    # an unpinned product never jumps above a pinned one
    assert shops.shop_move_product(shop=shop, product_id=p2.pk, offset=-5) == [p3.pk, p2.pk, p1.pk]
    shops.shop_pin_product(shop=shop, product_id=p3.pk, pinned=False)
    assert selectors.shop_listed_product_ids(shop=shop) == [p3.pk, p2.pk, p1.pk]


def test_pin_or_move_of_a_product_not_in_the_shop_is_refused_and_changes_nothing():
    shop = ShopFactory()
    listed, other = ProductFactory(), ProductFactory()
    shops.shop_list_product(shop=shop, product_id=listed.pk)

    with pytest.raises(ProductNotInShop) as pin:
        shops.shop_pin_product(shop=shop, product_id=other.pk, pinned=True)
    with pytest.raises(ProductNotInShop):
        shops.shop_move_product(shop=shop, product_id=other.pk, offset=1)

    assert zh(pin.value.message) == "这件商品不在你的小店里。"
    assert list(ShopProduct.objects.values_list("product_id", "is_pinned", "sort_order")) == [
        (listed.pk, False, 0)]


def test_an_off_shelf_product_cannot_be_listed():
    shop = ShopFactory()
    off = ProductFactory(status=Product.Status.OFF_SHELF)

    with pytest.raises(ProductNotFound):
        shops.shop_list_product(shop=shop, product_id=off.pk)

    assert not ShopProduct.objects.exists()


def test_another_resellers_shop_id_is_refused():
    mine, theirs = ShopFactory(), ShopFactory()

    assert selectors.shop_get_owned(owner=mine.owner, shop_id=mine.pk) == mine
    assert selectors.shop_get_owned(owner=mine.owner) == mine
    with pytest.raises(NotYourShop) as refused:
        selectors.shop_get_owned(owner=mine.owner, shop_id=theirs.pk)
    assert refused.value.status == 403
    assert zh(refused.value.message) == "这不是你的小店，只能管理自己的小店。"


def test_a_logo_is_cropped_to_a_square_and_a_cover_to_the_banner_shape():
    logo = shop_image_clean(upload=SimpleUploadedFile("a.png", png((800, 600))), kind="logo")
    cover = shop_image_clean(upload=SimpleUploadedFile("b.webp", png((3000, 900), fmt="WEBP")), kind="cover")

    assert Image.open(BytesIO(logo.content)).size == LOGO_SIZE
    assert Image.open(BytesIO(cover.content)).size == (1080, 480)
    assert cover.extension == "jpg"


def test_a_file_that_is_not_a_picture_and_a_20_mb_upload_are_refused_and_nothing_changes(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    shop = ShopFactory()
    logo = shop_image_clean(upload=SimpleUploadedFile("x.png", png()), kind="logo")
    shops.shop_update(shop=shop, logo=logo)
    before = Shop.objects.get(pk=shop.pk).avatar.name

    with pytest.raises(ImageInvalid) as invalid:
        shop_image_clean(upload=SimpleUploadedFile("fake.png", b"%PDF-1.4 not a picture"), kind="logo")
    big = SimpleUploadedFile("big.jpg", png(fmt="JPEG") + b"\0" * (20 * 1024 * 1024))
    with pytest.raises(ImageTooLarge) as too_large:
        shop_image_clean(upload=big, kind="cover")

    assert zh(invalid.value.message) == "这个文件不是图片，请选择 JPEG、PNG 或 WebP 格式的图片。"
    assert zh(too_large.value.message) == "图片太大了，请选择不超过 5 MB 的图片。"
    assert Shop.objects.get(pk=shop.pk).avatar.name == before
