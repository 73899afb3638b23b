import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mall.errors import InvalidPrice, StockBelowZero
from mall.models import SKU, PhoneCode, Product, ProductImage, Shop, ShopProduct, User
from tests.mall.factories import (
    CategoryFactory,
    ProductFactory,
    ShopFactory,
    SKUFactory,
    SupplierFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360f8cfc0f01f0005000201a5f0a6a10000000049454e44ae426082"
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(phone="13700000000", is_staff=True, is_superuser=True))
    return client


def _product_with_image(**kwargs) -> Product:
    product = ProductFactory(**kwargs)
    image = ProductImage(product=product)
    image.image.save("cover.png", ContentFile(PNG_1PX), save=True)
    return product


def _sku_form(i: int, sku: SKU, **changes) -> dict:
    """One SKU row as rendered, with ``changes`` typed in. The ``initial-`` fields carry the
    values shown when the page was rendered (``show_hidden_initial``)."""
    specs = json.dumps(sku.specs, ensure_ascii=False)
    row = {"id": sku.pk, "product": sku.product_id, "specs": specs, "price": sku.price,
           "cost_price": sku.cost_price, "stock": sku.stock, "weight_grams": sku.weight_grams,
           "barcode": sku.barcode or "", "is_active": "on" if sku.is_active else ""} | changes
    data = {f"initial-skus-{i}-stock": str(sku.stock), f"initial-skus-{i}-specs": specs}
    data |= {f"skus-{i}-{key}": "" if value is None else str(value) for key, value in row.items()}
    return data


def _product_post(product: Product, skus: list[dict], **changes) -> dict:
    """The change form as the browser would post it: product fields plus both inlines."""
    data = {
        "title": product.title, "subtitle": product.subtitle, "category": product.category_id,
        "supplier": product.supplier_id, "status": product.status, "sort_order": product.sort_order,
        "spec_options": json.dumps(product.spec_options, ensure_ascii=False),
        "description": product.description,
        "images-TOTAL_FORMS": "0", "images-INITIAL_FORMS": "0",
        "images-MIN_NUM_FORMS": "0", "images-MAX_NUM_FORMS": "1000",
        "skus-TOTAL_FORMS": str(len(skus)), "skus-INITIAL_FORMS": str(len(skus)),
        "skus-MIN_NUM_FORMS": "1", "skus-MAX_NUM_FORMS": "1000",
    } | changes
    for row in skus:
        data |= row
    return data


def _sku_formset_errors(response) -> list:
    formsets = [f.formset for f in response.context["inline_admin_formsets"]
                if f.formset.prefix == "skus"]
    return formsets[0].errors


# --- every page opens ------------------------------------------------------------------------


@pytest.fixture
def one_of_each():
    product = _product_with_image()
    SKUFactory(product=product)
    shop = ShopFactory()
    ShopProduct.objects.create(shop=shop, product=product)
    code = PhoneCode.objects.create(phone="13912345678", purpose=PhoneCode.Purpose.SIGNUP,
                                    code_hash="f" * 64, expires_at=timezone.now() + timedelta(minutes=5))
    return {"product": product, "supplier": product.supplier, "category": product.category,
            "shop": shop, "user": shop.owner, "phonecode": code}


@pytest.mark.parametrize(("model", "add_status"), [
    ("user", 200), ("supplier", 200), ("category", 200), ("product", 200), ("shop", 200),
    ("phonecode", 403),
])
def test_staff_can_open_changelist_add_and_change_pages(staff_client, one_of_each, model, add_status):
    obj = one_of_each[model]

    changelist = staff_client.get(reverse(f"admin:mall_{model}_changelist"))
    add = staff_client.get(reverse(f"admin:mall_{model}_add"))
    change = staff_client.get(reverse(f"admin:mall_{model}_change", args=[obj.pk]))

    assert (changelist.status_code, add.status_code, change.status_code) == (200, add_status, 200)
    assert changelist.context["cl"].result_count >= 1


def test_changelist_search_and_filters_work(staff_client, one_of_each):
    product = one_of_each["product"]
    SKU.objects.filter(product=product).update(barcode="6930000000017")
    url = reverse("admin:mall_product_changelist")

    by_barcode = staff_client.get(url, {"q": "6930000000017"})
    by_category = staff_client.get(url, {"category__id__inhierarchy": product.category_id})
    sold_out = staff_client.get(url, {"stock": "out"})

    assert [p.pk for p in by_barcode.context["cl"].result_list] == [product.pk]
    assert [p.pk for p in by_category.context["cl"].result_list] == [product.pk]
    assert list(sold_out.context["cl"].result_list) == []


