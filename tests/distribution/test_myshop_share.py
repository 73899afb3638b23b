"""Sharing: the product poster (750×1334, its QR decodes to the product in the reseller's shop
with the invite code), cached by content; product share links land in the inviter's shop with
"小雨邀请你" and a sign-up that binds to the inviter; the 我的小店 API; 素材; privacy."""

import re
from decimal import Decimal
from html import unescape
from io import BytesIO

import pytest
import zxingcpp
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from distribution.models import Member
from mall.models import MaterialImage, Product, ProductMaterial, ShopProduct
from mall.services.accounts import phone_code_send
from mall.services.catalog import sku_set_price
from mall.services.shops import shop_list_product
from mall.sms import backends as sms_backends
from tests.distribution.myshop_world import one_sku, shop_world, signed_in

pytestmark = pytest.mark.django_db
PHONE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def decode_qr(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(BytesIO(png)))
    assert len(results) == 1, "exactly one QR code on the poster"
    return results[0].text


def test_the_poster_is_750_by_1334_and_its_qr_opens_the_product_in_my_shop_with_my_invite_code(client):
    world = shop_world()
    product = one_sku("59.90", "30.00").product
    signed_in(client, world.seller)

    response = client.get(reverse("myshop:poster", args=[product.pk]))

    assert response["Content-Type"] == "image/png"
    assert Image.open(BytesIO(response.content)).size == (750, 1334)
    url = decode_qr(response.content)
    assert url == f"http://testserver/s/{world.seller.invite_code}/p/{product.pk}?src=poster"

    visitor = Client()
    landed = visitor.get(url.removeprefix("http://testserver"))
    assert landed.status_code == 302 and landed.url == reverse("mall:product", args=[product.pk])
    assert visitor.session["invite_code"] == world.seller.invite_code
    assert visitor.session["invite_source"] == "qr"  # a poster is scanned: bound as a QR code
    assert visitor.session["shop_id"] == world.shop.pk


def test_the_poster_is_cached_by_content_and_a_price_change_draws_a_new_one(client):
    world = shop_world()
    item = one_sku("59.90", "30.00")
    signed_in(client, world.seller)
    url = reverse("myshop:poster", args=[item.product_id])

    first, again = client.get(url), client.get(url)
    sku_set_price(sku_id=item.pk, price=Decimal("49.90"))
    cheaper = client.get(url)

    assert first["ETag"] == again["ETag"] and first.content == again.content
    assert cheaper["ETag"] != first["ETag"] and cheaper.content != first.content
    assert cache.get(f"distribution:product-poster:v1:{first['ETag'].strip(chr(34))}") == first.content


def test_no_poster_or_materials_for_an_off_shelf_product(client):
    world = shop_world()
    product = one_sku().product
    Product.objects.filter(pk=product.pk).update(status=Product.Status.OFF_SHELF)
    signed_in(client, world.seller)

    for name in ("myshop:poster", "myshop:materials"):
        response = client.get(reverse(name, args=[product.pk]))
        assert response.status_code == 404
        assert "商品不存在或已下架。" in unescape(response.content.decode())


def test_a_product_link_says_who_invited_me_and_sign_up_binds_me_to_the_inviter(client):
    world = shop_world()
    world.seller.user.nickname = "小雨"
    world.seller.user.save(update_fields=["nickname"])
    product = one_sku().product

    landed = client.get(f"/s/{world.seller.invite_code}/p/{product.pk}?src=link", follow=True)
    page = unescape(landed.content.decode())
    assert "小雨邀请你" in page and 'data-testid="invite-signup"' in page
    strip = page[page.index('data-testid="shop-strip"'):]
    assert "小雨的店" in strip[:600]  # the product is shown (and bought) in her shop

    phone_code_send(phone="13712345678", purpose="signup", ip="198.51.100.1")
    code = sms_backends.outbox[-1].params["code"]
    client.post(reverse("mall:signup"), {"phone": "13712345678", "code": code, "password": "Quanzi-test-123",
                                         "invite_code": client.session["invite_code"]})

    newcomer = Member.objects.get(user__phone="13712345678")
    assert newcomer.parent_id == world.seller.pk
    assert newcomer.bind_source == "link"
    assert client.session["shop_id"] == world.shop.pk  # still browsing her shop after sign-up
    assert "邀请你" not in unescape(client.get(reverse("mall:product", args=[product.pk])).content.decode())


def test_a_link_to_a_product_now_off_shelf_lands_on_the_inviters_shop(client):
    world = shop_world()
    product = one_sku().product
    Product.objects.filter(pk=product.pk).update(status=Product.Status.OFF_SHELF)

    response = client.get(f"/s/{world.seller.invite_code}/p/{product.pk}/?src=qr")

    assert response.url == reverse("mall:shop", args=[world.shop.pk])
    assert client.session["invite_code"] == world.seller.invite_code


