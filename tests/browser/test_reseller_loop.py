"""Issue 11, acceptance 1: the reseller's whole loop as one journey at 390 px.

A newly joined reseller picks 5 products in 选品 (one tap each), reorders them (↑ / ↓), sets a
logo (a PNG), and shares a product from 我的小店: copies the link and saves the poster, whose
QR code decodes to the product in their shop with their invite code. A new visitor (a fresh
browser context) opens the copied link, sees "小雨邀请你", signs up with the SMS code, buys the
shared product (a new address through the 省市区 picker) and pays in the sandbox cashier,
whose signed notice reaches the live server. After the funnel roll-up, the reseller's 分享效果
shows 1 visit → 1 sign-up → 1 order, the items' paid amount (no shipping) and the estimated
commission of the reseller's commission record on that order. No page scrolls sideways.
Screenshots: ``test-artifacts/loop-*.png``.
"""

import io
from decimal import Decimal
from pathlib import Path

import pytest
import zxingcpp
from django.core.files.base import ContentFile
from PIL import Image
from playwright.sync_api import Page, expect

from distribution.commission.services.rules import level_rate_set, rules_update
from distribution.funnel.rollup import funnel_rollup
from distribution.models import CommissionRecord, Member
from distribution.reseller.services.resellers import reseller_join
from mall.models import SKU, ProductImage, Shop
from mall.selectors import shop_listed_product_ids
from mall.sms import backends as sms_backends
from orders.models import Order
from tests.browser.conftest import PHONE
from tests.browser.test_order_journey import PASSWORD, sandbox_payments  # noqa: F401 (fixture)
from tests.distribution.factories import MemberFactory
from tests.distribution.resellers_world import default_level, everyone
from tests.mall.factories import ProductFactory, SKUFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WIDTH = PHONE["viewport"]["width"]  # 390
COLORS = [(250, 180, 160), (160, 200, 240), (180, 230, 170), (240, 220, 150), (210, 180, 240)]


def product(title: str, price: str, color: tuple[int, int, int]) -> int:
    item = ProductFactory(title=title)
    SKUFactory(product=item, price=Decimal(price), cost_price=Decimal(price) / 2, stock=10, specs={})
    buffer = io.BytesIO()
    Image.new("RGB", (400, 400), color).save(buffer, "PNG")
    ProductImage(product=item).image.save(f"{item.pk}.png", ContentFile(buffer.getvalue()), save=True)
    return item.pk


def logo_png(tmp_path: Path) -> Path:
    path = tmp_path / "logo.png"
    Image.new("RGB", (600, 600), (228, 57, 60)).save(path, "PNG")
    return path


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} scrolls sideways: {width} px wide"


def shown_order(page: Page) -> list[int]:
    """The product ids of 我的小店's rows, top to bottom, as the page shows them."""
    return page.get_by_test_id("myshop-row").evaluate_all("rows => rows.map(r => +r.dataset.productId)")


def shop_row(page: Page, product_id: int):
    return page.locator(f"[data-testid=myshop-row][data-product-id='{product_id}']")


def tap_and_wait(page: Page, locator) -> None:
    with page.expect_navigation():  # each tap posts, then comes back to the page
        locator.click()


