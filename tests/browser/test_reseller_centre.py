"""The reseller centre on a phone: a member joins (open programme), sees their invite code,
QR code and poster, and finds a downline with a masked phone on the team page.
Screenshots go to ``test-artifacts/reseller-*.png``, the poster to ``reseller-poster.png``."""

import io
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from PIL import Image
from playwright.sync_api import Page, expect

from distribution.models import Member
from mall.models import ProductImage, Shop
from mall.services.shops import shop_list_product
from tests.browser.conftest import horizontal_overflow
from tests.distribution.factories import MemberFactory
from tests.distribution.resellers_world import default_level, everyone
from tests.mall.factories import ProductFactory, SKUFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Quanzi-test-123"


def product(title: str, price: str, color: tuple[int, int, int]) -> int:
    item = ProductFactory(title=title)
    SKUFactory(product=item, price=Decimal(price), stock=10, specs={})
    buffer = io.BytesIO()
    Image.new("RGB", (300, 300), color).save(buffer, "PNG")
    ProductImage(product=item).image.save(f"{item.pk}.png", ContentFile(buffer.getvalue()), save=True)
    return item.pk


def image_loaded(page: Page, test_id: str) -> bool:
    return page.get_by_test_id(test_id).evaluate("img => img.complete && img.naturalWidth > 0")


def test_a_member_joins_and_uses_the_reseller_centre(page, context, media_served, screenshot, artifacts_dir):
    everyone()
    default_level()
    member = MemberFactory(user=UserFactory(phone="13611112222", nickname="小雨"))
    products = [product("有机米粉 宝宝辅食", "59.90", (250, 180, 160)),
                product("婴儿湿巾 80抽", "19.90", (160, 200, 240))]
    context.grant_permissions(["clipboard-read", "clipboard-write"])

    # Sign in, then from 我的 into the reseller centre.
    page.goto("/signin/?next=/me/")
    page.fill("[name=phone]", "13611112222")
    page.fill("[name=password]", PASSWORD)
    page.get_by_test_id("signin-submit").click()
    page.wait_for_url("**/me/")
    page.get_by_role("link", name="分销中心").click()
    page.wait_for_url("**/distribution/")
    expect(page.get_by_test_id("join-card")).to_contain_text("加入无需缴费，也无需购买商品。")
    screenshot(page, "reseller-1-before-joining", full_page=True)

    # Join at once (everyone mode).
    page.get_by_test_id("join").click()
    page.wait_for_url("**/distribution/")
    expect(page.get_by_test_id("level-badge")).to_have_text("普通分销员")
    member = Member.objects.get(pk=member.pk)
    assert member.is_reseller
    shop = Shop.objects.get(owner=member.user)
    for product_id in products:
        shop_list_product(shop=shop, product_id=product_id)

    page.reload()
    expect(page.get_by_test_id("invite-code")).to_have_text(member.invite_code)
    page.wait_for_load_state("networkidle")
    assert image_loaded(page, "qr")
    assert image_loaded(page, "poster")
    size = page.get_by_test_id("poster").evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert size == [750, 1334]
    page.get_by_test_id("copy-code").click()
    expect(page.get_by_test_id("message").last).to_have_text("已复制")
    assert page.evaluate("navigator.clipboard.readText()") == member.invite_code
    assert horizontal_overflow(page) == 0
    screenshot(page, "reseller-2-centre", full_page=True)

    poster = page.request.get("/distribution/poster.png")
    assert (poster.status, poster.headers["content-type"]) == (200, "image/png")
    (artifacts_dir / "reseller-poster.png").write_bytes(poster.body())

    # A friend signs up through the invite; the team page lists them, phone masked.
    MemberFactory(parent=member, user=UserFactory(phone="13712345678", nickname="小林"))
    page.reload()
    expect(page.get_by_test_id("team-size")).to_have_text("1")
    page.get_by_test_id("team-link").click()
    page.wait_for_url("**/distribution/team/")
    row = page.get_by_test_id("downline")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("downline-phone")).to_have_text("137****5678")
    expect(row).to_contain_text("小林")
    assert "13712345678" not in page.content()
    assert horizontal_overflow(page) == 0
    screenshot(page, "reseller-3-team", full_page=True)
