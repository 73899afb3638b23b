"""Acceptance 5: the whole order journey in a phone-sized headless Chromium, with staff
working in the Django admin in a second, desktop-sized context.

Cart → checkout with a new address → sandbox cashier (its signed notice reaches the live
server) → staff ship → the shopper confirms receipt and asks for a refund of one item →
staff approve and refund → the shopper sees the exact amount refunded. Screenshots of
every step go to ``test-artifacts/journey-*.png``.
"""

import io
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from mall.models import ProductImage
from orders.models import AfterSale, Order, Refund
from orders.payments import crypto
from tests.browser.conftest import horizontal_overflow
from tests.mall.factories import ProductFactory, SKUFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PASSWORD = "Quanzi-test-123"


@pytest.fixture
def sandbox_payments(settings, live_server, tmp_path):
    """The sandbox gateway with its own keys, posting its notices to this live server."""
    crypto.generate_key_pair(tmp_path)
    settings.PAYMENT_SANDBOX_KEY_DIR = tmp_path
    settings.PAYMENT_SANDBOX_PLATFORM_PUBLIC_KEY_PATH = ""
    settings.PAYMENT_SANDBOX_AUTOGENERATE_KEYS = False
    settings.PAYMENT_DEFAULT_PROVIDER = "sandbox"
    settings.PAYMENT_NOTIFY_BASE_URL = live_server.url


def product(title: str, price: str, color: tuple[int, int, int]):
    item = ProductFactory(title=title)
    sku = SKUFactory(product=item, price=Decimal(price), stock=10, specs={})
    buffer = io.BytesIO()
    Image.new("RGB", (300, 300), color).save(buffer, "PNG")
    ProductImage(product=item).image.save(f"{item.pk}.png", ContentFile(buffer.getvalue()), save=True)
    return sku


def sign_in(page: Page, phone: str, next_url: str) -> None:
    page.goto(f"/signin/?next={next_url}")
    page.fill("[name=phone]", phone)
    page.fill("[name=password]", PASSWORD)
    page.get_by_test_id("signin-submit").click()
    page.wait_for_url(f"**{next_url}")


def staff_page(browser: Browser, live_server) -> Page:
    staff = UserFactory(phone="13800000000", nickname="仓库小张", is_staff=True, is_superuser=True)
    desk = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="zh-CN"
    )
    admin = desk.new_page()
    admin.set_default_timeout(10_000)
    admin.goto("/admin/login/")
    admin.fill("[name=username]", staff.phone)
    admin.fill("[name=password]", PASSWORD)
    admin.locator("input[type=submit]").click()
    admin.wait_for_url("**/admin/")
    return admin


def admin_confirm(admin: Page, link_selector: str) -> None:
    """Click a staff action, then confirm its intermediate form."""
    admin.locator(link_selector).click()
    admin.locator("input[type=submit][value]").last.click()
    expect(admin.locator(".messagelist .success")).to_be_visible()


