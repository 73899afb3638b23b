"""The product page at 1366 px: spec options and SKU specs edited as rows and selects (no JSON
typed), saved through the same form checks, and the page never scrolls sideways."""

import pytest
from playwright.sync_api import Browser

from mall.models import SKU, Product
from tests.mall.factories import ProductFactory, SKUFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESKTOP = {"viewport": {"width": 1366, "height": 768}, "locale": "zh-CN"}


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_specs_are_edited_as_rows_and_selects_at_1366px(browser: Browser, live_server, screenshot):
    UserFactory(phone="13800000000", is_staff=True, is_superuser=True)
    product = ProductFactory(title="真丝围巾", spec_options=[{"name": "颜色", "values": ["红", "蓝"]}])
    SKUFactory(product=product, specs={"颜色": "红"}, spec_key=SKU.make_spec_key({"颜色": "红"}),
               barcode="6901234567890")
    context = browser.new_context(base_url=live_server.url, **DESKTOP)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/admin/login/")
    page.fill("#id_username", "13800000000")
    page.fill("#id_password", "Quanzi-test-123")
    page.click("input[type=submit]")
    page.goto(f"/admin/mall/product/{product.pk}/change/")

    assert page.locator("textarea[name=spec_options]").is_hidden()  # the JSON is drawn as rows
    assert _no_sideways_scroll(page)
    page.locator(".spec-values").first.fill("红, 蓝, 白")
    page.click(".spec-add")
    page.locator(".spec-name").nth(1).fill("尺码")
    page.locator(".spec-values").nth(1).fill("均码")
    page.select_option("select[data-option='颜色']", "白")
    page.select_option("select[data-option='尺码']", "均码")
    screenshot(page, "console-spec-editor-1366")
    assert _no_sideways_scroll(page)
    page.click("input[name=_continue]")

    page.wait_for_selector(".messagelist .success")
    product.refresh_from_db()
    assert product.spec_options == [{"name": "颜色", "values": ["红", "蓝", "白"]},
                                    {"name": "尺码", "values": ["均码"]}]
    assert list(SKU.objects.filter(product=product).values_list("specs", flat=True)) == [
        {"颜色": "白", "尺码": "均码"}]
    assert Product.objects.count() == 1
    assert errors == []
    context.close()
