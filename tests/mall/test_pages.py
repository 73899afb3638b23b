"""The shopper H5 pages of the mall app: content, 404s, sign-up / sign-in, query counts."""

import json
from decimal import Decimal

import pytest
from django.contrib.auth import SESSION_KEY
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from mall.errors import SignInRateLimited, WrongCredentials
from mall.hooks import hooks
from mall.models import SKU, Category, PhoneCode, Product, ProductImage, User
from mall.services.catalog import product_create, sku_set_price, sku_set_stock
from mall.services.shops import platform_shop_get, shop_list_product
from mall.sms import backends as sms_backends
from tests.mall.factories import (
    CategoryFactory,
    ProductFactory,
    ShopFactory,
    SKUFactory,
    SupplierFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PASSWORD = "Quanzi-test-123"


@pytest.fixture(autouse=True)
def _zh_hans():
    with translation.override("zh-hans"):
        yield


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms_backends.outbox.clear()
    yield
    sms_backends.outbox.clear()


@pytest.fixture
def signed_in_calls():
    calls = []

    def handler(*, request, user):
        calls.append((user.pk, request.user.pk))

    hooks.register("user_signed_in", handler)
    yield calls
    hooks.unregister("user_signed_in", handler)


@pytest.fixture
def registered_calls():
    calls = []

    def handler(*, user, invite_code, source, ip):
        calls.append((user.phone, invite_code, source))

    hooks.register("user_registered", handler)
    yield calls
    hooks.unregister("user_registered", handler)


def make_product(*, title="纯棉T恤", prices=("59.90",), stock=10, category=None, images=1,
                 sales=0, **extra):
    product = ProductFactory(title=title, category=category or CategoryFactory(), sales_count=sales, **extra)
    for n, price in enumerate(prices):
        SKUFactory(product=product, price=Decimal(price), stock=stock, specs={"款式": f"款{n}"})
    for n in range(images):
        ProductImage.objects.create(product=product, image=f"products/{product.pk}_{n}.jpg", sort_order=n)
    return product


def page_text(response) -> str:
    return response.content.decode()


# --- catalogue pages ------------------------------------------------------------------

def test_home_lists_on_shelf_products_with_their_lowest_price(client):
    root = CategoryFactory(name="服饰")
    on_sale = make_product(title="新疆长绒棉T恤", prices=("79.00", "12.30"), category=root, sales=321)
    make_product(title="下架的茶叶", status=Product.Status.OFF_SHELF)

    response = client.get(reverse("mall:home"))

    assert response.status_code == 200
    html = page_text(response)
    assert "新疆长绒棉T恤" in html
    assert "¥12.30" in html
    assert "¥79.00" not in html
    assert "321" in html
    assert "下架的茶叶" not in html
    assert reverse("mall:product", args=[on_sale.pk]) in html
    assert reverse("mall:category", args=[root.pk]) in html
    assert f"/media/products/{on_sale.pk}_0.jpg" in html
    assert '<html lang="zh-Hans">' in html
    assert 'content="width=device-width, initial-scale=1, viewport-fit=cover"' in html


def test_home_paginates_and_second_page_shows_the_rest(client):
    category = CategoryFactory()
    for n in range(25):
        make_product(title=f"商品{n:02d}", category=category, images=0)

    first = page_text(client.get(reverse("mall:home")))
    second = page_text(client.get(reverse("mall:home"), {"page": 2}))

    assert first.count('data-testid="product-card"') == 20
    assert second.count('data-testid="product-card"') == 5
    assert "?page=2" in first
    assert 'data-testid="load-more"' not in second


def test_product_without_image_shows_placeholder(client):
    make_product(title="无图商品", images=0)

    html = page_text(client.get(reverse("mall:home")))

    assert "无图商品" in html
    assert 'class="placeholder"' in html


def test_categories_page_shows_roots_children_and_products_of_the_selected_root(client):
    clothes = CategoryFactory(name="服饰", sort_order=1)
    tea = CategoryFactory(name="茶饮", sort_order=2)
    shirts = CategoryFactory(name="衬衫", parent=clothes)
    make_product(title="法式碎花衬衫", category=shirts)
    make_product(title="云南普洱", category=tea)

    default = page_text(client.get(reverse("mall:categories")))
    picked = page_text(client.get(reverse("mall:categories"), {"root": tea.pk}))

    assert "服饰" in default
    assert "茶饮" in default
    assert "衬衫" in default
    assert "法式碎花衬衫" in default
    assert "云南普洱" not in default
    assert "云南普洱" in picked
    assert "法式碎花衬衫" not in picked


def test_category_page_includes_descendants_and_sorts_by_price(client):
    root = CategoryFactory(name="食品")
    child = CategoryFactory(name="零食", parent=root)
    make_product(title="每日坚果", prices=("39.90",), category=child)
    make_product(title="山东苹果", prices=("19.90",), category=root)
    make_product(title="别处的口红", prices=("9.90",))

    asc = page_text(client.get(reverse("mall:category", args=[root.pk]), {"sort": "price_asc"}))
    desc = page_text(client.get(reverse("mall:category", args=[root.pk]), {"sort": "price_desc"}))

    assert "别处的口红" not in asc
    assert asc.index("山东苹果") < asc.index("每日坚果")
    assert desc.index("每日坚果") < desc.index("山东苹果")
    assert "零食" in asc


def test_category_page_sorts_by_sales(client):
    category = CategoryFactory()
    make_product(title="卖得少", category=category, sales=3)
    make_product(title="卖得多", category=category, sales=300)

    html = page_text(client.get(reverse("mall:category", args=[category.pk]), {"sort": "sales"}))

    assert html.index("卖得多") < html.index("卖得少")


@pytest.mark.parametrize("url_name", ["mall:category", "mall:product", "mall:shop"])
def test_unknown_ids_give_the_styled_404(client, url_name):
    response = client.get(reverse(url_name, args=[987654]))

    assert response.status_code == 404
    assert 'data-testid="not-found"' in page_text(response)


def test_inactive_category_is_404(client):
    category = CategoryFactory(is_active=False)

    response = client.get(reverse("mall:category", args=[category.pk]))

    assert response.status_code == 404


def test_search_finds_products_and_keeps_the_query(client):
    make_product(title="云南古树普洱茶", prices=("128.00",))
    make_product(title="玻尿酸面膜")

    response = client.get(reverse("mall:search"), {"q": "普洱"})

    html = page_text(response)
    assert response.status_code == 200
    assert "云南古树普洱茶" in html
    assert "¥128.00" in html
    assert "玻尿酸面膜" not in html
    assert 'value="普洱"' in html
    assert "q=%E6%99%AE%E6%B4%B1&amp;sort=sales" in html  # sort tabs keep the query


def test_search_without_results_shows_empty_state(client):
    make_product(title="玻尿酸面膜")

    html = page_text(client.get(reverse("mall:search"), {"q": "不存在的东西"}))

    assert 'data-testid="empty"' in html
    assert "不存在的东西" in html
    assert 'data-testid="product-card"' not in html


def test_search_without_query_lists_nothing(client):
    make_product(title="玻尿酸面膜")

    html = page_text(client.get(reverse("mall:search")))

    assert 'data-testid="product-card"' not in html
    assert 'data-testid="empty"' in html


# --- product page ----------------------------------------------------------------------

def test_product_page_shows_price_range_specs_and_sku_json(client):
    product = product_create(
        supplier=SupplierFactory(), category=CategoryFactory(), title="纯棉T恤", subtitle="新疆长绒棉",
        price="59.00", cost_price="20.00", stock=5, on_shelf=True,
        spec_options=[{"name": "颜色", "values": ["红", "蓝"]}, {"name": "尺码", "values": ["M", "L"]}],
        description="<p><b>面料</b>：100%棉</p>",
    )
    blue_l = product.skus.get(spec_key="尺码:L;颜色:蓝")
    sku_set_price(sku_id=blue_l.pk, price="89.00")
    sku_set_stock(sku_id=blue_l.pk, stock=12)

    response = client.get(reverse("mall:product", args=[product.pk]))

    html = page_text(response)
    assert response.status_code == 200
    assert "纯棉T恤" in html
    assert "新疆长绒棉" in html
    assert "¥59.00 - ¥89.00" in html
    assert "<p><b>面料</b>：100%棉</p>" in html  # staff HTML is rendered, not escaped
    assert 'data-spec="颜色" data-value="蓝"' in html
    assert 'data-spec="尺码" data-value="L"' in html
    data = json.loads(html.split('<script id="sku-data" type="application/json">')[1].split("</script>")[0])
    assert data["specs"] == [{"name": "颜色", "values": ["红", "蓝"]}, {"name": "尺码", "values": ["M", "L"]}]
    by_key = {SKU.make_spec_key(s["specs"]): s for s in data["skus"]}
    assert by_key["尺码:L;颜色:蓝"] == {"id": blue_l.pk, "specs": {"颜色": "蓝", "尺码": "L"},
                                       "price": "89.00", "price_display": "¥89.00", "stock": 12,
                                       "label": "蓝 / L"}
    assert by_key["尺码:M;颜色:红"]["stock"] == 5
    assert 'action="/cart/add/"' in html  # the orders app's cart
    assert 'data-testid="cart-notice"' not in html
    # The sheet's buttons wait for a SKU; the action bar's open the sheet until then.
    assert 'data-testid="sheet-add-to-cart" disabled' in html
    assert 'data-testid="add-to-cart">' in html


def test_product_page_hides_inactive_skus_from_the_picker(client):
    product = make_product(prices=("10.00", "20.00"))
    SKU.objects.filter(product=product, price=Decimal("20.00")).update(is_active=False)

    html = page_text(client.get(reverse("mall:product", args=[product.pk])))

    assert "¥10.00" in html
    assert "¥20.00" not in html


def test_off_shelf_product_is_404(client):
    product = make_product(title="下架商品", status=Product.Status.OFF_SHELF)

    response = client.get(reverse("mall:product", args=[product.pk]))

    html = page_text(response)
    assert response.status_code == 404
    assert "下架商品" not in html
    assert 'data-testid="not-found"' in html


# --- shops -------------------------------------------------------------------------------

def test_shop_page_lists_its_products_and_becomes_the_current_shop(client):
    shop = ShopFactory(name="小红的好物铺", intro="每天一件好物")
    listed = make_product(title="小红推荐的茶")
    make_product(title="没上架到小店的")
    shop_list_product(shop=shop, product_id=listed.pk)

    response = client.get(reverse("mall:shop", args=[shop.pk]))

    html = page_text(response)
    assert response.status_code == 200
    assert "小红的好物铺" in html
    assert "每天一件好物" in html
    assert "小红推荐的茶" in html
    assert "没上架到小店的" not in html
    assert client.session["shop_id"] == shop.pk

    product_html = page_text(client.get(reverse("mall:product", args=[listed.pk])))
    assert 'data-testid="shop-strip"' in product_html
    assert "小红的好物铺" in product_html
    # the strip names the shop once: not "来自 小红的好物铺 的小店"
    assert "来自 小红的好物铺" in product_html and "小红的好物铺 的小店" not in product_html


def test_platform_shop_lists_catalogue_and_shows_no_shop_strip(client):
    platform = platform_shop_get()
    product = make_product(title="平台直营好物")

    shop_html = page_text(client.get(reverse("mall:shop", args=[platform.pk])))
    product_html = page_text(client.get(reverse("mall:product", args=[product.pk])))

    assert "平台直营好物" in shop_html
    assert client.session["shop_id"] == platform.pk
    assert 'data-testid="shop-strip"' not in product_html


def test_closed_shop_is_404_and_not_remembered(client):
    shop = ShopFactory(is_active=False)

    response = client.get(reverse("mall:shop", args=[shop.pk]))

    assert response.status_code == 404
    assert "shop_id" not in client.session


def test_product_page_forgets_a_shop_closed_since_the_visit(client):
    shop = ShopFactory(name="已关闭的小店")
    product = make_product()
    client.get(reverse("mall:shop", args=[shop.pk]))
    shop.is_active = False
    shop.save(update_fields=["is_active"])

    html = page_text(client.get(reverse("mall:product", args=[product.pk])))

    assert "已关闭的小店" not in html
    assert "shop_id" not in client.session


# --- sign-up -----------------------------------------------------------------------------

def send_code(client, phone: str) -> str:
    response = client.post(reverse("mall:signup_code"), {"phone": phone}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    return sms_backends.outbox[-1].params["code"]


def test_signup_happy_path_registers_signs_in_and_calls_hooks(client, signed_in_calls, registered_calls):
    code = send_code(client, "13812345678")

    response = client.post(reverse("mall:signup"), {
        "phone": "138 1234 5678", "code": code, "nickname": "小明", "password": "Quanzi-strong-9",
    })

    assert response.status_code == 302
    assert response["Location"] == reverse("mall:me")
    user = User.objects.get(phone="13812345678")
    assert user.nickname == "小明"
    assert user.check_password("Quanzi-strong-9")
    assert user.phone_verified_at is not None
    assert int(client.session[SESSION_KEY]) == user.pk
    assert signed_in_calls == [(user.pk, user.pk)]
    assert registered_calls == [("13812345678", None, "code")]
    assert PhoneCode.objects.get(phone="13812345678").used_at is not None


def test_signup_passes_the_session_invite_code_and_redirects_to_next(client, registered_calls):
    from tests.distribution.factories import MemberFactory

    invite_code = MemberFactory().invite_code
    session = client.session
    session["invite_code"] = invite_code
    session.save()
    code = send_code(client, "13812345678")

    response = client.post(reverse("mall:signup"), {
        "phone": "13812345678", "code": code, "password": "Quanzi-strong-9",
        "invite_code": invite_code, "next": "/c/",
    })

    assert response.status_code == 302
    assert response["Location"] == "/c/"
    assert registered_calls == [("13812345678", invite_code, "link")]


def test_signup_form_is_prefilled_with_the_session_invite_code(client):
    session = client.session
    session["invite_code"] = "ABCD2345"
    session.save()

    html = page_text(client.get(reverse("mall:signup")))

    assert 'name="invite_code" value="ABCD2345"' in html


def test_signup_ignores_an_offsite_next(client):
    code = send_code(client, "13812345678")

    response = client.post(reverse("mall:signup"), {
        "phone": "13812345678", "code": code, "password": "Quanzi-strong-9",
        "next": "https://evil.example.com/",
    })

    assert response["Location"] == reverse("mall:me")


@pytest.mark.parametrize(("changes", "field_error"), [
    ({"phone": "12345"}, "phone"),
    ({"code": "000000"}, "code"),
    ({"password": "12345678"}, "password"),
    ({"password": "short"}, "password"),
])
def test_signup_with_bad_input_shows_the_error_and_creates_no_user(client, changes, field_error,
                                                                   signed_in_calls):
    code = send_code(client, "13812345678")
    if changes.get("code") == code:
        changes["code"] = "111111"
    data = {"phone": "13812345678", "code": code, "password": "Quanzi-strong-9", **changes}

    response = client.post(reverse("mall:signup"), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field_error]
    assert 'class="field-error"' in page_text(response)
    assert not User.objects.exists()
    assert SESSION_KEY not in client.session
    assert signed_in_calls == []


def test_signup_with_weak_password_does_not_consume_the_code(client):
    code = send_code(client, "13812345678")

    client.post(reverse("mall:signup"), {"phone": "13812345678", "code": code, "password": "12345678"})

    record = PhoneCode.objects.get(phone="13812345678")
    assert (record.used_at, record.attempts) == (None, 0)


def test_signup_with_taken_phone_shows_error(client):
    UserFactory(phone="13812345678")
    code = PhoneCode.objects.count()

    response = client.post(reverse("mall:signup"), {
        "phone": "13812345678", "code": "123456", "password": "Quanzi-strong-9",
    })

    assert list(response.context["form"].errors) == ["phone"]
    assert User.objects.count() == 1
    assert PhoneCode.objects.count() == code


def test_signup_without_sms_code_when_the_setting_is_off(client, settings):
    settings.SIGNUP_REQUIRES_SMS_CODE = False

    page = page_text(client.get(reverse("mall:signup")))
    response = client.post(reverse("mall:signup"), {"phone": "13812345678", "password": "Quanzi-strong-9"})

    assert 'name="code"' not in page
    assert response.status_code == 302
    assert User.objects.get(phone="13812345678").phone_verified_at is None


def test_signup_code_json_errors(client):
    bad = client.post(reverse("mall:signup_code"), {"phone": "12"}, HTTP_ACCEPT="application/json")
    send_code(client, "13812345678")
    again = client.post(reverse("mall:signup_code"), {"phone": "13812345678"}, HTTP_ACCEPT="application/json")

    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_phone"
    assert again.status_code == 429
    assert again.json()["code"] == "code_rate_limited"
    assert PhoneCode.objects.count() == 1
    assert len(sms_backends.outbox) == 1


def test_signup_code_is_limited_per_client_ip(client, settings):
    for n in range(settings.SMS_CODES_PER_ADDRESS_PER_HOUR):
        send_code(client, f"138{n:08d}")

    response = client.post(reverse("mall:signup_code"), {"phone": "13999999999"},
                           HTTP_ACCEPT="application/json")

    assert response.status_code == 429
    assert not PhoneCode.objects.filter(phone="13999999999").exists()


def test_signup_code_without_js_redirects_back_keeping_what_was_typed(client):
    response = client.post(reverse("mall:signup_code"), {
        "phone": "13812345678", "nickname": "小明", "password": "never-kept", "next": "/c/",
    })

    assert response.status_code == 302
    assert response["Location"] == reverse("mall:signup") + "?next=%2Fc%2F"
    html = page_text(client.get(response["Location"]))
    assert 'value="13812345678"' in html
    assert 'value="小明"' in html
    assert "never-kept" not in html
    assert len(sms_backends.outbox) == 1


def test_signup_code_shows_the_code_in_debug_with_console_backend(client, settings):
    settings.DEBUG = True

    json_response = client.post(reverse("mall:signup_code"), {"phone": "13812345678"},
                                HTTP_ACCEPT="application/json")
    code = sms_backends.outbox[-1].params["code"]
    client.post(reverse("mall:signup_code"), {"phone": "13812345679"})
    page = page_text(client.get(reverse("mall:signup")))

    assert code in json_response.json()["dev_message"]
    assert sms_backends.outbox[-1].params["code"] in page


def test_signup_code_never_shows_the_code_outside_debug(client):
    response = client.post(reverse("mall:signup_code"), {"phone": "13812345678"},
                           HTTP_ACCEPT="application/json")

    assert response.json()["dev_message"] is None


# --- sign-in / sign-out / me ----------------------------------------------------------

def test_signin_with_wrong_password_shows_error_and_stays_anonymous(client, signed_in_calls):
    UserFactory(phone="13812345678")

    response = client.post(reverse("mall:signin"), {"phone": "13812345678", "password": "wrong-pass"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [str(WrongCredentials.default_message)]
    assert 'data-testid="form-errors"' in page_text(response)
    assert SESSION_KEY not in client.session
    assert signed_in_calls == []


def test_signin_is_rate_limited_with_a_message_and_a_way_in_not_a_500(client, settings):
    UserFactory(phone="13812345678")
    for _ in range(settings.SIGNIN_FAILURES_PER_PHONE_ADDRESS):
        client.post(reverse("mall:signin"), {"phone": "13812345678", "password": "wrong-pass"})

    response = client.post(reverse("mall:signin"), {"phone": "13812345678", "password": PASSWORD})

    assert response.status_code == 429
    assert response.context["form"].non_field_errors() == [str(SignInRateLimited.default_message)]
    assert response.context["code_signin_url"] == reverse("mall:signin_code") + "?phone=13812345678"
    assert 'data-testid="use-code-signin"' in page_text(response)
    assert SESSION_KEY not in client.session


def test_signin_signs_in_calls_the_hook_and_follows_next(client, signed_in_calls):
    user = UserFactory(phone="13812345678")

    response = client.post(reverse("mall:signin") + "?next=/c/",
                           {"phone": "13812345678", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/c/"
    assert int(client.session[SESSION_KEY]) == user.pk
    assert signed_in_calls == [(user.pk, user.pk)]


def test_signout_needs_post_and_signs_out(client):
    client.force_login(UserFactory())

    get = client.get(reverse("mall:signout"))
    post = client.post(reverse("mall:signout"))

    assert get.status_code == 405
    assert post.status_code == 302
    assert SESSION_KEY not in client.session


def test_me_requires_sign_in(client):
    response = client.get(reverse("mall:me"))

    assert response.status_code == 302
    assert response["Location"] == reverse("mall:signin") + "?next=/me/"


def test_me_shows_nickname_masked_phone_and_own_shop(client):
    user = UserFactory(phone="13812345678", nickname="小明")
    shop = ShopFactory(owner=user, name="小明的店")
    client.force_login(user)

    html = page_text(client.get(reverse("mall:me")))

    assert "小明" in html
    assert "138****5678" in html
    assert "13812345678" not in html
    assert reverse("mall:shop", args=[shop.pk]) in html
    assert 'data-testid="order-pending_payment"' in html
    assert 'action="/i18n/setlang/"' in html


def test_me_without_shop_has_no_shop_entry(client):
    client.force_login(UserFactory())

    html = page_text(client.get(reverse("mall:me")))

    assert 'data-testid="menu-shop"' not in html


def test_cart_is_served_by_the_orders_app(client):
    html = page_text(client.get("/cart/"))

    assert 'data-testid="cart-empty"' in html
    assert 'data-testid="cart-coming-soon"' not in html


@pytest.mark.parametrize(("url", "tab"), [
    ("/", "home"), ("/c/", "categories"), ("/cart/", "cart"), ("/signin/", None),
])
def test_tab_bar_highlights_the_current_tab(client, url, tab):
    html = page_text(client.get(url))

    for name in ("home", "categories", "cart", "me"):
        marker = f'class="tab is-active" data-testid="tab-{name}"'
        assert (marker in html) == (name == tab), name


def test_language_switch_to_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    html = page_text(client.get(reverse("mall:home")))

    assert '<html lang="en">' in html


# --- template filter -----------------------------------------------------------------

@pytest.mark.parametrize(("value", "shown"), [
    (Decimal("12.3"), "¥12.30"), (Decimal("1234.5"), "¥1,234.50"), ("0", "¥0.00"), (None, ""),
])
def test_cny_filter(value, shown):
    rendered = Template("{% load money %}{{ value|cny }}").render(Context({"value": value}))

    assert rendered == shown


# --- performance: a fixed number of queries whatever the number of products ------------

@pytest.mark.parametrize("count", [5, 40])
@pytest.mark.parametrize("page", ["home", "category", "categories", "search", "shop", "platform_shop"])
def test_product_list_query_count(client, django_assert_max_num_queries, count, page):
    root = CategoryFactory(name="服饰")
    child = CategoryFactory(name="衬衫", parent=root)
    shop = ShopFactory()
    for n in range(count):
        product = make_product(title=f"碎花衬衫{n}", prices=("10.00", "20.00"),
                               category=child if n % 2 else root, images=2)
        shop_list_product(shop=shop, product_id=product.pk)
    urls = {
        "home": reverse("mall:home"),
        "category": reverse("mall:category", args=[root.pk]),
        "categories": reverse("mall:categories"),
        "search": reverse("mall:search") + "?q=衬衫",
        "shop": reverse("mall:shop", args=[shop.pk]),
        "platform_shop": reverse("mall:shop", args=[platform_shop_get().pk]),
    }

    with django_assert_max_num_queries(9):
        response = client.get(urls[page])

    html = page_text(response)
    assert response.status_code == 200
    assert html.count('data-testid="product-card"') == min(count, 20 if page != "categories" else 12)
    assert "¥10.00" in html


def test_category_roots_exclude_children(client):
    root = CategoryFactory(name="根分类")
    CategoryFactory(name="子分类", parent=root)

    html = page_text(client.get(reverse("mall:home")))

    assert "根分类" in html
    assert "子分类" not in html
    assert Category.objects.count() == 2


def test_any_unknown_url_gets_the_styled_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert 'data-testid="not-found"' in page_text(response)


def test_500_page_renders_without_a_request():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")

    assert "500" in html
    assert "/static/mall/mall.css" in html
