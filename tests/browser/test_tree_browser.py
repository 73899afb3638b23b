"""The staff referral-tree browser in headless Chromium: at 1366 px a 运营 staff member
finds a member by the last 4 digits, opens them, expands a downline and moves a member
with a reason; at 390 px the same pages have no sideways scroll.
Screenshots go to ``test-artifacts/tree-browser-*.png``."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import Browser, Page, expect

from distribution.models import BindingHistory, Member
from tests.browser.conftest import horizontal_overflow
from tests.distribution.factories import MemberFactory
from tests.distribution.trees import assert_forest_exact
from tests.mall.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PASSWORD = "Quanzi-test-123"  # tests.mall.factories.UserFactory
DESKTOP = {"viewport": {"width": 1366, "height": 900}, "locale": "zh-CN"}


def _member(phone: str, nickname: str, parent: Member | None = None, **fields) -> Member:
    return MemberFactory(user=UserFactory(phone=phone, nickname=nickname), parent=parent, **fields)


def _world() -> dict[str, Member]:
    root = _member("13800000001", "总店")
    xiaoyu = _member("13812345678", "小雨", parent=root)
    ajie = _member("13800000003", "阿杰", parent=root)
    lily = _member("13800000004", "Lily", parent=xiaoyu, own_paid_sales=Decimal("88.00"))
    _member("13800000005", "小美", parent=lily, own_paid_sales=Decimal("12.50"))
    _member("13900005678", "同尾号", parent=ajie)  # the same last 4 digits as 小雨
    return {"root": root, "xiaoyu": xiaoyu, "ajie": ajie, "lily": lily}


def _staff() -> str:
    user = UserFactory(phone="13700000000", nickname="运营小王", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="distribution", codename__in=["view_member", "change_member"]))
    return user.phone


def _sign_in(page: Page, phone: str) -> None:
    page.goto("/admin/login/?next=/admin/distribution/member/tree/")
    page.fill("[name=username]", phone)
    page.fill("[name=password]", PASSWORD)
    page.locator("[type=submit]").click()
    page.wait_for_url("**/admin/distribution/member/tree/")


def test_find_expand_and_move_at_1366(browser: Browser, live_server, screenshot):
    world = _world()
    staff = _staff()
    context = browser.new_context(base_url=live_server.url, **DESKTOP)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    _sign_in(page, staff)
    page.get_by_test_id("tree-q").fill("5678")
    page.get_by_test_id("tree-search-submit").click()
    expect(page.get_by_test_id("result")).to_have_count(2)  # ambiguous: both numbers end in 5678
    expect(page.get_by_test_id("results")).to_contain_text("138****5678")
    assert "13812345678" not in page.content()
    screenshot(page, "tree-browser-01-search-last4")

    page.get_by_role("link", name="小雨 (138****5678)").click()
    expect(page.get_by_test_id("chain-upline")).to_have_text(["总店 (138****0001) 会员"])
    expect(page.get_by_test_id("member-team-size")).to_have_text("2")
    expect(page.get_by_test_id("member-team-sales")).to_have_text("¥100.50")
    lily_row = page.locator(f'[data-testid=downline][data-member="{world["lily"].pk}"]')
    expect(lily_row).to_contain_text("团队 1 人")
    lily_row.get_by_test_id("expand").click()
    expect(lily_row.get_by_test_id("sublist").get_by_test_id("downline")).to_have_count(1)
    expect(lily_row.get_by_test_id("sublist")).to_contain_text("小美 (138****0005)")
    screenshot(page, "tree-browser-02-member-expanded", full_page=True)

    # Move Lily (and her team) from 小雨 to 阿杰, with a reason.
    page.goto(f"/admin/distribution/member/tree/{world['lily'].pk}/")
    page.get_by_test_id("move").click()
    page.fill("[name=new_upline]", world["ajie"].invite_code)
    page.fill("[name=reason]", "客户申诉，改绑阿杰")
    page.get_by_test_id("write-next").click()
    expect(page.get_by_test_id("confirm-summary")).to_contain_text("阿杰 (138****0003)")
    screenshot(page, "tree-browser-03-move-confirm")
    assert Member.objects.get(pk=world["lily"].pk).parent_id == world["xiaoyu"].pk
    page.get_by_test_id("confirm").click()
    expect(page.locator(".messagelist")).to_contain_text("已")
    expect(page.get_by_test_id("chain-upline")).to_have_text(
        ["总店 (138****0001) 会员", "阿杰 (138****0003) 会员"])
    screenshot(page, "tree-browser-04-moved")

    assert Member.objects.get(pk=world["lily"].pk).parent_id == world["ajie"].pk
    history = BindingHistory.objects.get(member=world["lily"], source="staff")
    assert history.reason == "客户申诉，改绑阿杰"
    assert_forest_exact()
    assert errors == []
    context.close()


def test_the_browser_pages_fit_a_phone_at_390(page: Page, screenshot):
    world = _world()
    _sign_in(page, _staff())
    pages = [("search", "/admin/distribution/member/tree/?q=5678"),
             ("member", f"/admin/distribution/member/tree/{world['xiaoyu'].pk}/"),
             ("move", f"/admin/distribution/member/tree/{world['lily'].pk}/move/")]

    for name, url in pages:
        page.goto(url)
        if name == "member":
            page.get_by_test_id("expand").first.click()
            expect(page.get_by_test_id("sublist")).to_have_count(1)
        assert horizontal_overflow(page) <= 0, name
        screenshot(page, f"tree-browser-390-{name}", full_page=True)
