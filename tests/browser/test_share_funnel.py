"""The reseller's 分享效果, 我的客户 and 我的团队 pages in a phone-sized headless Chromium
(390×844): a visitor opens the share link, signs up and buys 2 × ¥100 (through the real
pages and the sandbox gateway); after the roll-up the reseller sees 1 visit → 1 sign-up →
1 order, ¥200.00 and ¥20.00 estimated commission; the customer with a masked phone; the
tier tabs. No page scrolls sideways. Screenshots: ``test-artifacts/funnel-*.png``.
"""

import pytest
from django.test import Client
from playwright.sync_api import expect

from distribution.funnel.rollup import funnel_rollup
from tests.browser.conftest import horizontal_overflow
from tests.browser.test_earnings import sign_in
from tests.distribution.funnel_world import buy, reseller_world, sign_up_through_session
from tests.orders.conftest import _payment_settings, sandbox_key_dir  # noqa: F401 (the sandbox gateway)

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_reseller_sees_what_the_share_brought_their_customer_and_their_team(page, screenshot):
    world = reseller_world()
    visitor = Client()
    visitor.get(f"/s/{world.seller.invite_code}")
    newcomer = sign_up_through_session(visitor, "13912345678", world.seller.invite_code)
    buy(newcomer, "100.00", 2)
    funnel_rollup()

    sign_in(page, world.seller.user.phone, "/distribution/")
    page.get_by_test_id("funnel-link").first.click()
    page.wait_for_url("**/distribution/funnel/")
    totals = page.get_by_test_id("funnel-totals")
    expect(totals.get_by_test_id("fn-visitors")).to_have_text("1")
    expect(totals.get_by_test_id("fn-signups")).to_have_text("1")
    expect(totals.get_by_test_id("fn-orders")).to_have_text("1")
    expect(totals.get_by_test_id("fn-amount")).to_have_text("¥200.00")
    expect(totals.get_by_test_id("fn-commission")).to_have_text("¥20.00")
    expect(page.locator('a[data-testid="funnel-link"]')).to_have_count(1)
    assert horizontal_overflow(page) <= 0
    screenshot(page, "funnel-01-share-results", full_page=True)

    page.locator('a[data-testid="funnel-link"]').click()
    expect(page.get_by_test_id("funnel-day")).to_have_count(1)
    assert horizontal_overflow(page) <= 0
    screenshot(page, "funnel-02-link-days")

    page.goto("/distribution/customers/?sort=spend")
    expect(page.get_by_test_id("customer-phone").first).to_have_text("139****5678")
    assert "13912345678" not in page.content()
    assert horizontal_overflow(page) <= 0
    screenshot(page, "funnel-03-customers")

    page.goto("/distribution/team/")
    page.get_by_test_id("team-search").fill("5678")
    page.get_by_test_id("team-search").press("Enter")
    expect(page.get_by_test_id("downline-phone")).to_have_text(["139****5678"])
    page.get_by_test_id("tier-2").click()
    expect(page.get_by_test_id("downline")).to_have_count(0)
    assert horizontal_overflow(page) <= 0
    screenshot(page, "funnel-04-team")
