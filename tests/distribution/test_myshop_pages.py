"""我的小店 and 选品 pages: one-tap add/remove, pins and order, the profile with its pictures,
the product page's toggle, bad input (off shelf, another reseller's shop id, not a picture,
20 MB) refused in zh-hans with nothing changed, and the query counts with 200 products."""

from decimal import Decimal
from html import unescape
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from mall.models import Product, Shop, ShopProduct
from mall.selectors import shop_listed_product_ids
from mall.services.shops import shop_list_product
from tests.distribution.myshop_world import catalogue, one_sku, shop_world, signed_in
from tests.mall.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return unescape(response.content.decode())


def picture(fmt: str = "PNG") -> bytes:
    out = BytesIO()
    Image.new("RGB", (640, 480), (30, 120, 200)).save(out, fmt)
    return out.getvalue()


def test_picks_sort_by_the_commission_i_would_earn_and_show_it(client):
    world = shop_world()
    products = catalogue(12)
    signed_in(client, world.seller)

    response = client.get(reverse("myshop:picks"), {"sort": "commission"})

    rows = response.context["result"].rows
    earnings = [row.earning for row in rows]
    assert earnings == sorted(earnings, reverse=True)
    # product 11: price 111, margin 21 covers tier 1 (11.10) and tier 2 (5.55) in full; product 10
    # (110, margin 16) is capped, so the dearest product does not win
    assert earnings[0] == Decimal("11.10")
    assert rows[0].product_id == products[11].pk
    assert "赚 ¥11.10" in text(response)


def test_picks_filter_by_category_search_and_sort_by_price(client):
    world = shop_world()
    parent = CategoryFactory(name="美妆")
    child = CategoryFactory(name="面膜", parent=parent)
    in_child = catalogue(3, category=child)
    catalogue(4)
    signed_in(client, world.seller)

    by_category = client.get(reverse("myshop:picks"), {"category": parent.pk, "sort": "price_desc"})
    searched = client.get(reverse("myshop:picks"), {"q": "商品001", "category": parent.pk})

    assert [r.product_id for r in by_category.context["result"].rows] == [p.pk for p in reversed(in_child)]
    assert [r.product_id for r in searched.context["result"].rows] == [in_child[1].pk]


def test_one_tap_adds_and_one_tap_removes(client):
    world = shop_world()
    product = one_sku().product
    signed_in(client, world.seller)
    url = reverse("myshop:toggle", args=[product.pk])

    added = client.post(url, {"shop_id": world.shop.pk}, follow=True)
    assert shop_listed_product_ids(shop=world.shop) == [product.pk]
    assert "已加入你的小店。" in text(added)

    removed = client.post(url, {"shop_id": world.shop.pk}, follow=True)
    assert shop_listed_product_ids(shop=world.shop) == []
    assert "已从你的小店移除。" in text(removed)


def test_an_off_shelf_product_is_refused_with_a_message_and_nothing_changes(client):
    world = shop_world()
    product = one_sku().product
    Product.objects.filter(pk=product.pk).update(status=Product.Status.OFF_SHELF)
    signed_in(client, world.seller)

    response = client.post(reverse("myshop:toggle", args=[product.pk]), {"shop_id": world.shop.pk},
                           follow=True)

    assert "商品不存在或已下架。" in text(response)
    assert not ShopProduct.objects.filter(shop=world.shop).exists()


def test_another_resellers_shop_id_is_refused_with_a_message_and_nothing_changes(client):
    world = shop_world()
    product = one_sku().product
    shop_list_product(shop=world.shop, product_id=product.pk)
    signed_in(client, world.seller)

    for name, data in (("toggle", {}), ("pin", {"pinned": "1"}), ("move", {"direction": "down"})):
        response = client.post(reverse(f"myshop:{name}", args=[product.pk]),
                               {"shop_id": world.other_shop.pk, **data}, follow=True)
        assert "这不是你的小店，只能管理自己的小店。" in text(response)
    profile = client.post(reverse("myshop:profile"), {"shop_id": world.other_shop.pk, "name": "改名"})

    assert "这不是你的小店，只能管理自己的小店。" in text(profile)
    assert list(ShopProduct.objects.filter(shop=world.shop).values_list("product_id", "is_pinned")) == [
        (product.pk, False)]
    assert not ShopProduct.objects.filter(shop=world.other_shop).exists()
    assert Shop.objects.get(pk=world.shop.pk).name == "小雨的店"
    assert Shop.objects.get(pk=world.other_shop.pk).name == "阿杰的店"


