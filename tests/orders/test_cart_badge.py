"""加入购物车 in place (JSON) keeps the page and its choice; the tab bar's badge counts the
cart's units in at most one query; without the script the product page comes back with
``?sku=`` and that SKU chosen."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.models import CartItem
from orders.services.cart import cart_add, cart_count_forget
from tests.mall.factories import SKUFactory, UserFactory

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def add(client, sku_id=None, quantity=1, **extra):
    data = {"quantity": quantity, "action": "add", **({"sku_id": sku_id} if sku_id else {})}
    return client.post(reverse("orders:cart_add"), data, **extra)


def badge(page: str) -> str | None:
    match = re.search(r'data-testid="cart-badge"( hidden)?>([^<]*)<', page)
    assert match, "no cart badge"
    return None if match.group(1) else match.group(2)


def test_the_in_page_add_answers_the_message_and_the_new_count(client):
    user = UserFactory()
    client.force_login(user)
    first, second = SKUFactory(stock=10), SKUFactory(stock=10)

    one = add(client, first.pk, 2, **JSON)
    two = add(client, second.pk, 1, **JSON)

    assert (one.status_code, json.loads(one.content)) == (200, {"detail": "已加入购物车", "cart_count": 2})
    assert json.loads(two.content)["cart_count"] == 3
    assert sorted(CartItem.objects.filter(user=user).values_list("quantity", flat=True)) == [1, 2]


def test_a_refused_in_page_add_is_a_4xx_with_the_reason_and_changes_nothing(client):
    client.force_login(UserFactory())
    sku = SKUFactory(stock=1)

    too_many = add(client, sku.pk, 5, **JSON)
    no_sku = add(client, None, 1, **JSON)

    assert too_many.status_code in (400, 409)
    assert "库存" in json.loads(too_many.content)["detail"]
    assert (no_sku.status_code, json.loads(no_sku.content)["detail"]) == (400, "请先选择规格。")
    assert not CartItem.objects.exists()


def test_a_visitors_session_cart_counts_too(client):
    sku = SKUFactory(stock=10)

    response = add(client, sku.pk, 3, **JSON)

    assert json.loads(response.content)["cart_count"] == 3
    assert badge(client.get(reverse("mall:home")).content.decode()) == "3"


def test_the_badge_is_on_every_tab_bar_page_and_hidden_when_empty(client):
    user = UserFactory()
    client.force_login(user)
    for name in ("mall:home", "mall:categories", "mall:me", "orders:cart"):
        assert badge(client.get(reverse(name)).content.decode()) is None, name

    CartItem.objects.create(user=user, sku=SKUFactory(stock=200), quantity=120)  # past the cart's limit
    cart_count_forget(user_id=user.pk)  # what every cart service does on a write

    for name in ("mall:home", "mall:categories", "mall:me", "orders:cart"):
        assert badge(client.get(reverse(name)).content.decode()) == "99+", name


def test_the_badge_is_cached_until_the_cart_changes(client):
    user = UserFactory()
    client.force_login(user)
    sku = SKUFactory(stock=10)
    cart_add(user=user, sku_id=sku.pk, quantity=2)
    url = reverse("mall:product", args=[sku.product_id])
    client.get(url)

    def cart_queries() -> tuple[int, str | None]:
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        assert page.count('data-testid="cart-badge"') == 1  # the product page's action bar
        return len([q for q in queries.captured_queries if "orders_cartitem" in q["sql"]]), badge(page)

    assert cart_queries() == (0, "2")  # counted once, then from the cache
    cart_add(user=user, sku_id=sku.pk, quantity=1)  # a write forgets the count
    assert cart_queries() == (1, "3")
    assert cart_queries() == (0, "3")


def test_without_the_script_the_product_page_comes_back_with_the_sku_chosen(client):
    options = [{"name": "颜色", "values": ["红", "蓝"]}]
    sku = SKUFactory(stock=10, specs={"颜色": "蓝"}, product__spec_options=options)
    product_url = reverse("mall:product", args=[sku.product_id])

    response = client.post(reverse("orders:cart_add"), {"sku_id": sku.pk, "quantity": 1, "action": "add"},
                           HTTP_REFERER=f"http://testserver{product_url}?page=2&sku=999")

    assert response["Location"] == f"http://testserver{product_url}?page=2&sku={sku.pk}"
    page = client.get(response["Location"]).content.decode()
    data = json.loads(page.split('<script id="sku-data" type="application/json">')[1].split("</script>")[0])
    assert data["selected"] == sku.pk
    assert f'<option value="{sku.pk}" selected>' in page  # the <noscript> list
    assert f'name="sku_id" form="buy-form" value="{sku.pk}"' in page


def test_a_sku_of_another_product_is_not_chosen(client):
    sku, other = SKUFactory(), SKUFactory()

    page = client.get(reverse("mall:product", args=[sku.product_id]), {"sku": other.pk}).content.decode()

    data = json.loads(page.split('<script id="sku-data" type="application/json">')[1].split("</script>")[0])
    assert data["selected"] is None