def test_order_journey_from_cart_to_refund(
    page, browser, live_server, sandbox_payments, media_served, screenshot
):
    coffee = product("云南小粒咖啡豆 500g", "59.00", (120, 72, 40))
    sugar = product("古法手工红糖 300g", "39.00", (170, 40, 30))
    UserFactory(phone="13912345678", nickname="小美")

    # The shopper signs in and fills the cart from two product pages.
    sign_in(page, "13912345678", f"/p/{coffee.product_id}/")
    page.get_by_test_id("add-to-cart").click()
    expect(page.get_by_test_id("message")).to_have_text("已加入购物车")
    screenshot(page, "journey-01-added-to-cart")
    page.goto(f"/p/{sugar.product_id}/")
    page.get_by_test_id("add-to-cart").click()
    expect(page.get_by_test_id("message")).to_have_text("已加入购物车")
    page.locator(".action-icon", has_text="购物车").click()  # the product page's cart icon
    expect(page.get_by_test_id("cart-line")).to_have_count(2)
    expect(page.get_by_test_id("cart-subtotal")).to_have_text("¥98.00")
    assert horizontal_overflow(page) <= 0
    screenshot(page, "journey-02-cart")

    # Checkout with a new address: ¥98.00 is under the free-shipping threshold, so +¥10.00.
    page.get_by_test_id("cart-checkout").click()
    page.get_by_test_id("add-address").click()
    page.fill("[name=receiver]", "王小明")
    page.fill("[name=phone]", "138 0013 8000")
    page.select_option("[name=province]", "浙江省")  # the region picker
    page.select_option("[name=city]", "杭州市")
    page.select_option("[name=district]", "西湖区")
    page.fill("[name=detail]", "文三路 100 号 5 幢 301")
    page.get_by_test_id("address-save").click()
    expect(page.get_by_test_id("checkout-address")).to_contain_text("王小明")
    expect(page.get_by_test_id("checkout-shipping")).to_have_text("¥10.00")
    expect(page.get_by_test_id("checkout-total")).to_have_text("¥108.00")
    assert horizontal_overflow(page) <= 0
    screenshot(page, "journey-03-checkout")

    # Pay in the sandbox cashier; its signed notice reaches the live server's notify endpoint.
    page.get_by_test_id("place-order").click()
    page.wait_for_url("**/pay/sandbox/**")
    expect(page.locator(".cashier-amount")).to_have_text("¥108.00")
    screenshot(page, "journey-04-cashier")
    page.locator("button[name=pay]").click()
    order = Order.objects.get()
    page.wait_for_url(f"**/orders/{order.number}/**")
    expect(page.get_by_test_id("order-state")).to_have_text("待发货")
    screenshot(page, "journey-05-paid", full_page=True)

    # Staff ship it in the admin.
    admin = staff_page(browser, live_server)
    admin.goto(f"/admin/orders/order/{order.pk}/change/")
    admin.locator("a.ship-link").click()
    admin.select_option("[name=carrier]", "顺丰速运")  # a list of carriers
    admin.fill("[name=tracking_no]", "SF1234567890")
    admin.locator("input[type=submit]").click()
    expect(admin.locator(".messagelist .success")).to_be_visible()
    screenshot(admin, "journey-06-admin-shipped")

    # The shopper confirms receipt and asks for a refund of the red sugar only.
    page.reload()
    expect(page.get_by_test_id("order-state")).to_have_text("待收货")
    expect(page.get_by_test_id("tracking-no")).to_have_text("SF1234567890")
    page.get_by_test_id("order-confirm-receipt").click()
    page.get_by_test_id("confirm-ok").click()  # the in-page confirmation sheet
    expect(page.get_by_test_id("order-state")).to_have_text("已完成")
    screenshot(page, "journey-07-received")
    page.get_by_test_id("order-row").filter(has_text="古法手工红糖").get_by_test_id(
        "item-aftersale-new"
    ).click()
    expect(page.locator("[name=amount]")).to_have_value("39.00")
    page.select_option("[name=reason]", label="质量问题")
    screenshot(page, "journey-08-aftersale-form")
    page.get_by_test_id("aftersale-submit").click()
    expect(page.get_by_test_id("aftersale-state")).to_have_text("等待商家审核")
    aftersale = AfterSale.objects.get()

    # Staff approve it and trigger the refund through the gateway.
    admin.goto(f"/admin/orders/aftersale/{aftersale.pk}/change/")
    admin_confirm(admin, "a.aftersale-approve")
    admin_confirm(admin, "a.aftersale-refund")
    screenshot(admin, "journey-09-admin-refunded")

    # The shopper sees the after-sale refunded with the exact amount.
    page.reload()
    expect(page.get_by_test_id("aftersale-state")).to_have_text("已退款")
    expect(page.get_by_test_id("aftersale-refunded")).to_have_text("¥39.00 已原路退回。")
    assert horizontal_overflow(page) <= 0
    screenshot(page, "journey-10-refunded")

    aftersale.refresh_from_db()
    item = aftersale.order_item
    order.refresh_from_db()
    assert (aftersale.state, aftersale.amount) == ("refunded", Decimal("39.00"))
    assert list(Refund.objects.values_list("state", "amount")) == [("succeeded", Decimal("39.00"))]
    assert (item.product_title, item.refunded_quantity, item.refunded_amount) == (
        "古法手工红糖 300g",
        1,
        Decimal("39.00"),
    )
    assert (order.state, order.total_amount, order.carrier) == ("received", Decimal("108.00"), "顺丰速运")