def test_materials_page_lists_copy_texts_and_pictures(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = shop_world()
    product = one_sku().product
    material = ProductMaterial.objects.create(product=product, text="夏天就要清爽一点 #好物")
    MaterialImage.objects.create(material=material, image=SimpleUploadedFile("a.png", b"x"))
    ProductMaterial.objects.create(product=product, text="不展示", is_active=False)
    signed_in(client, world.seller)

    page = unescape(client.get(reverse("myshop:materials", args=[product.pk])).content.decode())

    assert 'data-copy="夏天就要清爽一点 #好物"' in page
    assert page.count('data-testid="material-image"') == 1
    assert "不展示" not in page


# --- API ----------------------------------------------------------------------------------------


def api(member: Member) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=member.user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_api_picks_toggle_pin_move_and_share():
    world = shop_world()
    a, b = one_sku().product, one_sku("200.00", "100.00").product
    client = api(world.seller)

    picks = client.get("/api/v1/distribution/my-shop/picks/", {"sort": "commission"}).json()
    assert [r["product_id"] for r in picks["results"]] == [b.pk, a.pk]
    assert picks["results"][0]["earning"] == "20.00" and picks["results"][0]["in_shop"] is False

    assert client.post(f"/api/v1/distribution/my-shop/products/{a.pk}/toggle/").json() == {"in_shop": True}
    assert client.post(f"/api/v1/distribution/my-shop/products/{b.pk}/toggle/").json() == {"in_shop": True}
    assert client.post(f"/api/v1/distribution/my-shop/products/{b.pk}/pin/", {"pinned": True},
                       format="json").json()["pinned"] is True
    moved = client.post(f"/api/v1/distribution/my-shop/products/{a.pk}/move/", {"offset": -1}, format="json")
    assert moved.json() == {"product_ids": [b.pk, a.pk]}  # a pinned product stays above

    share = client.get(f"/api/v1/distribution/my-shop/products/{a.pk}/share/").json()
    code = world.seller.invite_code
    assert share["links"] == {src: f"http://testserver/s/{code}/p/{a.pk}?src={src}"
                              for src in ("link", "qr", "poster")}


def test_api_refuses_another_resellers_shop_an_off_shelf_product_and_bad_pictures_changing_nothing(
        settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = shop_world()
    product = one_sku().product
    off = one_sku().product
    Product.objects.filter(pk=off.pk).update(status=Product.Status.OFF_SHELF)
    shop_list_product(shop=world.shop, product_id=product.pk)
    client = api(world.seller)
    base = "/api/v1/distribution/my-shop"

    theirs = client.post(f"{base}/products/{product.pk}/pin/",
                         {"pinned": True, "shop_id": world.other_shop.pk}, format="json")
    off_shelf = client.post(f"{base}/products/{off.pk}/toggle/")
    not_image = client.post(f"{base}/profile/",
                            {"name": "改", "logo": SimpleUploadedFile("a.png", b"GIF89a?")},
                            format="multipart")
    huge = client.post(f"{base}/profile/",
                       {"cover": SimpleUploadedFile("c.jpg", b"\xff\xd8" * (10 * 1024 * 1024))},
                       format="multipart")

    assert (theirs.status_code, theirs.json()["code"]) == (403, "shop_not_yours")
    assert theirs.json()["detail"] == "这不是你的小店，只能管理自己的小店。"
    assert (off_shelf.status_code, off_shelf.json()["code"]) == (404, "product_not_found")
    assert (not_image.status_code, not_image.json()["code"]) == (400, "image_invalid")
    assert (huge.status_code, huge.json()["code"]) == (413, "image_too_large")
    assert list(ShopProduct.objects.filter(shop=world.shop).values_list("product_id", "is_pinned")) == [
        (product.pk, False)]
    world.shop.refresh_from_db()
    assert (world.shop.name, world.shop.avatar.name, world.shop.cover.name) == ("小雨的店", "", "")
    assert list(tmp_path.iterdir()) == []


def test_a_shopper_gets_403_from_the_my_shop_api():
    world = shop_world()

    response = api(world.buyer).get("/api/v1/distribution/my-shop/picks/")

    assert (response.status_code, response.json()["code"]) == (403, "not_a_reseller")


# --- privacy ------------------------------------------------------------------------------------


def test_no_full_phone_number_of_anyone_else_on_the_reseller_pages_and_api(client):
    world = shop_world()
    for member in (world.buyer, world.seller):
        member.user.nickname = ""
        member.user.save(update_fields=["nickname"])
    product = one_sku().product
    shop_list_product(shop=world.shop, product_id=product.pk)
    ProductMaterial.objects.create(product=product, text="好物")
    signed_in(client, world.seller)
    token_client = api(world.seller)

    bodies = [client.get(url).content.decode() for url in (
        reverse("myshop:shop"), reverse("myshop:picks"), reverse("myshop:profile"),
        reverse("myshop:materials", args=[product.pk]), reverse("mall:product", args=[product.pk]),
        reverse("mall:shop", args=[world.shop.pk]), reverse("distribution:center"))]
    bodies += [token_client.get(url).content.decode() for url in (
        "/api/v1/distribution/my-shop/picks/", f"/api/v1/distribution/my-shop/products/{product.pk}/share/")]
    visitor = Client()
    visitor.get(f"/s/{world.seller.invite_code}/p/{product.pk}")
    bodies.append(visitor.get(reverse("mall:product", args=[product.pk])).content.decode())

    own = world.seller.user.phone
    found = {number for body in bodies for number in PHONE_RE.findall(body)} - {own}
    assert found == set()
    assert world.seller.user.masked_phone in bodies[-1]  # the visitor sees the inviter's masked number
