"""我的小店 on a phone (390 px): a newly approved reseller picks 5 products in 选品, reorders
them, sets a logo, opens the share sheet on a product, copies the link and saves the poster;
a visitor opening that link sees "小雨邀请你". Screenshots: ``test-artifacts/myshop-*.png``."""

import io
from decimal import Decimal
from pathlib import Path

import pytest
import zxingcpp
from django.core.files.base import ContentFile
from PIL import Image
from playwright.sync_api import Page, expect

from distribution.reseller.services.resellers import reseller_join
from mall.models import ProductImage, RecommendedProduct, Shop
from mall.selectors import shop_listed_product_ids
from tests.browser.conftest import horizontal_overflow
from tests.distribution.factories import MemberFactory
from tests.distribution.resellers_world import default_level, everyone
from tests.mall.factories import ProductFactory, SKUFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Quanzi-test-123"
COLORS = [(250, 180, 160), (160, 200, 240), (180, 230, 170), (240, 220, 150), (210, 180, 240),
          (250, 160, 200), (170, 220, 220)]


def product(title: str, price: str, color: tuple[int, int, int]) -> int:
    item = ProductFactory(title=title)
    SKUFactory(product=item, price=Decimal(price), cost_price=Decimal(price) / 2, stock=10, specs={})
    buffer = io.BytesIO()
    Image.new("RGB", (400, 400), color).save(buffer, "PNG")
    ProductImage(product=item).image.save(f"{item.pk}.png", ContentFile(buffer.getvalue()), save=True)
    return item.pk


def logo_file(tmp_path: Path) -> Path:
    path = tmp_path / "logo.jpg"
    Image.new("RGB", (900, 600), (228, 57, 60)).save(path, "JPEG")
    return path


def sign_in(page: Page, phone: str) -> None:
    page.goto("/signin/?next=/distribution/")
    page.fill("[name=phone]", phone)
    page.fill("[name=password]", PASSWORD)
    page.get_by_test_id("signin-submit").click()
    page.wait_for_url("**/distribution/")