def test_pin_and_move_on_my_shop_page(client):
    world = shop_world()
    a, b, c = (one_sku().product for _ in range(3))
    for p in (a, b, c):
        shop_list_product(shop=world.shop, product_id=p.pk)
    signed_in(client, world.seller)

    client.post(reverse("myshop:pin", args=[c.pk]), {"shop_id": world.shop.pk, "pinned": "1"})
    client.post(reverse("myshop:move", args=[b.pk]), {"shop_id": world.shop.pk, "direction": "up"})
    page = client.get(reverse("myshop:shop"))

    assert [row.product_id for row in page.context["rows"]] == [c.pk, b.pk, a.pk]
    assert page.context["rows"][0].is_pinned
    assert "置顶" in text(page)


def test_profile_sets_name_intro_logo_and_cover_resized(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = shop_world()
    signed_in(client, world.seller)

    response = client.post(reverse("myshop:profile"), {
        "shop_id": world.shop.pk, "name": "小雨优选", "intro": "每天一件好物",
        "logo": SimpleUploadedFile("logo.png", picture()),
        "cover": SimpleUploadedFile("c.jpg", picture("JPEG")),
    }, follow=True)

    shop = Shop.objects.get(pk=world.shop.pk)
    assert (shop.name, shop.intro) == ("小雨优选", "每天一件好物")
    assert Image.open(shop.avatar.path).size == (400, 400)
    assert Image.open(shop.cover.path).size == (1080, 480)
    assert "店铺资料已更新。" in text(response)


@pytest.mark.parametrize(("upload", "message"), [
    (SimpleUploadedFile("logo.png", b"<html>not a picture</html>"), "这个文件不是图片"),
    (SimpleUploadedFile("logo.jpg", b"\xff\xd8" + b"0" * (20 * 1024 * 1024)), "图片太大了"),
])
def test_a_bad_logo_is_refused_in_chinese_and_nothing_changes(client, settings, tmp_path, upload, message):
    settings.MEDIA_ROOT = tmp_path
    world = shop_world()
    signed_in(client, world.seller)

    response = client.post(reverse("myshop:profile"), {"shop_id": world.shop.pk, "name": "新名字",
                                                       "logo": upload})

    assert response.status_code == 200
    assert message in response.context["form"].errors["logo"][0]
    assert message in text(response)
    shop = Shop.objects.get(pk=world.shop.pk)
    assert (shop.name, shop.avatar.name) == ("小雨的店", "")
    assert list(tmp_path.iterdir()) == []


def test_the_product_page_toggles_add_to_my_shop_and_in_my_shop(client):
    world = shop_world()
    product = one_sku().product
    signed_in(client, world.seller)
    url = reverse("mall:product", args=[product.pk])

    assert "加入我的小店" in text(client.get(url))
    client.post(reverse("myshop:toggle", args=[product.pk]), {"shop_id": world.shop.pk, "next": url})
    page = text(client.get(url))

    assert "已在小店" in page and "加入我的小店" not in page
    assert f"/s/{world.seller.invite_code}/p/{product.pk}?src=link" in page  # the share sheet's link


def test_shoppers_see_no_shop_toggle_and_are_sent_away_from_the_reseller_pages(client):
    world = shop_world()
    product = one_sku().product
    signed_in(client, world.buyer)

    assert "加入我的小店" not in text(client.get(reverse("mall:product", args=[product.pk])))
    response = client.get(reverse("myshop:picks"))
    assert response.status_code == 302 and response.url == reverse("distribution:center")


def test_picks_and_shop_pages_stay_within_10_queries_with_200_products(
        client, django_assert_max_num_queries, django_capture_on_commit_callbacks):
    world = shop_world()
    products = catalogue(200, with_images=True)
    for product in products:
        shop_list_product(shop=world.shop, product_id=product.pk)
    signed_in(client, world.seller)
    urls = (reverse("myshop:picks"), reverse("myshop:picks") + "?sort=price_asc", reverse("myshop:shop"),
            reverse("mall:shop", args=[world.shop.pk]), reverse("mall:product", args=[products[0].pk]))
    with django_capture_on_commit_callbacks(execute=True):
        for url in urls:
            client.get(url)  # the session rows exist, the rules are cached (as after any first visit)

    # The product page is not a list: its own budget covers the shop context, 分享赚, the 口碑
    # summary (orders) and the coupon chips (promotions: the category's ancestors, the templates).
    # A signed-in member's tab bar also asks crm for the 我的 dot (one indexed COUNT).
    for url, most in zip(urls, (10, 10, 10, 10, 13), strict=True):
        with django_assert_max_num_queries(most):
            response = client.get(url)
        assert response.status_code == 200
    client.logout()
    with django_assert_max_num_queries(9):
        assert client.get(reverse("mall:shop", args=[world.shop.pk])).status_code == 200