def test_user_password_change_page_opens(staff_client, one_of_each):
    user = one_of_each["user"]

    response = staff_client.get(reverse("admin:auth_user_password_change", args=[user.pk]))

    assert response.status_code == 200


def test_non_staff_is_sent_to_the_admin_login(client):
    client.force_login(UserFactory(is_staff=False))

    response = client.get(reverse("admin:mall_product_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


# --- users -----------------------------------------------------------------------------------


def test_staff_adds_a_user_with_phone_and_password_twice(staff_client):
    response = staff_client.post(reverse("admin:mall_user_add"), {
        "phone": "139 1234 5678", "nickname": "新会员",
        "password1": "Qz-strong-pass-1", "password2": "Qz-strong-pass-1",
    })

    user = User.objects.get(phone="13912345678")
    assert response.status_code == 302
    assert (user.nickname, user.is_staff, user.check_password("Qz-strong-pass-1")) == ("新会员", False, True)


def test_user_add_with_mismatched_passwords_creates_nothing(staff_client):
    before = User.objects.count()

    response = staff_client.post(reverse("admin:mall_user_add"), {
        "phone": "13912345678", "password1": "Qz-strong-pass-1", "password2": "Qz-strong-pass-2",
    })

    assert response.status_code == 200
    assert "password2" in response.context["adminform"].form.errors
    assert User.objects.count() == before


# --- products: list, actions, inlines -----------------------------------------------------------


def _changelist_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("admin:mall_product_changelist"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_product_changelist_query_count_does_not_grow_with_products(staff_client):
    supplier, category = SupplierFactory(), CategoryFactory()

    def make(n: int) -> None:
        for _ in range(n):
            product = _product_with_image(supplier=supplier, category=category)
            SKUFactory.create_batch(2, product=product)

    make(5)
    with_5 = _changelist_queries(staff_client)
    make(25)
    with_30 = _changelist_queries(staff_client)

    assert with_5 == with_30
    assert with_30 <= 12


def test_product_changelist_shows_price_stock_and_thumbnail(staff_client):
    product = _product_with_image()
    SKUFactory(product=product, price=Decimal("12.30"), stock=4)
    SKUFactory(product=product, price=Decimal("9.90"), stock=6)

    response = staff_client.get(reverse("admin:mall_product_changelist"))

    row = response.context["cl"].result_list[0]
    assert (row.min_price, row.total_stock) == (Decimal("9.90"), 10)
    assert "¥9.90" in response.text
    assert product.images.get().image.url in response.text


def test_on_shelf_and_off_shelf_actions(staff_client):
    off = ProductFactory(status=Product.Status.OFF_SHELF)
    SKUFactory(product=off)
    no_skus = ProductFactory(status=Product.Status.OFF_SHELF)
    on = ProductFactory(status=Product.Status.ON_SHELF)
    url = reverse("admin:mall_product_changelist")

    put_on = staff_client.post(url, {"action": "put_on_shelf",
                                     "_selected_action": [off.pk, no_skus.pk]})
    taken_off = staff_client.post(url, {"action": "take_off_shelf", "_selected_action": [on.pk]})

    assert (put_on.status_code, taken_off.status_code) == (302, 302)
    statuses = dict(Product.objects.values_list("pk", "status"))
    assert statuses == {off.pk: Product.Status.ON_SHELF, no_skus.pk: Product.Status.OFF_SHELF,
                        on.pk: Product.Status.OFF_SHELF}
    texts = [str(m) for m in get_messages(taken_off.wsgi_request)]
    assert len(texts) == 3  # 1 put on + 1 without SKU left off, then 1 taken off


@pytest.mark.parametrize(("field", "value", "message"), [
    ("stock", -1, StockBelowZero.default_message),
    ("price", "0", InvalidPrice.default_message),
    ("price", "-5.00", InvalidPrice.default_message),
])
def test_sku_inline_rejects_bad_stock_or_price_and_changes_nothing(staff_client, field, value,
                                                                   message):
    sku = SKUFactory(price=Decimal("99.00"), stock=10)
    product = sku.product
    title = product.title
    data = _product_post(product, [_sku_form(0, sku, **{field: value})], title="改过的标题")

    response = staff_client.post(reverse("admin:mall_product_change", args=[product.pk]), data)

    assert response.status_code == 200
    assert _sku_formset_errors(response) == [{field: [str(message)]}]
    sku.refresh_from_db()
    product.refresh_from_db()
    assert (sku.price, sku.stock, product.title) == (Decimal("99.00"), 10, title)


def test_sku_inline_saves_price_and_stock(staff_client):
    sku = SKUFactory(price=Decimal("99.00"), cost_price=Decimal("60.00"), stock=10)
    data = _product_post(sku.product, [_sku_form(0, sku, price="88.80", stock=25)])

    response = staff_client.post(reverse("admin:mall_product_change", args=[sku.product_id]), data)

    assert response.status_code == 302
    sku.refresh_from_db()
    assert (sku.price, sku.cost_price, sku.stock) == (Decimal("88.80"), Decimal("60.00"), 25)


def test_price_edit_keeps_stock_that_orders_took_meanwhile(staff_client):
    # given staff opened the page at stock 10, then an order took 3
    sku = SKUFactory(price=Decimal("99.00"), stock=10)
    data = _product_post(sku.product, [_sku_form(0, sku, price="88.00")])
    SKU.objects.filter(pk=sku.pk).update(stock=7)

    response = staff_client.post(reverse("admin:mall_product_change", args=[sku.product_id]), data)

    assert response.status_code == 302
    sku.refresh_from_db()
    assert (sku.price, sku.stock) == (Decimal("88.00"), 7)


def test_stock_edit_is_refused_when_orders_moved_stock_meanwhile(staff_client):
    sku = SKUFactory(price=Decimal("99.00"), stock=10)
    data = _product_post(sku.product, [_sku_form(0, sku, stock=50, price="80.00")])
    SKU.objects.filter(pk=sku.pk).update(stock=7)

    response = staff_client.post(reverse("admin:mall_product_change", args=[sku.product_id]), data)

    assert response.status_code == 200
    errors = _sku_formset_errors(response)
    assert list(errors[0]) == ["stock"]
    assert "7" in errors[0]["stock"][0]
    sku.refresh_from_db()
    assert (sku.price, sku.stock) == (Decimal("99.00"), 7)


def test_product_change_keeps_units_sold_counted_meanwhile(staff_client):
    sku = SKUFactory()
    data = _product_post(sku.product, [_sku_form(0, sku)], title="新标题")
    Product.objects.filter(pk=sku.product_id).update(sales_count=42)

    response = staff_client.post(reverse("admin:mall_product_change", args=[sku.product_id]), data)

    assert response.status_code == 302
    product = Product.objects.get(pk=sku.product_id)
    assert (product.title, product.sales_count) == ("新标题", 42)


@pytest.mark.parametrize(("red_specs", "blue_specs", "errors"), [
    ('{"颜色": "绿"}', '{"颜色": "蓝"}', [["specs"], []]),  # not one of the options
    ('{"尺码": "红"}', '{"颜色": "蓝"}', [["specs"], []]),  # not the option's name
    ('{"颜色": "红"}', '{"颜色": "红"}', [[], ["specs"]]),  # same as another SKU
    ('["红"]', '{"颜色": "蓝"}', [["specs"], []]),  # not an object
])
def test_sku_specs_must_match_the_spec_options(staff_client, red_specs, blue_specs, errors):
    product = ProductFactory(spec_options=[{"name": "颜色", "values": ["红", "蓝"]}])
    red = SKUFactory(product=product, specs={"颜色": "红"})
    blue = SKUFactory(product=product, specs={"颜色": "蓝"})
    data = _product_post(product, [_sku_form(0, red, specs=red_specs),
                                   _sku_form(1, blue, specs=blue_specs)])

    response = staff_client.post(reverse("admin:mall_product_change", args=[product.pk]), data)

    assert response.status_code == 200
    assert [list(e) for e in _sku_formset_errors(response)] == errors
    assert list(SKU.objects.filter(product=product).order_by("id").values_list("specs", flat=True)) \
        == [{"颜色": "红"}, {"颜色": "蓝"}]


def test_product_added_in_admin_gets_sku_spec_keys(staff_client):
    supplier, category = SupplierFactory(), CategoryFactory()
    data = {
        "title": "新品保温杯", "subtitle": "", "category": category.pk, "supplier": supplier.pk,
        "status": Product.Status.OFF_SHELF, "sort_order": 0, "description": "",
        "spec_options": '[{"name": "颜色", "values": ["白", "黑"]}]',
        "images-TOTAL_FORMS": "0", "images-INITIAL_FORMS": "0",
        "images-MIN_NUM_FORMS": "0", "images-MAX_NUM_FORMS": "1000",
        "skus-TOTAL_FORMS": "2", "skus-INITIAL_FORMS": "0",
        "skus-MIN_NUM_FORMS": "1", "skus-MAX_NUM_FORMS": "1000",
    }
    for i, color in enumerate(["白", "黑"]):
        data |= {f"skus-{i}-specs": json.dumps({"颜色": color}), f"skus-{i}-price": "59.00",
                 f"skus-{i}-cost_price": "30.00", f"skus-{i}-stock": "5",
                 f"skus-{i}-weight_grams": "300", f"skus-{i}-barcode": "", f"skus-{i}-is_active": "on"}

    response = staff_client.post(reverse("admin:mall_product_add"), data)

    assert response.status_code == 302
    product = Product.objects.get(title="新品保温杯")
    assert sorted(product.skus.values_list("spec_key", "barcode", "stock")) == [
        ("颜色:白", None, 5), ("颜色:黑", None, 5)]


# --- shops and verification codes ---------------------------------------------------------------


def test_shop_listing_inline_refuses_off_shelf_products(staff_client):
    shop = ShopFactory()
    off = ProductFactory(status=Product.Status.OFF_SHELF)
    data = {
        "owner": shop.owner_id, "name": shop.name, "intro": "", "is_active": "on",
        "listings-TOTAL_FORMS": "1", "listings-INITIAL_FORMS": "0",
        "listings-MIN_NUM_FORMS": "0", "listings-MAX_NUM_FORMS": "1000",
        "listings-0-product": off.pk, "listings-0-sort_order": "0",
    }

    response = staff_client.post(reverse("admin:mall_shop_change", args=[shop.pk]), data)

    assert response.status_code == 200
    assert not ShopProduct.objects.filter(shop=shop).exists()


def test_platform_shop_has_no_owner_field_or_listings(staff_client):
    platform = Shop.objects.create(is_platform=True, name="圈子官方店")

    response = staff_client.get(reverse("admin:mall_shop_change", args=[platform.pk]))

    assert response.status_code == 200
    assert "owner" not in response.context["adminform"].form.fields
    assert response.context["inline_admin_formsets"] == []


def test_phone_codes_show_masked_phone_and_never_the_hash(staff_client):
    code = PhoneCode.objects.create(phone="13912345678", purpose=PhoneCode.Purpose.SIGNUP,
                                    code_hash="c0ffee" * 10, expires_at=timezone.now())

    listing = staff_client.get(reverse("admin:mall_phonecode_changelist"))
    detail = staff_client.get(reverse("admin:mall_phonecode_change", args=[code.pk]))

    for response in (listing, detail):
        assert "139****5678" in response.text
        assert "13912345678" not in response.text
        assert "c0ffee" not in response.text


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_stock_edit_holds_the_row_so_a_concurrent_order_is_not_lost():
    """Staff set stock 10 → 50 while an order for 2 comes in: the order waits for the admin
    transaction and then takes its 2 from the new 50. Without the row lock the admin write
    would overwrite the order's decrement (50, not 48)."""
    from django.db import transaction

    from mall.admin.catalogue import SKUInlineForm
    from mall.services.catalog import sku_reserve_stock
    from tests.concurrency import in_thread

    sku = SKUFactory(stock=10)
    row = _sku_form(0, sku, stock=50)
    data = {key.replace("skus-0-", "").replace("initial-skus-0-", "initial-"): value
            for key, value in row.items()}

    with transaction.atomic():
        form = SKUInlineForm(data, instance=SKU.objects.get(pk=sku.pk))
        assert form.is_valid(), form.errors
        order = in_thread(lambda: sku_reserve_stock(sku_id=sku.pk, quantity=2))
        assert order.wait_until_blocked()  # PostgreSQL says: waiting for the row the form holds
        form.save()
    order.result(timeout=10)

    sku.refresh_from_db()
    assert sku.stock == 48