def test_a_new_reseller_picks_reorders_sets_a_logo_and_shares(
        page, context, browser, live_server, media_served, screenshot, artifacts_dir, tmp_path):
    level = default_level()
    ids = [product(f"好物{i} 夏日清爽款", f"{59 + i * 10}.90", COLORS[i]) for i in range(7)]
    RecommendedProduct.objects.create(product_id=ids[6])  # the platform's selection
    member = MemberFactory(user=UserFactory(phone="13611112222", nickname="小雨"))
    everyone()
    member = reseller_join(member=member)  # through the programme: the shop opens with the selection
    assert member.level == level
    shop = Shop.objects.get(owner=member.user)
    assert shop_listed_product_ids(shop=shop) == [ids[6]]  # the new shop did not open empty
    context.grant_permissions(["clipboard-read", "clipboard-write"])

    # From the reseller centre to 选品, sorted by what I would earn; pick 5 in one tap each.
    sign_in(page, "13611112222")
    page.get_by_test_id("myshop-picks").click()
    page.wait_for_url("**/distribution/shop/picks/")
    screenshot(page, "myshop-1-picks", full_page=True)
    assert horizontal_overflow(page) == 0
    for product_id in ids[:5]:
        row = page.locator(f"[data-testid=pick-row][data-product-id='{product_id}']")
        with page.expect_navigation():
            row.get_by_test_id("pick-toggle").click()
        expect(row.get_by_test_id("pick-toggle")).to_have_text("已在小店")
    assert sorted(shop_listed_product_ids(shop=shop)) == sorted([ids[6], *ids[:5]])

    # My shop: move the first pick to the top, pin another.
    page.get_by_test_id("back-to-shop").click()
    page.wait_for_url("**/distribution/shop/")
    with page.expect_navigation():  # each tap posts, then comes back to this page
        page.locator(f"[data-testid=myshop-row][data-product-id='{ids[0]}']").get_by_test_id("move-up").click()
    with page.expect_navigation():
        page.locator(f"[data-testid=myshop-row][data-product-id='{ids[4]}']").get_by_test_id("pin").click()
    order = shop_listed_product_ids(shop=shop)
    assert order == [ids[4], ids[0], ids[6], ids[1], ids[2], ids[3]]
    expect(page.get_by_test_id("myshop-row-title").first).to_contain_text("置顶")
    assert horizontal_overflow(page) == 0
    screenshot(page, "myshop-2-my-shop", full_page=True)

    # Set a logo; it is shown as buyers see it.
    page.get_by_test_id("edit-profile").click()
    page.set_input_files("[data-testid=logo-input]", str(logo_file(tmp_path)))
    page.fill("[name=intro]", "每天一件好物，小雨亲测")
    # previewed before saving, as buyers will see it
    preview = page.locator("[data-preview-logo]")
    assert preview.evaluate("el => el.tagName + ' ' + el.src.slice(0, 5)") == "IMG blob:"
    expect(page.locator("[data-preview-intro]")).to_have_text("每天一件好物，小雨亲测")
    with page.expect_navigation():
        page.get_by_test_id("profile-save").click()
    expect(page.get_by_test_id("message").first).to_have_text("店铺资料已更新。")
    page.wait_for_load_state("networkidle")
    logo = page.get_by_test_id("profile-logo")
    assert logo.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [400, 400]
    assert horizontal_overflow(page) == 0
    screenshot(page, "myshop-3-profile", full_page=True)

    # A product page: 已在小店, and the share sheet: copy the link, save the poster.
    page.goto(f"/p/{ids[1]}/")
    expect(page.get_by_test_id("shop-toggle")).to_contain_text("已在小店")
    page.get_by_test_id("share-open").click()
    expect(page.get_by_test_id("share-sheet")).to_be_visible()
    link = f"{live_server.url}/s/{member.invite_code}/p/{ids[1]}?src=link"
    expect(page.get_by_test_id("share-link-text")).to_have_text(link)
    assert horizontal_overflow(page) == 0
    screenshot(page, "myshop-4-share-sheet")
    page.get_by_test_id("share-copy-link").click()
    expect(page.get_by_test_id("message").last).to_have_text("链接已复制，粘贴到聊天里发给好友吧。")
    assert page.evaluate("navigator.clipboard.readText()") == link
    page.get_by_test_id("share-poster").click()
    expect(page.get_by_test_id("poster-view")).to_be_visible()
    # the poster's src is set by the script on an already idle page: wait for the image itself
    page.wait_for_function("() => document.querySelector('[data-testid=poster-image]').complete")
    poster = page.get_by_test_id("poster-image")
    assert poster.evaluate("i => [i.naturalWidth, i.naturalHeight]") == [750, 1334]
    screenshot(page, "myshop-5-poster")
    with page.expect_download() as download:
        page.get_by_test_id("poster-download").click()
    saved = Path(download.value.path())
    assert download.value.suggested_filename == f"poster-{ids[1]}.png"
    (artifacts_dir / "myshop-poster.png").write_bytes(saved.read_bytes())
    qr = zxingcpp.read_barcodes(Image.open(saved))
    assert [r.text for r in qr] == [f"{live_server.url}/s/{member.invite_code}/p/{ids[1]}?src=poster"]

    # A visitor opens the copied link: "小雨邀请你", in 小雨's shop.
    visitor = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844},
                                  device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN")
    guest = visitor.new_page()
    guest.goto(link)
    expect(guest.get_by_test_id("invite-banner")).to_contain_text("小雨邀请你")
    expect(guest.get_by_test_id("shop-strip")).to_be_visible()
    assert horizontal_overflow(guest) == 0
    screenshot(guest, "myshop-6-visitor-landing", full_page=True)
    visitor.close()
