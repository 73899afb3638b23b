"""A return (退货退款) on a phone: the shopper asks for it with a photo, staff approve it
(through the service) and review the photo in the admin, and the shopper sees where to
send the goods, with a copy button. Screenshots: ``test-artifacts/return-*.png``."""

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from orders.models import AfterSale
from orders.services.aftersale import aftersale_approve
from orders.services.fulfilment import order_confirm_receipt, order_ship
from tests.browser.conftest import horizontal_overflow
from tests.browser.test_order_journey import product, sandbox_payments, sign_in, staff_page
from tests.mall.factories import UserFactory
from tests.orders.factories import ReturnAddressFactory, pay, place_order

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
__all__ = ["sandbox_payments"]  # a fixture this module uses

COPY_TEXT = "圈子退货仓 0571-88886666 浙江省杭州市余杭区仓前街道文一西路 1500 号 3 号库"


def image_loaded(page: Page, selector: str) -> bool:
    """Scrolls the (lazy) image into view and waits until it has decoded."""
    image = page.locator(selector).first
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    return True


def test_a_shopper_returns_goods_with_a_photo_and_copies_the_return_address(
    page, context, browser, live_server, sandbox_payments, media_served, screenshot, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    ReturnAddressFactory(detail="仓前街道文一西路 1500 号 3 号库", note="请勿寄到付件，包裹内请附上订单号")
    shopper = UserFactory(phone="13912345678", nickname="小美")
    basket = product("手工竹编收纳篮 大号", "89.00", (190, 150, 90))
    order = pay(place_order(user=shopper, lines=[(basket, 1)]))
    order_ship(order=order, actor=None, carrier="顺丰速运", tracking_no="SF1234567890")
    order_confirm_receipt(order=order, actor=shopper)
    photo = tmp_path / "破损.jpg"
    Image.new("RGB", (1200, 900), (170, 120, 70)).save(photo, "JPEG")
    context.grant_permissions(["clipboard-read", "clipboard-write"])

    # The shopper asks to return the basket, with a photo of the damage.
    sign_in(page, "13912345678", f"/orders/{order.number}/")
    page.get_by_test_id("item-aftersale-new").click()
    page.locator("input[name=kind][value=return_and_refund]").check()
    page.select_option("[name=reason]", label="商品破损")
    page.set_input_files("[name=photos]", str(photo))
    expect(page.locator("[data-photo-previews] img")).to_have_count(1)
    assert horizontal_overflow(page) <= 0
    screenshot(page, "return-1-form-with-photo", full_page=True)
    page.get_by_test_id("aftersale-submit").click()
    expect(page.get_by_test_id("aftersale-state")).to_have_text("等待商家审核")
    expect(page.get_by_test_id("aftersale-photo")).to_have_count(1)
    assert image_loaded(page, "[data-testid=aftersale-photo]")
    expect(page.get_by_test_id("return-address")).to_have_count(0)
    aftersale = AfterSale.objects.get()
    assert aftersale.photos.count() == 1

    # Staff see the photo in the review page, then approve the return.
    admin = staff_page(browser, live_server)
    admin.goto(f"/admin/orders/aftersale/{aftersale.pk}/change/")
    expect(admin.locator("img.aftersale-photo")).to_have_count(1)
    assert image_loaded(admin, "img.aftersale-photo")
    screenshot(admin, "return-2-admin-review")
    aftersale_approve(aftersale=aftersale, actor=None)

    # The shopper sees where to send it and copies the address.
    page.reload()
    expect(page.get_by_test_id("aftersale-state")).to_have_text("已同意，请寄回商品")
    card = page.get_by_test_id("return-address")
    expect(card).to_be_visible()
    expect(card.get_by_test_id("return-address-line")).to_have_text(COPY_TEXT.split(" ", 2)[2])
    expect(card.get_by_test_id("return-note")).to_have_text("请勿寄到付件，包裹内请附上订单号")
    card.get_by_test_id("copy-return-address").click()
    expect(page.get_by_test_id("message").last).to_have_text("退货地址已复制")
    assert page.evaluate("navigator.clipboard.readText()") == COPY_TEXT
    assert horizontal_overflow(page) == 0
    screenshot(page, "return-3-approved-address", full_page=True)
