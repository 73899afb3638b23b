"""Issue 11, storefront fixes, walked at 390 px in headless Chromium:

choose a SKU in the bottom sheet and add it to the cart (the choice stays, the badge
updates) → checkout with a new address through the 省市区 picker → pay → confirm receipt in
the in-page sheet (no browser dialog) → write a review with a photo → see it on the product
page; and the 忘记密码 flow. Screenshots: ``test-artifacts/fixes-*.png``.
"""

import io
import re
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from PIL import Image
from playwright.sync_api import Page, expect

from mall.models import ProductImage
from mall.services.catalog import product_create, sku_set_stock
from mall.sms import backends as sms_backends
from orders.models import Order, Review
from orders.services.fulfilment import order_ship
from tests.browser.conftest import horizontal_overflow
from tests.browser.test_order_journey import PASSWORD, sandbox_payments, sign_in  # noqa: F401 (fixture)
from tests.mall.factories import CategoryFactory, SupplierFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def tee_shirt():
    product = product_create(
        supplier=SupplierFactory(), category=CategoryFactory(), title="新疆长绒棉纯棉T恤",
        subtitle="宽松百搭", price="59.00", cost_price="20.00", stock=8, on_shelf=True,
        spec_options=[{"name": "颜色", "values": ["红", "蓝"]}, {"name": "尺码", "values": ["M", "L"]}],
    )
    sku_set_stock(sku_id=product.skus.get(spec_key="尺码:M;颜色:红").pk, stock=0)
    buffer = io.BytesIO()
    Image.new("RGB", (300, 300), (58, 142, 230)).save(buffer, "PNG")
    ProductImage(product=product).image.save("tee.png", ContentFile(buffer.getvalue()), save=True)
    return product


def option(page: Page, spec: str, value: str):
    return page.locator(f'[data-testid="sku-option"][data-spec="{spec}"][data-value="{value}"]')


def no_dialogs(page: Page) -> list[str]:
    """Every browser dialog (confirm/alert) the page opens; the walk expects none."""
    seen: list[str] = []

    def record(dialog) -> None:
        seen.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    return seen


def photo_file(tmp_path) -> str:
    path = tmp_path / "review.jpg"
    Image.new("RGB", (1200, 900), (200, 60, 60)).save(path, "JPEG")
    return str(path)


def test_sku_sheet_cart_badge_region_picker_receipt_sheet_and_review(
    page, sandbox_payments, screenshot, tmp_path  # noqa: F811
):
    product = tee_shirt()
    UserFactory(phone="13912345678", nickname="小美")
    dialogs = no_dialogs(page)

    # Choose 蓝 / L in the bottom sheet and add 2 to the cart: no reload, the choice stays.
    sign_in(page, "13912345678", f"/p/{product.pk}/")
    expect(page.get_by_test_id("cart-badge").first).to_be_hidden()
    page.get_by_test_id("add-to-cart").click()  # nothing chosen yet: it opens the sheet
    expect(page.get_by_test_id("sku-sheet")).to_be_visible()
    expect(page.get_by_test_id("sheet-add-to-cart")).to_be_disabled()
    option(page, "颜色", "蓝").click()
    option(page, "尺码", "L").click()
    page.get_by_test_id("qty-plus").click()
    expect(page.get_by_test_id("sheet-price")).to_have_text("¥59.00")
    screenshot(page, "fixes-01-sku-sheet")
    page.get_by_test_id("sheet-add-to-cart").click()
    expect(page.get_by_test_id("message")).to_have_text("已加入购物车")
    expect(page.get_by_test_id("sku-sheet")).to_be_hidden()
    expect(page.get_by_test_id("cart-badge").first).to_have_text("2")
    expect(page.get_by_test_id("sku-chosen")).to_have_text("蓝 · L · 2 件")
    page.get_by_test_id("sku-choice").click()
    expect(option(page, "颜色", "蓝")).to_have_attribute("aria-pressed", "true")
    expect(option(page, "尺码", "L")).to_have_attribute("aria-pressed", "true")
    page.get_by_test_id("sku-sheet-close").click()
    assert horizontal_overflow(page) <= 0
    screenshot(page, "fixes-02-added-badge")

    # The tab bar of every page shows the count too.
    page.goto("/")
    expect(page.get_by_test_id("tab-cart").get_by_test_id("cart-badge")).to_have_text("2")

    # Checkout with a new address: province → city → district from the offline data set.
    page.goto("/cart/")
    page.get_by_test_id("cart-checkout").click()
    page.get_by_test_id("add-address").click()
    page.fill("[name=receiver]", "王小明")
    page.fill("[name=phone]", "138 0013 8000")
    expect(page.locator("[name=city]")).to_be_disabled()
    page.select_option("[name=province]", "广东省")
    page.select_option("[name=city]", "深圳市")
    expect(page.locator("[name=district] option", has_text="南山区")).to_have_count(1)
    expect(page.locator("[name=district] option", has_text="西湖区")).to_have_count(0)
    page.select_option("[name=district]", "南山区")
    page.fill("[name=detail]", "科技园南区 8 栋 602")
    assert horizontal_overflow(page) <= 0
    screenshot(page, "fixes-03-region-picker")
    page.get_by_test_id("address-save").click()
    expect(page.get_by_test_id("checkout-address")).to_contain_text("广东省")
    expect(page.get_by_test_id("checkout-address")).to_contain_text("南山区")

    # Pay in the sandbox cashier.
    page.get_by_test_id("place-order").click()
    page.wait_for_url("**/pay/sandbox/**")
    page.locator("button[name=pay]").click()
    order = Order.objects.get()
    page.wait_for_url(f"**/orders/{order.number}/**")
    expect(page.get_by_test_id("order-state")).to_have_text("待发货")

    # Shipped; the shopper confirms receipt in the in-page sheet, never a browser dialog.
    order_ship(order=order, actor=None, carrier="顺丰速运", tracking_no="SF1234567890")
    page.reload()
    expect(page.get_by_test_id("order-state")).to_have_text("待收货")
    page.get_by_test_id("order-confirm-receipt").click()
    expect(page.get_by_test_id("confirm-sheet")).to_be_visible()
    expect(page.get_by_test_id("confirm-sheet")).to_contain_text("确认已收到全部商品")
    screenshot(page, "fixes-04-confirm-sheet")
    page.get_by_test_id("confirm-cancel").click()  # nothing happens
    expect(page.get_by_test_id("confirm-sheet")).to_be_hidden()
    expect(page.get_by_test_id("order-state")).to_have_text("待收货")
    page.get_by_test_id("order-confirm-receipt").click()
    page.get_by_test_id("confirm-ok").click()
    expect(page.get_by_test_id("order-state")).to_have_text("已完成")
    assert dialogs == []

    # Review the item: 4 stars, text, one photo.
    page.get_by_test_id("item-review").click()
    page.locator('label[for="rating-4"]').click()
    page.fill("[name=text]", "面料柔软，蓝色很正，L 码合身。")
    page.set_input_files("[name=photos]", photo_file(tmp_path))
    expect(page.locator("[data-photo-previews] img")).to_have_count(1)
    screenshot(page, "fixes-05-review-form")
    page.get_by_test_id("review-submit").click()
    expect(page.get_by_test_id("message")).to_have_text("感谢您的评价！")
    expect(page.get_by_test_id("item-reviewed")).to_have_text("已评价")
    review = Review.objects.get()
    assert (review.rating, review.photos.count()) == (4, 1)

    # It is on the product page: average, count, the text and the photo.
    page.goto(f"/p/{product.pk}/")
    block = page.get_by_test_id("product-reviews")
    block.scroll_into_view_if_needed()
    expect(block.get_by_test_id("review-count")).to_have_text("(1)")
    expect(block.get_by_test_id("review-average")).to_have_text("4.0")
    expect(block.get_by_test_id("review-text")).to_have_text("面料柔软，蓝色很正，L 码合身。")
    expect(block.get_by_test_id("review-stars")).to_have_text("★★★★☆")
    expect(block.get_by_test_id("review-photo")).to_have_js_property("complete", True)
    assert block.get_by_test_id("review-photo").evaluate("img => img.naturalWidth") == 1200
    assert horizontal_overflow(page) <= 0
    screenshot(page, "fixes-06-product-reviews")


