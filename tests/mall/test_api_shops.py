"""/api/v1/shops/... (public) and /api/v1/my-shop/... (the signed-in owner's own shop only)."""

from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from mall.models import Product, Shop, ShopProduct
from mall.services.shops import platform_shop_get
from tests.mall.factories import ProductFactory, ShopFactory, SKUFactory, UserFactory

pytestmark = pytest.mark.django_db

SHOP_NOT_FOUND = {"code": "shop_not_found", "detail": "This shop does not exist or is closed."}
PRODUCT_NOT_FOUND = {"code": "product_not_found",
                     "detail": "This product does not exist or is no longer on sale."}


@pytest.fixture
def client() -> APIClient:
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


def _owner_client(shop: Shop) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=shop.owner).key}")
    return client


def _listed(shop: Shop) -> list[int]:
    return list(shop.listings.order_by("sort_order", "id").values_list("product_id", flat=True))


def _list(shop: Shop, *products: Product) -> None:
    for position, product in enumerate(products):
        ShopProduct.objects.create(shop=shop, product=product, sort_order=position)


def _product(title: str, **kwargs) -> Product:
    product = ProductFactory(title=title, **kwargs)
    SKUFactory(product=product, price=Decimal("10.00"))
    return product


# --- public shop pages --------------------------------------------------------------------


def test_platform_shop(client):
    response = client.get("/api/v1/shops/platform/")

    shop = Shop.objects.get(is_platform=True)
    assert response.status_code == 200
    assert response.json() == {"id": shop.pk, "name": shop.name, "intro": shop.intro, "avatar": None,
                               "is_platform": True, "owner_name": ""}


def test_shop_detail(client):
    shop = ShopFactory(name="小王的店", intro="好物分享", owner__nickname="小王", avatar="shops/a.png")

    response = client.get(f"/api/v1/shops/{shop.pk}/")

    assert response.status_code == 200
    assert response.json() == {"id": shop.pk, "name": "小王的店", "intro": "好物分享",
                               "avatar": "http://testserver/media/shops/a.png", "is_platform": False,
                               "owner_name": "小王"}


def test_shop_owner_name_is_masked_phone_without_nickname(client):
    shop = ShopFactory(owner__phone="13812341234", owner__nickname="")

    assert client.get(f"/api/v1/shops/{shop.pk}/").json()["owner_name"] == "138****1234"


def test_shop_unknown_or_closed_is_404(client):
    closed = ShopFactory(is_active=False)

    for shop_id in (999999, closed.pk):
        for path in (f"/api/v1/shops/{shop_id}/", f"/api/v1/shops/{shop_id}/products/"):
            response = client.get(path)
            assert (response.status_code, response.json()) == (404, SHOP_NOT_FOUND)


def test_shop_products_in_shop_order_on_shelf_only(client):
    shop = ShopFactory()
    first, second = _product("第二个上架"), _product("第一个上架")
    off_shelf = _product("已下架", status=Product.Status.OFF_SHELF)
    _product("未选品")
    _list(shop, second, off_shelf, first)

    response = client.get(f"/api/v1/shops/{shop.pk}/products/")

    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert [item["id"] for item in response.json()["results"]] == [second.pk, first.pk]
    assert response.json()["results"][0]["min_price"] == "10.00"


def test_platform_shop_lists_the_whole_catalogue(client):
    platform = platform_shop_get()
    products = [_product(f"商品{n}") for n in range(3)]
    _product("下架", status=Product.Status.OFF_SHELF)

    response = client.get(f"/api/v1/shops/{platform.pk}/products/")

    assert sorted(item["id"] for item in response.json()["results"]) == [p.pk for p in products]


def test_shop_products_query_count(client, django_assert_max_num_queries):
    shop = ShopFactory()
    _list(shop, *[_product(f"商品{n}") for n in range(30)])

    with django_assert_max_num_queries(4):  # shop, count, page, images
        response = client.get(f"/api/v1/shops/{shop.pk}/products/", {"page_size": 50})

    assert len(response.json()["results"]) == 30


# --- my shop ------------------------------------------------------------------------------


def test_my_shop_needs_authentication(client):
    for method, path in [("get", "/api/v1/my-shop/"), ("patch", "/api/v1/my-shop/"),
                         ("post", "/api/v1/my-shop/products/"), ("delete", "/api/v1/my-shop/products/1/"),
                         ("put", "/api/v1/my-shop/products/order/")]:
        response = getattr(client, method)(path, {}, format="json")
        assert response.status_code == 401, path
        assert response.json()["code"] == "not_authenticated"


def test_my_shop_without_a_shop_is_404():
    member = UserFactory()
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(member)
    product = _product("商品")

    for method, path, body in [("get", "/api/v1/my-shop/", {}),
                               ("patch", "/api/v1/my-shop/", {"name": "新店"}),
                               ("post", "/api/v1/my-shop/products/", {"product_id": product.pk}),
                               ("delete", f"/api/v1/my-shop/products/{product.pk}/", {}),
                               ("put", "/api/v1/my-shop/products/order/", {"product_ids": [product.pk]})]:
        response = getattr(client, method)(path, body, format="json")
        assert (response.status_code, response.json()) == (404, SHOP_NOT_FOUND), path
    assert not Shop.objects.exists()
    assert not ShopProduct.objects.exists()