def test_pick_reorder_logo_share_a_visitor_buys_and_the_funnel_shows_it(
        page, context, browser, live_server, media_served, sandbox_payments, screenshot,  # noqa: F811
        artifacts_dir, tmp_path):
    # A new reseller, joined through the programme (free joining); tier 1 earns 10 %.
    level = default_level()
    level_rate_set(level=level, tier=1, rate=Decimal("0.10"), operator=None)
    rules_update(operator=None, tiers=1)
    ids = [product(f"好物{i} 夏日清爽款", f"{59 + i * 10}.90", COLORS[i]) for i in range(5)]
    everyone()
    reseller = reseller_join(member=MemberFactory(user=UserFactory(phone="13611112222", nickname="小雨")))
    shop = Shop.objects.get(owner=reseller.user)
    assert shop_listed_product_ids(shop=shop) == []
    context.grant_permissions(["clipboard-read", "clipboard-write"])

    # 1. 我的小店 → 选品: pick 5 products, one tap each.
    page.goto("/signin/?next=/distribution/")
    page.fill("[name=phone]", "13611112222")
    page.fill("[name=password]", PASSWORD)
    page.get_by_test_id("signin-submit").click()
    page.wait_for_url("**/distribution/")
    page.get_by_test_id("myshop-link").click()
    page.wait_for_url("**/distribution/shop/")
    expect(page.get_by_test_id("myshop-empty")).to_be_visible()
    no_sideways_scroll(page)
    page.get_by_test_id("open-picks").click()
    page.wait_for_url("**/distribution/shop/picks/")
    no_sideways_scroll(page)
    screenshot(page, "loop-01-picks", full_page=True)
    for product_id in ids:
        row = page.locator(f"[data-testid=pick-row][data-product-id='{product_id}']")
        expect(row.get_by_test_id("pick-toggle")).to_have_text("+ 加入")
        tap_and_wait(page, row.get_by_test_id("pick-toggle"))
        expect(row.get_by_test_id("pick-toggle")).to_have_text("已在小店")
    assert sorted(shop_listed_product_ids(shop=shop)) == sorted(ids)
    no_sideways_scroll(page)
    screenshot(page, "loop-02-picked", full_page=True)

    # Reorder: the first product one down, then the last one up.
    page.get_by_test_id("back-to-shop").click()
    page.wait_for_url("**/distribution/shop/")
    before = shown_order(page)
    assert sorted(before) == sorted(ids)
    assert before == shop_listed_product_ids(shop=shop)
    first, last = before[0], before[-1]
    tap_and_wait(page, shop_row(page, first).get_by_test_id("move-down"))
    tap_and_wait(page, shop_row(page, last).get_by_test_id("move-up"))
    expected = [before[1], before[0], before[2], before[4], before[3]]
    assert shown_order(page) == expected
    assert shop_listed_product_ids(shop=shop) == expected
    no_sideways_scroll(page)
    screenshot(page, "loop-03-reordered", full_page=True)

    # A logo: a real PNG, uploaded, previewed, saved and shown (cropped to 400 × 400).
    page.get_by_test_id("edit-profile").click()
    page.wait_for_url("**/distribution/shop/profile/")
    page.set_input_files("[data-testid=logo-input]", str(logo_png(tmp_path)))
    preview = page.locator("[data-preview-logo]")
    assert preview.evaluate("el => el.tagName + ' ' + el.src.slice(0, 5)") == "IMG blob:"
    with page.expect_navigation():
        page.get_by_test_id("profile-save").click()
    expect(page.get_by_test_id("message").first).to_have_text("店铺资料已更新。")
    shop.refresh_from_db()
    assert shop.avatar
    page.goto("/distribution/shop/")
    page.wait_for_load_state("networkidle")
    logo = page.get_by_test_id("myshop-logo")
    expect(logo).to_have_attribute("src", shop.avatar.url)
    assert logo.evaluate("img => [img.complete, img.naturalWidth, img.naturalHeight]") == [True, 400, 400]
    no_sideways_scroll(page)
    screenshot(page, "loop-04-logo", full_page=True)

    # 2. Share the product now second in the shop: copy the link, save the poster.
    shared = expected[1]
    shared_sku = SKU.objects.get(product_id=shared)
    shop_row(page, shared).get_by_test_id("share-open").click()
    expect(page.get_by_test_id("share-sheet")).to_be_visible()
    link = f"{live_server.url}/s/{reseller.invite_code}/p/{shared}?src=link"
    expect(page.get_by_test_id("share-link-text")).to_have_text(link)
    no_sideways_scroll(page)
    screenshot(page, "loop-05-share-sheet")
    page.get_by_test_id("share-copy-link").click()
    expect(page.get_by_test_id("message").last).to_have_text("链接已复制，粘贴到聊天里发给好友吧。")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == link
    page.get_by_test_id("share-poster").click()
    expect(page.get_by_test_id("poster-view")).to_be_visible()
    page.wait_for_function("() => document.querySelector('[data-testid=poster-image]').complete")
    poster_image = page.get_by_test_id("poster-image")
    assert poster_image.evaluate("i => [i.naturalWidth, i.naturalHeight]") == [750, 1334]
    no_sideways_scroll(page)
    screenshot(page, "loop-06-poster")
    with page.expect_download() as download:
        page.get_by_test_id("poster-download").click()
    saved = Path(download.value.path())
    (artifacts_dir / "loop-poster.png").write_bytes(saved.read_bytes())
    poster = Image.open(saved)
    assert (poster.format, poster.size) == ("PNG", (750, 1334))
    codes = [result.text for result in zxingcpp.read_barcodes(poster)]
    assert codes == [f"{live_server.url}/s/{reseller.invite_code}/p/{shared}?src=poster"]

    # 3. A new visitor opens the copied link in their own browser.
    visitor = browser.new_context(base_url=live_server.url, **PHONE)
    guest = visitor.new_page()
    guest.set_default_timeout(10_000)
    guest_errors: list[str] = []
    guest.on("pageerror", lambda error: guest_errors.append(str(error)))
    guest.goto(copied)
    guest.wait_for_url(f"**/p/{shared}/")
    expect(guest.get_by_test_id("invite-banner")).to_contain_text("小雨邀请你")
    strip = guest.get_by_test_id("shop-strip")  # the visit is in 小雨's shop, with her logo
    expect(strip.locator(".shop-strip-text")).to_have_text("来自 小雨的小店")
    expect(strip.locator("img")).to_have_attribute("src", shop.avatar.url)
    no_sideways_scroll(guest)
    screenshot(guest, "loop-07-visitor-landing", full_page=True)

    # Sign up from the banner: the invite code is already there; the SMS code from the outbox.
    sms_backends.outbox.clear()
    guest.get_by_test_id("invite-signup").click()
    guest.wait_for_url("**/signup/**")
    expect(guest.locator("[name=invite_code]")).to_have_value(reseller.invite_code)
    guest.fill("[name=phone]", "13912345678")
    guest.get_by_test_id("send-code").click()
    expect(guest.get_by_test_id("send-code")).to_contain_text("60")  # sent: the countdown runs
    assert [message.phone for message in sms_backends.outbox] == ["13912345678"]
    guest.fill("[name=code]", sms_backends.outbox[-1].params["code"])
    guest.fill("[name=password]", PASSWORD)
    guest.fill("[name=nickname]", "新朋友")
    no_sideways_scroll(guest)
    screenshot(guest, "loop-08-signup", full_page=True)
    guest.get_by_test_id("signup-submit").click()
    guest.wait_for_url(f"**/p/{shared}/")
    buyer = Member.objects.get(user__phone="13912345678")
    assert buyer.parent_id == reseller.pk

    # Buy the shared product: a new address through the region picker, then the cashier.
    guest.get_by_test_id("buy-now").click()
    guest.get_by_test_id("add-address").click()
    guest.fill("[name=receiver]", "王小明")
    guest.fill("[name=phone]", "138 0013 8000")
    guest.select_option("[name=province]", "广东省")
    guest.select_option("[name=city]", "深圳市")
    guest.select_option("[name=district]", "南山区")
    guest.fill("[name=detail]", "科技园南区 8 栋 602")
    no_sideways_scroll(guest)
    guest.get_by_test_id("address-save").click()
    expect(guest.get_by_test_id("checkout-address")).to_contain_text("南山区")
    no_sideways_scroll(guest)
    screenshot(guest, "loop-09-checkout", full_page=True)
    guest.get_by_test_id("place-order").click()
    guest.wait_for_url("**/pay/sandbox/**")
    no_sideways_scroll(guest)
    screenshot(guest, "loop-10-cashier")
    guest.locator("button[name=pay]").click()
    order = Order.objects.get()
    guest.wait_for_url(f"**/orders/{order.number}/**")
    expect(guest.get_by_test_id("order-state")).to_have_text("待发货")  # the notice was delivered
    no_sideways_scroll(guest)
    screenshot(guest, "loop-11-paid", full_page=True)
    assert guest_errors == []
    visitor.close()

    order.refresh_from_db()
    item = order.items.get()
    assert (order.user_id, order.shop_id, item.product_id) == (buyer.user_id, shop.pk, shared)
    assert item.paid_amount == shared_sku.price
    assert order.shipping_fee > 0  # so "no shipping" below is a real check
    record = CommissionRecord.objects.get(order=order, beneficiary=reseller)
    ten_percent = (shared_sku.price * Decimal("0.10")).quantize(Decimal("0.01"))
    assert (record.tier, record.original_amount) == (1, ten_percent)

    # 4. After the roll-up, 分享效果: 1 visit → 1 sign-up → 1 order, the amount, the commission.
    funnel_rollup()
    page.goto("/distribution/")
    page.get_by_test_id("funnel-link").first.click()
    page.wait_for_url("**/distribution/funnel/")
    totals = page.get_by_test_id("funnel-totals")
    expect(totals.get_by_test_id("fn-visitors")).to_have_text("1")
    expect(totals.get_by_test_id("fn-signups")).to_have_text("1")
    expect(totals.get_by_test_id("fn-orders")).to_have_text("1")
    expect(totals.get_by_test_id("fn-amount")).to_have_text(f"¥{item.paid_amount}")
    expect(totals.get_by_test_id("fn-commission")).to_have_text(f"¥{record.original_amount}")
    row = page.locator("a[data-testid=funnel-link]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(shared_sku.product.title)
    expect(row).to_contain_text(f"¥{item.paid_amount}")
    no_sideways_scroll(page)
    screenshot(page, "loop-12-funnel", full_page=True)
