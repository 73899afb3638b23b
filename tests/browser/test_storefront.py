"""The storefront in a real (headless) phone-sized Chromium."""

import io
import re
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from PIL import Image
from playwright.sync_api import expect

from mall.models import ProductImage, User
from mall.services.catalog import product_create, sku_set_price, sku_set_stock
from mall.sms import backends as sms_backends
from tests.browser.conftest import horizontal_overflow
from tests.mall.factories import CategoryFactory, ProductFactory, SKUFactory, SupplierFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# (颜色, 尺码) → (price, stock); 红 + M is sold out.
SKUS = {
    ("红", "M"): ("59.00", 0),
    ("红", "L"): ("69.00", 5),
    ("蓝", "M"): ("79.00", 3),
    ("蓝", "L"): ("89.00", 12),
}


def png(color: tuple[int, int, int]) -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 400), color).save(buffer, "PNG")
    return ContentFile(buffer.getvalue())


def tee_shirt():
    product = product_create(
        supplier=SupplierFactory(), category=CategoryFactory(name="服饰"), title="新疆长绒棉纯棉T恤",
        subtitle="宽松百搭", price="59.00", cost_price="20.00", on_shelf=True,
        spec_options=[{"name": "颜色", "values": ["红", "蓝"]}, {"name": "尺码", "values": ["M", "L"]}],
        description="<p>100% 新疆长绒棉</p>",
    )
    for sku in product.skus.all():
        price, stock = SKUS[(sku.specs["颜色"], sku.specs["尺码"])]
        sku_set_price(sku_id=sku.pk, price=price)
        sku_set_stock(sku_id=sku.pk, stock=stock)
    image = ProductImage(product=product)
    image.image.save("tee.png", png((228, 57, 60)), save=True)
    return product


def option(page, spec: str, value: str):
    return page.locator(f'[data-testid="sku-option"][data-spec="{spec}"][data-value="{value}"]')


def test_pick_a_sku_from_home_on_a_phone(page, media_served, screenshot):
    product = tee_shirt()

    page.goto("/")
    card = page.get_by_test_id("product-card").filter(has_text="新疆长绒棉纯棉T恤")
    expect(card).to_contain_text("¥59.00")
    expect(card.locator("img")).to_have_js_property("complete", True)
    assert card.locator("img").evaluate("img => img.naturalWidth") == 400
    assert horizontal_overflow(page) <= 0
    screenshot(page, "storefront-home")

    card.click()
    page.wait_for_url(f"**/p/{product.pk}/")
    expect(page.get_by_test_id("price")).to_have_text("¥59.00 - ¥89.00")
    page.get_by_test_id("sku-choice").click()  # the SKU picker is a bottom sheet
    expect(page.get_by_test_id("sku-sheet")).to_be_visible()
    option(page, "颜色", "蓝").click()
    option(page, "尺码", "L").click()

    expect(page.get_by_test_id("price")).to_have_text("¥89.00")
    expect(page.get_by_test_id("stock")).to_have_text(re.compile(r"\b12\b"))
    for _ in range(15):
        page.get_by_test_id("qty-plus").click(force=True)
    expect(page.get_by_test_id("quantity")).to_have_value("12")
    expect(page.get_by_test_id("qty-plus")).to_be_disabled()

    option(page, "颜色", "红").click()  # now 红 + L; 红 + M has no stock
    expect(page.get_by_test_id("price")).to_have_text("¥69.00")
    expect(page.get_by_test_id("quantity")).to_have_value("5")
    expect(option(page, "尺码", "M")).to_be_disabled()
    expect(option(page, "尺码", "L")).to_be_enabled()
    expect(page.get_by_test_id("sheet-add-to-cart")).to_be_enabled()  # 红 + L is in stock
    expect(page.get_by_test_id("sku-chosen")).to_have_text("红 · L · 5 件")
    assert horizontal_overflow(page) <= 0
    screenshot(page, "storefront-product")


