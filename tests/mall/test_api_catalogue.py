"""/api/v1/ catalogue: categories, product list (filter/search/sort/pages), product detail."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from mall.models import Product, ProductImage
from tests.mall.factories import CategoryFactory, ProductFactory, SKUFactory

pytestmark = pytest.mark.django_db

NOT_FOUND_PRODUCT = {"code": "product_not_found",
                     "detail": "This product does not exist or is no longer on sale."}


@pytest.fixture
def client() -> APIClient:
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


def _product(*, title: str, category=None, prices=("99.00",), stock: int = 10, sales: int = 0,
             sort_order: int = 0, subtitle: str = "", images: int = 0, **kwargs) -> Product:
    product = ProductFactory(title=title, subtitle=subtitle, sales_count=sales, sort_order=sort_order,
                             **({"category": category} if category else {}), **kwargs)
    for price in prices:
        SKUFactory(product=product, price=Decimal(price), stock=stock)
    for n in range(images):
        ProductImage.objects.create(product=product, image=f"products/p{product.pk}-{n}.jpg", sort_order=n)
    return product


def _ids(response) -> list[int]:
    return [item["id"] for item in response.json()["results"]]


# --- categories ---------------------------------------------------------------------------


def test_category_tree_is_nested_active_only_in_one_query(client, django_assert_num_queries):
    # given: two visible roots; a hidden root and a hidden subcategory hide their subtrees
    food = CategoryFactory(name="食品", sort_order=1)
    snacks = CategoryFactory(name="零食", parent=food, sort_order=1)
    nuts = CategoryFactory(name="坚果", parent=snacks)
    drinks = CategoryFactory(name="饮料", parent=food, sort_order=2, icon="categories/drinks.png")
    hidden_child = CategoryFactory(name="下架类", parent=food, sort_order=3, is_active=False)
    CategoryFactory(name="孤儿", parent=hidden_child)
    home = CategoryFactory(name="家居", sort_order=2)
    hidden_root = CategoryFactory(name="旧类目", sort_order=3, is_active=False)
    CategoryFactory(name="旧子类", parent=hidden_root)

    # when
    with django_assert_num_queries(1):
        response = client.get("/api/v1/categories/")

    # then
    assert response.status_code == 200
    assert response.json() == [
        {"id": food.pk, "name": "食品", "icon": None, "parent_id": None, "children": [
            {"id": snacks.pk, "name": "零食", "icon": None, "parent_id": food.pk, "children": [
                {"id": nuts.pk, "name": "坚果", "icon": None, "parent_id": snacks.pk, "children": []},
            ]},
            {"id": drinks.pk, "name": "饮料", "icon": "http://testserver/media/categories/drinks.png",
             "parent_id": food.pk, "children": []},
        ]},
        {"id": home.pk, "name": "家居", "icon": None, "parent_id": None, "children": []},
    ]


def test_category_detail_returns_its_active_subtree(client):
    food = CategoryFactory(name="食品")
    snacks = CategoryFactory(name="零食", parent=food)
    nuts = CategoryFactory(name="坚果", parent=snacks)
    CategoryFactory(name="下架类", parent=snacks, is_active=False)

    response = client.get(f"/api/v1/categories/{snacks.pk}/")

    assert response.status_code == 200
    assert response.json() == {
        "id": snacks.pk, "name": "零食", "icon": None, "parent_id": food.pk, "children": [
            {"id": nuts.pk, "name": "坚果", "icon": None, "parent_id": snacks.pk, "children": []},
        ],
    }


def test_category_detail_unknown_inactive_or_under_inactive_parent_is_404(client):
    hidden = CategoryFactory(name="旧类目", is_active=False)
    under_hidden = CategoryFactory(name="旧子类", parent=hidden)
    expected = {"code": "category_not_found", "detail": "This category does not exist."}

    for category_id in (999999, hidden.pk, under_hidden.pk):
        response = client.get(f"/api/v1/categories/{category_id}/")
        assert (response.status_code, response.json()) == (404, expected)


# --- product list -------------------------------------------------------------------------


def test_product_list_item_shape(client):
    category = CategoryFactory()
    product = _product(title="坚果礼盒", subtitle="每日坚果", category=category,
                       prices=("12.30", "15.00"), stock=5, sales=7, images=2)
    SKUFactory(product=product, price=Decimal("1.00"), stock=100, is_active=False)  # ignored

    response = client.get("/api/v1/products/")

    assert response.status_code == 200
    assert response.json() == {
        "count": 1, "next": None, "previous": None,
        "results": [{
            "id": product.pk, "title": "坚果礼盒", "subtitle": "每日坚果", "min_price": "12.30",
            "total_stock": 10, "sales_count": 7,
            "cover": f"http://testserver/media/products/p{product.pk}-0.jpg", "category_id": category.pk,
        }],
    }


def test_product_list_without_active_skus_has_null_price_and_zero_stock(client):
    product = ProductFactory(title="待上架规格")

    item = client.get("/api/v1/products/").json()["results"][0]

    assert (item["id"], item["min_price"], item["total_stock"], item["cover"]) == (product.pk, None, 0, None)


def test_product_list_filters_by_category_with_descendants_and_hides_off_shelf(client):
    food = CategoryFactory(name="食品")
    snacks = CategoryFactory(name="零食", parent=food)
    other = CategoryFactory(name="家居")
    in_root = _product(title="大米", category=food)
    in_child = _product(title="薯片", category=snacks)
    _product(title="拖把", category=other)
    _product(title="下架薯片", category=snacks, status=Product.Status.OFF_SHELF)

    assert sorted(_ids(client.get("/api/v1/products/", {"category": food.pk}))) == [in_root.pk, in_child.pk]
    assert _ids(client.get("/api/v1/products/", {"category": snacks.pk})) == [in_child.pk]


def test_product_list_searches_title_subtitle_and_category_name(client):
    tea = CategoryFactory(name="茶叶")
    by_title = _product(title="西湖龙井")
    by_subtitle = _product(title="绿茶", subtitle="明前龙井")
    by_category = _product(title="铁观音", category=tea)
    _product(title="咖啡豆")

    assert sorted(_ids(client.get("/api/v1/products/", {"q": "龙井"}))) == [by_title.pk, by_subtitle.pk]
    assert _ids(client.get("/api/v1/products/", {"q": " 茶叶 "})) == [by_category.pk]


def test_product_list_sorts(client):
    cheap = _product(title="便宜", prices=("5.00",), sales=1, sort_order=0)
    dear = _product(title="贵", prices=("50.00",), sales=30, sort_order=0)
    middle = _product(title="中", prices=("20.00", "8.00"), sales=10, sort_order=9)

    def order(sort: str) -> list[int]:
        return _ids(client.get("/api/v1/products/", {"sort": sort}))

    assert order("default") == [middle.pk, dear.pk, cheap.pk]  # sort_order, then sales
    assert order("sales") == [dear.pk, middle.pk, cheap.pk]
    assert order("price_asc") == [cheap.pk, middle.pk, dear.pk]  # middle's lowest is 8.00
    assert order("price_desc") == [dear.pk, middle.pk, cheap.pk]
    assert order("new") == [middle.pk, dear.pk, cheap.pk]


def test_product_list_paginates(client):
    products = [_product(title=f"商品{n}", sort_order=n) for n in range(5)]  # default: highest sort first
    expected = [p.pk for p in reversed(products)]

    first = client.get("/api/v1/products/", {"page_size": 2})
    last = client.get("/api/v1/products/", {"page_size": 2, "page": 3})

    assert first.json()["count"] == 5
    assert _ids(first) == expected[:2]
    assert first.json()["next"] == "http://testserver/api/v1/products/?page=2&page_size=2"
    assert _ids(last) == expected[4:]
    assert last.json()["next"] is None


def test_product_list_page_size_is_capped_at_50(client):
    for n in range(52):
        ProductFactory(title=f"商品{n}")

    assert len(client.get("/api/v1/products/", {"page_size": 500}).json()["results"]) == 50


def test_product_list_page_out_of_range_is_404_with_error_shape(client):
    _product(title="唯一")

    response = client.get("/api/v1/products/", {"page": 9})

    assert (response.status_code, response.json()) == (404, {"code": "not_found", "detail": "Invalid page."})


@pytest.mark.parametrize("bad", ["999999", "abc"])
def test_product_list_unknown_category_is_400(client, bad):
    response = client.get("/api/v1/products/", {"category": bad})

    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "detail": "category: This category does not exist.",
                               "fields": {"category": ["This category does not exist."]}}


def test_product_list_inactive_category_is_400(client):
    hidden = CategoryFactory(is_active=False)
    _product(title="隐藏类目的商品", category=hidden)

    response = client.get("/api/v1/products/", {"category": hidden.pk})

    assert (response.status_code, response.json()["fields"]) == (
        400, {"category": ["This category does not exist."]})


def test_product_list_unknown_sort_is_400(client):
    response = client.get("/api/v1/products/", {"sort": "cheapest"})

    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "detail": 'sort: "cheapest" is not a valid choice.',
                               "fields": {"sort": ['"cheapest" is not a valid choice.']}}


@pytest.mark.parametrize("count", [5, 40])
def test_product_list_query_count_does_not_grow_with_page_size(client, django_assert_max_num_queries, count):
    # given: every product has several SKUs and images that the list must not fetch one by one
    category = CategoryFactory()
    for n in range(count):
        _product(title=f"商品{n}", category=category, prices=("10.00", "12.00"), images=2)

    # when: category lookup, count, page, images prefetch
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/products/", {"category": category.pk, "page_size": 50, "q": "商品"})

    # then
    assert len(response.json()["results"]) == count
    assert all(item["cover"] and item["min_price"] == "10.00" for item in response.json()["results"])


# --- product detail -----------------------------------------------------------------------


def test_product_detail(client):
    category = CategoryFactory()
    product = ProductFactory(
        title="纯棉T恤", subtitle="亲肤", category=category, sales_count=3,
        description="<p>100% 棉</p>",
        spec_options=[{"name": "颜色", "values": ["白", "黑"]}],
    )
    white = SKUFactory(product=product, specs={"颜色": "白"}, price=Decimal("59.90"), stock=2)
    black = SKUFactory(product=product, specs={"颜色": "黑"}, price=Decimal("69.00"), stock=0)
    SKUFactory(product=product, specs={"颜色": "红"}, price=Decimal("1.00"), is_active=False)
    ProductImage.objects.create(product=product, image="products/b.jpg", sort_order=2)
    ProductImage.objects.create(product=product, image="products/a.jpg", sort_order=1)

    response = client.get(f"/api/v1/products/{product.pk}/")

    assert response.status_code == 200
    assert response.json() == {
        "id": product.pk, "title": "纯棉T恤", "subtitle": "亲肤", "category_id": category.pk,
        "min_price": "59.90", "max_price": "69.00", "sales_count": 3,
        "images": ["http://testserver/media/products/a.jpg", "http://testserver/media/products/b.jpg"],
        "spec_options": [{"name": "颜色", "values": ["白", "黑"]}],
        "skus": [
            {"id": white.pk, "specs": {"颜色": "白"}, "spec_text": "白", "price": "59.90", "stock": 2,
             "is_available": True},
            {"id": black.pk, "specs": {"颜色": "黑"}, "spec_text": "黑", "price": "69.00", "stock": 0,
             "is_available": False},
        ],
        "description": "<p>100% 棉</p>",
    }


def test_product_detail_never_exposes_cost_or_supplier(client):
    product = _product(title="保密成本")

    body = client.get(f"/api/v1/products/{product.pk}/").content.decode()

    assert "cost" not in body
    assert "supplier" not in body
    assert "60.00" not in body  # the factory's cost price


def test_product_detail_query_count(client, django_assert_num_queries):
    product = _product(title="三条查询", prices=("1.00", "2.00", "3.00"), images=3)

    with django_assert_num_queries(3):  # product+category, SKUs, images
        assert client.get(f"/api/v1/products/{product.pk}/").status_code == 200


def test_product_detail_unknown_or_off_shelf_is_404(client):
    off_shelf = _product(title="已下架", status=Product.Status.OFF_SHELF)

    for product_id in (999999, off_shelf.pk):
        response = client.get(f"/api/v1/products/{product_id}/")
        assert (response.status_code, response.json()) == (404, NOT_FOUND_PRODUCT)
