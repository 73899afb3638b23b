"""Issue 13's journey in a phone-sized headless Chromium (390×844): a visitor sees the
new-member gift on the home banner, signs up through a reseller's invite, finds the gift in
我的优惠券, buys with it (the best coupon is proposed at checkout), and the order and the
reseller's commission show the after-discount amounts; then the member claims a partner's
voucher and the partner's staff member verifies it on the verification page (a second scan
is refused). Screenshots go to ``test-artifacts/coupons-*.png``.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from distribution.models import CommissionRecord
from mall.sms import backends as sms_backends
from orders.models import Order
from promotions.models import PartnerLedgerEntry
from tests.browser.conftest import horizontal_overflow
from tests.browser.test_order_journey import PASSWORD, product, sandbox_payments, sign_in  # noqa: F401
from tests.distribution.commission_world import make_world
from tests.promotions.factories import CouponTemplateFactory, partner_world

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _sign_up(page: Page, phone: str, invite_code: str) -> None:
    sms_backends.outbox.clear()
    page.fill("[name=phone]", phone)
    page.get_by_test_id("send-code").click()
    expect(page.get_by_test_id("send-code")).to_contain_text("60")  # the countdown: the code was sent
    page.fill("[name=code]", sms_backends.outbox[-1].params["code"])
    page.fill("[name=password]", PASSWORD)
    page.fill("[name=nickname]", "新朋友")
    page.fill("[name=invite_code]", invite_code)
    page.get_by_test_id("signup-submit").click()
    page.wait_for_url(lambda url: "/signup/" not in url)


def _pay_with_the_proposed_coupon(page: Page, screenshot) -> Order:
    page.get_by_test_id("add-address").click()
    page.fill("[name=receiver]", "王小明")
    page.fill("[name=phone]", "13800138000")
    page.select_option("[name=province]", "浙江省")  # the 省市区 picker (orders/regions.py)
    page.select_option("[name=city]", "杭州市")
    expect(page.locator("[name=district] option", has_text="西湖区")).to_have_count(1)
    page.select_option("[name=district]", "西湖区")
    page.fill("[name=detail]", "文三路 100 号")
    page.get_by_test_id("address-save").click()
    expect(page.get_by_test_id("coupon-chosen")).to_contain_text("新人礼")
    expect(page.get_by_test_id("checkout-discount")).to_have_text("-¥20.00")
    page.get_by_test_id("coupon-select").locator("summary").click()
    expect(page.get_by_text("每单限用一张优惠券。")).to_be_visible()
    assert horizontal_overflow(page) <= 0
    screenshot(page, "coupons-04-checkout", full_page=True)
    page.get_by_test_id("place-order").click()
    page.wait_for_url("**/pay/sandbox/**")
    page.locator("button[name=pay]").click()
    order = Order.objects.get()
    page.wait_for_url(f"**/orders/{order.number}/**")
    return order


@pytest.mark.usefixtures("sandbox_payments", "media_served")
def test_new_member_gift_to_a_discounted_order_and_a_partner_voucher_verified(
    page, browser, live_server, screenshot
):
    world = make_world()
    CouponTemplateFactory(name="新人礼", is_signup_gift=True, in_claim_centre=False,
                          threshold=Decimal("99.00"), amount=Decimal("20.00"), stock=100)
    sku = product("有机纯牛奶 12 盒", "120.00", (240, 240, 230))
    partner, partner_staff, _template, offer = partner_world(fee="8.00")

    # A visitor sees the gift on the home banner and signs up through the reseller's invite.
    page.goto("/")
    banner = page.get_by_test_id("signup-gift-banner")
    expect(banner).to_contain_text("注册即领¥20.00新人礼")
    screenshot(page, "coupons-01-home-banner")
    banner.click()
    page.wait_for_url("**/signup/**")
    _sign_up(page, "13812345670", world.seller.invite_code)

    # The gift is in 我的优惠券.
    page.goto("/me/coupons/")
    expect(page.get_by_test_id("coupon-name")).to_have_text("新人礼")
    expect(page.get_by_test_id("tab-unused")).to_contain_text("未使用 (1)")
    assert horizontal_overflow(page) <= 0
    screenshot(page, "coupons-02-my-coupons")

    # Buy now: checkout proposes the gift; the order is ¥20 cheaper.
    page.goto(f"/p/{sku.product_id}/")
    screenshot(page, "coupons-03-product")
    page.get_by_test_id("buy-now").click()
    order = _pay_with_the_proposed_coupon(page, screenshot)
    expect(page.get_by_test_id("order-discount")).to_have_text("-¥20.00")
    screenshot(page, "coupons-05-order", full_page=True)
    item = order.items.get()
    assert (order.discount_amount, item.paid_amount) == (Decimal("20.00"), Decimal("100.00"))

    # The reseller's commission is on the after-discount amount (10 % of ¥100.00).
    record = CommissionRecord.objects.get(order=order, tier=1)
    assert (record.base_amount, record.amount) == (Decimal("100.00"), Decimal("10.00"))
    seller_page = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844},
                                      locale="zh-CN").new_page()
    sign_in(seller_page, world.seller.user.phone, f"/earnings/commissions/{record.pk}/")
    expect(seller_page.get_by_test_id("record-amount")).to_have_text("¥10.00")
    expect(seller_page.get_by_test_id("record-detail")).to_be_visible()
    expect(seller_page.locator(".ea-dl")).to_contain_text("¥100.00")
    screenshot(seller_page, "coupons-06-commission")

    # The member claims the partner's voucher ...
    page.goto("/offers/")
    page.get_by_test_id(f"offer-claim-{offer.pk}").click()
    page.wait_for_url("**/me/vouchers/")
    code = page.get_by_test_id("voucher-code").inner_text()
    screenshot(page, "coupons-07-voucher")

    # ... and the partner's staff member verifies it at the counter; a second scan is refused.
    counter = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844},
                                  locale="zh-CN").new_page()
    sign_in(counter, partner_staff.phone, f"/partners/{partner.pk}/verify/")
    counter.fill("[name=code]", code)
    counter.get_by_test_id("verify-submit").click()
    expect(counter.get_by_test_id("verify-ok")).to_contain_text(code)
    assert horizontal_overflow(counter) <= 0
    screenshot(counter, "coupons-08-verified")
    counter.fill("[name=code]", code)
    counter.get_by_test_id("verify-submit").click()
    expect(counter.get_by_test_id("verify-error")).to_have_text("这张核销券已经核销过了。")
    screenshot(counter, "coupons-09-verified-again")
    fees = list(PartnerLedgerEntry.objects.values_list("kind", "amount"))
    assert fees == [("voucher_fee", Decimal("8.00"))]