def test_sign_up_with_the_sms_code_button(page, screenshot):
    sms_backends.outbox.clear()

    page.goto("/signup/?next=/me/")
    page.fill("[name=phone]", "13812345678")
    page.get_by_test_id("send-code").click()
    expect(page.get_by_test_id("send-code")).to_be_disabled()
    expect(page.get_by_test_id("send-code")).to_contain_text("60")
    assert [m.phone for m in sms_backends.outbox] == ["13812345678"]
    page.fill("[name=code]", sms_backends.outbox[-1].params["code"])
    page.fill("[name=password]", "Quanzi-strong-9")
    page.fill("[name=nickname]", "小明")
    page.press("[name=nickname]", "Enter")  # must sign up, not send another code

    page.wait_for_url("**/me/")
    assert len(sms_backends.outbox) == 1
    expect(page.get_by_test_id("me-name")).to_have_text("小明")
    expect(page.get_by_test_id("me-phone")).to_have_text("138****5678")
    assert User.objects.filter(phone="13812345678", nickname="小明").exists()
    assert horizontal_overflow(page) <= 0
    screenshot(page, "storefront-me")


def test_a_member_under_attack_signs_in_with_the_sms_code(page, settings, screenshot):
    # given: failed passwords for the member's phone from many addresses
    from mall.errors import WrongCredentials
    from mall.services.accounts import user_authenticate
    from tests.mall.factories import UserFactory

    sms_backends.outbox.clear()
    UserFactory(phone="13812345678", nickname="小红")
    for n in range(settings.SIGNIN_ATTACK_ADDRESSES):
        with pytest.raises(WrongCredentials):
            user_authenticate(phone="13812345678", password="bad-guess", ip=f"203.0.113.{n + 1}")

    # when: the member tries the password, then follows the page to the SMS code
    page.goto("/signin/?next=/me/")
    page.fill("[name=phone]", "13812345678")
    page.fill("[name=password]", "Quanzi-test-123")
    page.get_by_test_id("signin-submit").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("短信验证码登录")
    assert horizontal_overflow(page) <= 0
    screenshot(page, "signin-code-required")
    page.get_by_test_id("use-code-signin").click()
    expect(page.locator("[name=phone]")).to_have_value("13812345678")
    page.get_by_test_id("send-code").click()
    expect(page.get_by_test_id("send-code")).to_contain_text("60")
    page.fill("[name=code]", sms_backends.outbox[-1].params["code"])
    assert horizontal_overflow(page) <= 0
    screenshot(page, "signin-with-sms-code")
    page.press("[name=code]", "Enter")  # must sign in, not send another code

    # then
    page.wait_for_url("**/me/")
    expect(page.get_by_test_id("me-name")).to_have_text("小红")
    assert len(sms_backends.outbox) == 1


def test_load_more_appends_the_next_page_in_place(page):
    category = CategoryFactory()
    for n in range(23):
        product = ProductFactory(title=f"好物{n:02d}", category=category)
        SKUFactory(product=product, price=Decimal("9.90"))

    page.goto("/")
    expect(page.get_by_test_id("product-card")).to_have_count(20)
    page.get_by_test_id("load-more").click()

    expect(page.get_by_test_id("product-card")).to_have_count(23)
    expect(page.get_by_test_id("load-more")).to_have_count(0)
    assert "page=" not in page.url


@pytest.mark.parametrize("path", ["/c/", "/search/?q=T恤", "/signin/", "/cart/", "/p/999999/"])
def test_other_pages_fit_the_phone_width(page, path, screenshot):
    tee_shirt()

    page.goto(path)

    expect(page.locator(".tabbar")).to_be_visible()
    assert horizontal_overflow(page) <= 0
    name = re.sub(r"[^a-z0-9]+", "-", path).strip("-") or "home"
    screenshot(page, f"storefront-{name}")