def test_forgot_password_with_an_sms_code(page, screenshot):
    sms_backends.outbox.clear()
    UserFactory(phone="13912345678", nickname="小美")
    dialogs = no_dialogs(page)

    page.goto("/signin/")
    page.get_by_test_id("forgot-password").click()
    page.wait_for_url("**/signin/reset/**")
    page.fill("[name=phone]", "13912345678")
    page.get_by_test_id("send-code").click()
    expect(page.get_by_test_id("send-code")).to_contain_text("60")  # sent: the countdown runs
    assert [m.phone for m in sms_backends.outbox] == ["13912345678"]
    page.fill("[name=code]", sms_backends.outbox[-1].params["code"])
    page.fill("[name=password]", "Brand-new-pass-9")
    assert horizontal_overflow(page) <= 0
    screenshot(page, "fixes-07-forgot-password")
    page.get_by_test_id("password-reset-submit").click()

    page.wait_for_url(re.compile(r".*/signin/(\?.*)?$"))
    expect(page.get_by_test_id("message").first).to_have_text("密码已重置，请用新密码登录。")
    page.fill("[name=phone]", "13912345678")
    page.fill("[name=password]", "Brand-new-pass-9")
    page.get_by_test_id("signin-submit").click()
    page.wait_for_url("**/me/")
    expect(page.get_by_test_id("me-name")).to_have_text("小美")
    assert dialogs == []
    screenshot(page, "fixes-08-signed-in-after-reset")


def test_without_the_script_the_choice_is_kept_after_adding(browser, live_server, screenshot):
    product = tee_shirt()
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                  viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    blue_l = product.skus.get(spec_key="尺码:L;颜色:蓝")

    page.goto(f"/p/{product.pk}/")
    page.select_option("#sku-select", str(blue_l.pk))
    page.get_by_test_id("add-to-cart").click()

    page.wait_for_url(f"**/p/{product.pk}/?sku={blue_l.pk}")
    expect(page.get_by_test_id("message")).to_have_text("已加入购物车")
    expect(page.locator("#sku-select")).to_have_value(str(blue_l.pk))
    expect(page.get_by_test_id("cart-badge").first).to_have_text("1")
    assert Decimal(page.get_by_test_id("price").inner_text().lstrip("¥").split(" ")[0]) == Decimal("59.00")
    screenshot(page, "fixes-09-no-script")
    context.close()
