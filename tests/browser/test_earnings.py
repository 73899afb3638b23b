"""The reseller's earnings in a phone-sized headless Chromium (390×844).

A reseller whose commission has settled (a real paid order, received, its after-sales
window closed, swept) opens their earnings, adds a payout account, asks for a withdrawal
and sees the amount held. A reseller in debt sees why. The product page shows 分享赚.
Screenshots go to ``test-artifacts/earnings-*.png``.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from distribution.commission.services.rules import rules_update
from distribution.models import PayoutAccount, Withdrawal
from distribution.wallet.services.wallet import wallet_adjust
from tests.browser.conftest import horizontal_overflow
from tests.distribution.earnings_helpers import BANK_CARD, funded_reseller, settled_world
from tests.orders.conftest import _payment_settings, sandbox_key_dir  # noqa: F401 (the sandbox gateway)

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PASSWORD = "Quanzi-test-123"  # tests.mall.factories.UserFactory


def sign_in(page: Page, phone: str, next_url: str) -> None:
    page.goto(f"/signin/?next={next_url}")
    page.fill("[name=phone]", phone)
    page.fill("[name=password]", PASSWORD)
    page.get_by_test_id("signin-submit").click()
    page.wait_for_url(f"**{next_url}")


def test_a_reseller_adds_an_account_and_withdraws_settled_commission(page, screenshot):
    settled = settled_world()  # the seller has 10.00 available
    seller = settled.world.seller
    rules_update(operator=None, withdrawal_min_amount=Decimal("5.00"), withdrawal_fee_rate=Decimal("0.0060"))
    product_id = settled.order.items.get().product_id

    sign_in(page, seller.user.phone, "/earnings/")
    expect(page.get_by_test_id("available")).to_have_text("¥10.00")
    expect(page.get_by_test_id("total")).to_have_text("¥10.00")
    expect(page.get_by_test_id("pending")).to_have_text("¥0.00")
    assert horizontal_overflow(page) <= 0
    screenshot(page, "earnings-01-overview")

    page.get_by_test_id("action-commissions").click()
    expect(page.get_by_test_id("record")).to_have_count(1)
    expect(page.get_by_test_id("record-state")).to_have_text("已结算")
    expect(page.get_by_test_id("record-amount")).to_have_text("¥10.00")
    assert horizontal_overflow(page) <= 0
    screenshot(page, "earnings-02-commissions")

    # No account yet: add one from the withdrawal form, then come back to it.
    page.goto("/earnings/withdraw/")
    expect(page.get_by_test_id("withdraw-submit")).to_be_disabled()
    page.get_by_test_id("add-account-link").click()
    page.select_option("[name=channel]", "bank")
    page.fill("[name=holder_name]", "王小明")
    page.fill("[name=account]", "6222 0212 3456 7890 128")
    page.fill("[name=bank_name]", "工商银行")
    assert horizontal_overflow(page) <= 0
    screenshot(page, "earnings-03-add-account")
    page.get_by_test_id("account-submit").click()
    page.wait_for_url("**/earnings/withdraw/")
    expect(page.get_by_test_id("message")).to_have_text("收款账户已添加。")
    expect(page.get_by_test_id("account-option")).to_have_text("银行卡 6222 **** **** 0128")
    assert BANK_CARD not in page.content()

    page.get_by_test_id("fill-all").click()
    expect(page.locator("[name=amount]")).to_have_value("10.00")
    expect(page.get_by_test_id("fee-preview")).to_have_text("手续费 ¥0.06，实际到账 ¥9.94")
    page.fill("[name=amount]", "8.00")
    expect(page.get_by_test_id("withdraw-fee")).to_have_text("0.6%")
    expect(page.get_by_test_id("fee-preview")).to_have_text("手续费 ¥0.05，实际到账 ¥7.95")  # 0.048 → 0.05
    assert horizontal_overflow(page) <= 0
    screenshot(page, "earnings-04-withdraw")
    page.get_by_test_id("withdraw-submit").click()
    page.wait_for_url("**/earnings/withdrawals/*/")
    expect(page.get_by_test_id("withdrawal-state")).to_have_text("审核中")
    expect(page.get_by_test_id("withdrawal-amount")).to_have_text("¥8.00")
    expect(page.get_by_test_id("withdrawal-fee")).to_have_text("¥0.05")
    expect(page.get_by_test_id("withdrawal-net")).to_have_text("¥7.95")
    screenshot(page, "earnings-05-withdrawal")

    page.goto("/earnings/")
    expect(page.get_by_test_id("available")).to_have_text("¥2.00")
    expect(page.get_by_test_id("held")).to_have_text("¥8.00")
    screenshot(page, "earnings-06-held")

    withdrawal = Withdrawal.objects.get()
    assert (withdrawal.amount, withdrawal.state, withdrawal.payout_account.member_id) == (
        Decimal("8.00"), "requested", seller.pk)
    assert PayoutAccount.objects.get().reveal() == BANK_CARD

    page.goto(f"/p/{product_id}/")
    expect(page.get_by_test_id("share-earning")).to_have_text("分享赚 ¥10.00")
    assert horizontal_overflow(page) <= 0
    screenshot(page, "earnings-07-share")


def test_a_reseller_in_debt_sees_it_in_red_with_the_reason(page, screenshot):
    member, wallet, _ = funded_reseller("20.00")
    wallet_adjust(wallet_id=wallet.pk, amount=Decimal("-32.50"), operator=None, reason="订单退款追回佣金")

    sign_in(page, member.user.phone, "/earnings/")

    expect(page.get_by_test_id("debt-amount")).to_have_text("¥12.50")
    expect(page.get_by_test_id("available")).to_have_text("¥0.00")
    assert horizontal_overflow(page) <= 0
    screenshot(page, "earnings-08-debt")
    page.get_by_test_id("menu-ledger").click()
    expect(page.get_by_test_id("entry-amount")).to_have_text(["-¥32.50", "+¥20.00"])
    screenshot(page, "earnings-09-ledger")
