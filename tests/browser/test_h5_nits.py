"""Three H5 details a phone-sized walk (390×844) found, checked where they show:

- the bottom bar's 我的 tab has a dot while the member has an unread inbox message, and none
  once it is read;
- at checkout the 优惠券 label stays on one line beside a long coupon title;
- the 去领更多券 button's text is centred in the button, vertically too.

Screenshots go to ``test-artifacts/nits-*.png``.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import horizontal_overflow
from tests.browser.test_order_journey import sign_in
from tests.crm.test_inbox_pages import deliver_inbox
from tests.mall.factories import SKUFactory, UserFactory
from tests.orders.factories import AddressFactory
from tests.promotions.factories import CouponTemplateFactory, give

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13912340001"


def _box(locator: Locator) -> dict:
    box = locator.bounding_box()
    assert box is not None
    return box


def _text_box(page: Page, selector: str) -> dict:
    """The box of an element's text (its first line box), not of the element."""
    return page.evaluate(
        """(selector) => {
            const range = document.createRange();
            range.selectNodeContents(document.querySelector(selector));
            const r = range.getBoundingClientRect();
            return {y: r.y, height: r.height};
        }""",
        selector,
    )


def test_me_tab_dot_coupon_label_and_more_coupons_button_at_390px(page, screenshot):
    member = UserFactory(phone=PHONE, nickname="小雨")
    AddressFactory(user=member)
    sku = SKUFactory(price=Decimal("120.00"), stock=10, specs={})
    give(CouponTemplateFactory(name="双十二全场通用满减大额优惠券", threshold=Decimal("99.00"),
                               amount=Decimal("20.00")), member)
    message = deliver_inbox(member)

    # (a) An unread message: a dot on the 我的 tab of every page with the bar.
    sign_in(page, PHONE, "/")
    expect(page.get_by_test_id("me-tab-dot")).to_be_visible()
    expect(page.get_by_test_id("me-tab-dot")).to_have_attribute("aria-label", "有未读消息")
    screenshot(page, "nits-01-me-tab-dot")
    page.goto(f"/me/messages/{message.pk}/")  # reading it clears the dot
    page.goto("/me/")
    expect(page.get_by_test_id("tab-me")).to_be_visible()
    expect(page.get_by_test_id("me-tab-dot")).to_have_count(0)

    # (b) Checkout with a long coupon title: 优惠券 is one line, the title is cut, nothing overflows.
    page.goto(f"/p/{sku.product_id}/")
    page.get_by_test_id("buy-now").click()
    page.wait_for_url("**/checkout/**")
    expect(page.get_by_test_id("coupon-chosen")).to_contain_text("双十二")
    label = page.get_by_test_id("coupon-select").locator("summary > span")
    line = float(label.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
    assert _box(label)["height"] <= line + 1
    assert horizontal_overflow(page) <= 0
    screenshot(page, "nits-02-checkout-coupon")

    # (c) 我的优惠券: the 去领更多券 text sits in the vertical middle of its button.
    page.goto("/me/coupons/")
    button = page.locator(".coupons-more")
    expect(button).to_have_text("去领更多券")
    outer, text = _box(button), _text_box(page, ".coupons-more")
    assert abs((outer["y"] + outer["height"] / 2) - (text["y"] + text["height"] / 2)) <= 1
    screenshot(page, "nits-03-more-coupons")