def test_my_shop_get(client):
    shop = ShopFactory(name="小王的店", intro="你好", owner__nickname="小王")

    response = _owner_client(shop).get("/api/v1/my-shop/")

    assert response.status_code == 200
    assert response.json() == {"id": shop.pk, "name": "小王的店", "intro": "你好", "avatar": None,
                               "is_platform": False, "owner_name": "小王", "is_active": True}


def test_my_shop_patch_name_and_intro():
    shop = ShopFactory(name="旧名", intro="旧介绍")

    response = _owner_client(shop).patch("/api/v1/my-shop/", {"name": " 新名 ", "intro": ""}, format="json")

    shop.refresh_from_db()
    assert (shop.name, shop.intro) == ("新名", "")
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["intro"]) == ("新名", "")


@pytest.mark.parametrize("body", [{"name": "  "}, {"name": "店" * 41}, {"intro": "介" * 201}])
def test_my_shop_patch_bad_input_is_400_and_changes_nothing(body):
    shop = ShopFactory(name="旧名", intro="旧介绍")

    response = _owner_client(shop).patch("/api/v1/my-shop/", body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["fields"]) == list(body)
    shop.refresh_from_db()
    assert (shop.name, shop.intro) == ("旧名", "旧介绍")


def test_my_shop_list_product_appends_and_is_idempotent():
    shop = ShopFactory()
    already, new = _product("已选"), _product("新选")
    _list(shop, already)
    client = _owner_client(shop)

    first = client.post("/api/v1/my-shop/products/", {"product_id": new.pk}, format="json")
    again = client.post("/api/v1/my-shop/products/", {"product_id": new.pk}, format="json")

    listing = ShopProduct.objects.get(shop=shop, product=new)
    assert first.status_code == 201
    assert first.json() == {"product_id": new.pk, "sort_order": 1,
                            "added_at": timezone.localtime(listing.added_at).isoformat()}
    assert again.json() == first.json()
    assert _listed(shop) == [already.pk, new.pk]


def test_my_shop_list_unknown_or_off_shelf_product_is_404_and_lists_nothing():
    shop = ShopFactory()
    off_shelf = _product("已下架", status=Product.Status.OFF_SHELF)
    client = _owner_client(shop)

    for product_id in (999999, off_shelf.pk):
        response = client.post("/api/v1/my-shop/products/", {"product_id": product_id}, format="json")
        assert (response.status_code, response.json()) == (404, PRODUCT_NOT_FOUND)
    assert _listed(shop) == []


def test_my_shop_list_product_bad_id_is_400():
    shop = ShopFactory()

    response = _owner_client(shop).post("/api/v1/my-shop/products/", {"product_id": "x"}, format="json")

    assert response.json() == {"code": "invalid", "detail": "product_id: A valid integer is required.",
                               "fields": {"product_id": ["A valid integer is required."]}}
    assert _listed(shop) == []


def test_my_shop_unlist_product():
    shop = ShopFactory()
    kept, removed = _product("留下"), _product("撤下")
    _list(shop, kept, removed)

    response = _owner_client(shop).delete(f"/api/v1/my-shop/products/{removed.pk}/")

    assert response.status_code == 204
    assert _listed(shop) == [kept.pk]


def test_my_shop_reorder_products():
    shop = ShopFactory()
    a, b, c, d = (_product(name) for name in "ABCD")
    _list(shop, a, b, c, d)

    response = _owner_client(shop).put("/api/v1/my-shop/products/order/",
                                       {"product_ids": [c.pk, a.pk, 999999]}, format="json")

    assert (response.status_code, response.json()) == (200, {"product_ids": [c.pk, a.pk, b.pk, d.pk]})
    assert _listed(shop) == [c.pk, a.pk, b.pk, d.pk]


@pytest.mark.parametrize("product_ids", [[], "abc", ["x"], "DUPLICATE"])
def test_my_shop_reorder_bad_input_is_400_and_changes_nothing(product_ids):
    shop = ShopFactory()
    a, b = _product("A"), _product("B")
    _list(shop, a, b)
    if product_ids == "DUPLICATE":
        product_ids = [b.pk, b.pk]

    response = _owner_client(shop).put("/api/v1/my-shop/products/order/", {"product_ids": product_ids},
                                       format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["fields"]) == ["product_ids"]
    assert _listed(shop) == [a.pk, b.pk]


def test_a_member_only_ever_reaches_their_own_shop():
    # given: two resellers, each with a listing; B knows A's shop and product ids
    shop_a, shop_b = ShopFactory(name="A店"), ShopFactory(name="B店")
    product = _product("共同商品")
    _list(shop_a, product)
    _list(shop_b, product)
    as_b = _owner_client(shop_b)

    # when: B manages "my shop"
    seen = as_b.get("/api/v1/my-shop/").json()["id"]
    as_b.patch("/api/v1/my-shop/", {"name": "改名"}, format="json")
    as_b.delete(f"/api/v1/my-shop/products/{product.pk}/")

    # then: only B's shop changed; there is no route that takes another shop's id for writing
    shop_a.refresh_from_db()
    shop_b.refresh_from_db()
    assert seen == shop_b.pk
    assert (shop_a.name, shop_b.name) == ("A店", "改名")
    assert _listed(shop_a) == [product.pk]
    assert _listed(shop_b) == []
    for method in ("patch", "put", "post", "delete"):
        assert getattr(as_b, method)(f"/api/v1/shops/{shop_a.pk}/", {}, format="json").status_code == 405
