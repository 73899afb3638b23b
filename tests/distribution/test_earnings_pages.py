"""The reseller's earnings pages (H5): exact figures, filters, withdrawals with an
idempotency key per form, payout accounts, the ledger, 分享赚, I7 and query counts."""

import re
from datetime import datetime, timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from distribution.commission.preview import share_earning_preview
from distribution.commission.services.records import commissions_settle_due
from distribution.commission.services.rules import level_rate_set, product_commission_set, rules_update
from distribution.earnings import selectors
from distribution.models import CommissionRecord, LedgerEntry, PayoutAccount, Withdrawal
from distribution.wallet.services.wallet import wallet_adjust
from distribution.wallet.services.withdrawals import (
    withdrawal_approve,
    withdrawal_mark_paid,
    withdrawal_reject,
    withdrawal_request,
)
from mall.models import ShopProduct
from tests.distribution.commission_world import buy, close_windows, make_world, receive, refund, sku
from tests.distribution.earnings_helpers import (
    BANK_CARD,
    bank_account,
    funded_reseller,
    low_minimum,
    record,
    refund_after_settlement,
    settled_world,
    staff,
)
from tests.distribution.factories import MemberFactory
from tests.mall.factories import ProductFactory, ShopFactory, SKUFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return unescape(re.sub(r"\s+", " ", response.content.decode()))


def by_testid(response, name: str) -> list[str]:
    """The text of every element with ``data-testid=name`` (tags stripped)."""
    html = response.content.decode()
    found = re.findall(rf'data-testid="{name}"[^>]*>(.*?)</', html, flags=re.S)
    return [unescape(re.sub(r"<[^>]+>|\s+", " ", f)).strip() for f in found]


# --- overview ----------------------------------------------------------------------------------


def test_overview_shows_exact_figures(client):
    # given: 10.00 settled (tier 1 of a 100.00 order), 5.00 pending on a later 50.00 order
    # paid 40 days ago, a paid withdrawal of 3.00 and one of 2.00 under review
    settled = settled_world()
    seller = settled.world.seller
    old = buy(settled.world.buyer, [(sku("50.00", "20.00"), 1)])
    CommissionRecord.objects.filter(order=old).update(created_at=timezone.now() - timedelta(days=40))
    low_minimum()
    account = bank_account(seller)
    paid, _ = withdrawal_request(member=seller, amount="3.00", payout_account_id=account.pk,
                              idempotency_key="key-paid-0001")
    withdrawal_approve(withdrawal_id=paid.pk, operator=staff("review_withdrawal"))
    withdrawal_mark_paid(withdrawal_id=paid.pk, operator=staff("pay_withdrawal"), reference="BANK-1")
    withdrawal_request(member=seller, amount="2.00", payout_account_id=account.pk,
                       idempotency_key="key-held-0001")
    client.force_login(seller.user)

    # when
    response = client.get(reverse("earnings:overview"))

    # then
    assert response.status_code == 200
    figures = {name: by_testid(response, name)[0] for name in
               ("available", "pending", "held", "withdrawn", "today", "month", "total")}
    assert figures == {"available": "¥5.00", "pending": "¥5.00", "held": "¥2.00", "withdrawn": "¥3.00",
                       "today": "¥10.00", "month": "¥10.00", "total": "¥15.00"}
    assert by_testid(response, "debt") == []
    for name in ("action-withdraw", "action-commissions", "action-orders", "action-withdrawals"):
        assert f'data-testid="{name}"' in response.content.decode()


def test_today_and_this_month_are_counted_in_shanghai_time():
    # given: records paid at 00:30 today, 23:30 on the last day of last month (both local)
    settled = settled_world()
    seller = settled.world.seller
    now = timezone.make_aware(datetime(2026, 3, 1, 10, 0))  # Asia/Shanghai
    tier1 = record(settled.order, 1)
    CommissionRecord.objects.filter(pk=tier1.pk).update(created_at=now.replace(hour=0, minute=30))
    late = buy(settled.world.buyer, [(sku("50.00", "20.00"), 1)])
    CommissionRecord.objects.filter(order=late).update(created_at=now - timedelta(hours=10, minutes=30))

    # when
    overview = selectors.earnings_overview(member=seller, now=now)

    # then: 10.00 today (and this month), 5.00 last month; total both
    assert (overview.today, overview.this_month, overview.total, overview.pending) == (
        Decimal("10.00"), Decimal("10.00"), Decimal("15.00"), Decimal("5.00"))


def test_cancelled_commission_counts_nowhere_and_a_partial_refund_counts_what_is_left(client):
    world = make_world(tiers=2)
    cancelled = receive(buy(world.buyer, [(sku("30.00", "10.00"), 2)]))
    refund(cancelled, quantity=2)
    partial = receive(buy(world.buyer, [(sku("30.00", "10.00"), 3)]))  # 9.00 → 6.00 after 1 unit
    refund(partial, quantity=1)
    client.force_login(world.seller.user)

    response = client.get(reverse("earnings:overview"))

    assert by_testid(response, "total") == ["¥6.00"]
    assert by_testid(response, "pending") == ["¥6.00"]


def test_debt_is_shown_in_red_with_an_explanation_and_blocks_the_form(client):
    member, wallet, _ = funded_reseller("10.00")
    wallet_adjust(wallet_id=wallet.pk, amount=Decimal("-17.50"), operator=staff("change_wallet"),
                  reason="退款追回")
    client.force_login(member.user)

    overview = client.get(reverse("earnings:overview"))
    form = client.get(reverse("earnings:withdraw"))

    assert by_testid(overview, "debt-amount") == ["¥7.50"]
    assert "优先抵扣" in text(overview)
    assert by_testid(overview, "available") == ["¥0.00"]
    assert re.search(r'data-testid="withdraw-submit"[^>]*disabled', form.content.decode())
    assert by_testid(form, "withdraw-debt")


def test_a_member_who_is_not_a_reseller_sees_an_explanation_and_the_centre_link(client):
    member = MemberFactory()
    client.force_login(member.user)

    for name in ("overview", "commissions", "withdraw", "ledger"):
        response = client.get(reverse(f"earnings:{name}"))
        assert response.status_code == 200
        assert 'data-testid="not-reseller"' in response.content.decode()
        assert 'href="/distribution/"' in response.content.decode()
    assert not Withdrawal.objects.exists()


def test_a_former_reseller_keeps_seeing_and_withdrawing_what_they_earned(client):
    member, wallet, account = funded_reseller("50.00")
    type(member).objects.filter(pk=member.pk).update(is_reseller=False)
    client.force_login(member.user)

    response = client.get(reverse("earnings:overview"))
    key = _form_key(client.get(reverse("earnings:withdraw")))
    client.post(reverse("earnings:withdraw"), {"amount": "50.00", "payout_account": account.pk,
                                               "idempotency_key": key})

    assert by_testid(response, "available") == ["¥50.00"]
    wallet.refresh_from_db()
    assert (wallet.available, wallet.held) == (Decimal("0.00"), Decimal("50.00"))


def test_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("earnings:overview"))

    assert response.status_code == 302
    assert reverse("mall:signin") in response["Location"]


def test_the_reseller_centre_card_shows_the_figures_and_links_to_earnings():
    from django.template import Context, Template

    member, wallet, _ = funded_reseller("12.30")
    wallet_adjust(wallet_id=wallet.pk, amount=Decimal("-20.00"), operator=None, reason="追回")

    html = Template("{% load earnings %}{% earnings_card member %}").render(Context({"member": member}))

    assert 'data-testid="card-available">¥0.00<' in html
    assert 'data-testid="card-pending">¥0.00<' in html
    assert "¥7.70" in html  # owed back
    assert 'href="/earnings/"' in html and 'href="/earnings/withdraw/"' in html


# --- commission records --------------------------------------------------------------------------


@pytest.fixture
def records_world():
    """seller: a settled 10.00 record clawed back to 6.00 (refund 1 of 3 at 30.00 → paid 90),
    a pending 5.00 (50.00 order), a cancelled one (full refund) and mid's tier-2 records."""
    world = make_world(tiers=2)
    settled = receive(buy(world.buyer, [(sku("30.00", "10.00"), 3)]))
    close_windows()
    commissions_settle_due()
    refund_after_settlement(settled, quantity=1, amount="30.00")
    pending = buy(world.buyer, [(sku("50.00", "20.00"), 1)])
    cancelled = receive(buy(world.buyer, [(sku("20.00", "5.00"), 1)]))
    refund(cancelled, quantity=1)
    return world, settled, pending, cancelled


def test_commission_records_show_order_item_tier_terms_and_amounts(client, records_world):
    world, settled, pending, cancelled = records_world
    client.force_login(world.seller.user)

    response = client.get(reverse("earnings:commissions"))

    html = text(response)
    assert by_testid(response, "record-amount") == ["¥0.00", "¥5.00", "¥6.00"]  # newest first
    assert by_testid(response, "record-original") == ["¥2.00", "¥9.00"]
    assert by_testid(response, "record-clawed") == ["¥3.00"]
    assert len(by_testid(response, "record-reversed")) == 1
    for order in (settled, pending, cancelled):
        assert order.number in html
    assert "10%" in html
    assert "¥90.00" in html  # the base of the clawed-back record
    assert world.mid.user.nickname not in html


@pytest.mark.parametrize(("state", "amounts"), [
    ("pending", ["¥5.00"]), ("settled", ["¥6.00"]), ("cancelled", ["¥0.00"]), ("reversed", ["¥6.00"]),
    ("", ["¥0.00", "¥5.00", "¥6.00"]), ("bogus", ["¥0.00", "¥5.00", "¥6.00"]),
])
def test_commission_records_filter_by_state(client, records_world, state, amounts):
    world = records_world[0]
    client.force_login(world.seller.user)

    response = client.get(reverse("earnings:commissions"), {"state": state})

    assert by_testid(response, "record-amount") == amounts


def test_commission_records_filter_by_month(client, records_world):
    world, settled, *_ = records_world
    CommissionRecord.objects.filter(order=settled).update(
        created_at=timezone.make_aware(datetime(2025, 11, 15, 12, 0)))
    client.force_login(world.seller.user)

    november = client.get(reverse("earnings:commissions"), {"month": "2025-11"})
    october = client.get(reverse("earnings:commissions"), {"month": "2025-10"})
    bad = client.get(reverse("earnings:commissions"), {"month": "2025-13"})

    assert by_testid(november, "record-amount") == ["¥6.00"]
    assert by_testid(october, "record-amount") == []
    assert len(by_testid(bad, "record-amount")) == 3  # ignored, with a message
    assert "YYYY-MM" in text(bad)


def test_a_record_detail_shows_its_ledger_movements(client, records_world):
    world, settled, *_ = records_world
    tier1 = record(settled, 1)
    client.force_login(world.seller.user)

    response = client.get(reverse("earnings:commission", args=[tier1.pk]))

    html = text(response)
    assert by_testid(response, "record-amount") == ["¥6.00"]
    assert by_testid(response, "record-order") == [settled.number]
    assert "¥9.00" in html and "-¥3.00" in html  # credit, then the clawback


# --- promoted orders ----------------------------------------------------------------------------


def test_promoted_orders_are_the_paid_orders_attributed_to_me_with_my_commission(client):
    world = make_world(tiers=2)
    world.buyer.user.nickname = ""
    world.buyer.user.save(update_fields=["nickname"])
    first = buy(world.buyer, [(sku("100.00", "40.00"), 1), (sku("20.00", "5.00"), 2)])
    buy(world.buyer, [(sku("10.00", "1.00"), 1)], paid=False)  # not paid: not promoted
    client.force_login(world.seller.user)
    response = client.get(reverse("earnings:orders"))
    client.force_login(world.mid.user)
    mid_view = client.get(reverse("earnings:orders"))

    assert len(by_testid(response, "promoted-order")) == 1
    assert by_testid(response, "my-commission") == ["¥14.00"]  # 10.00 + 10 % of 40.00
    assert by_testid(response, "order-amount") == ["¥140.00"]
    assert by_testid(response, "buyer") == [world.buyer.user.masked_phone]
    assert first.number in text(response)
    assert by_testid(mid_view, "my-commission") == []  # attributed to the seller, not to mid


# --- withdrawals -----------------------------------------------------------------------------------


def _form_key(response) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', response.content.decode())[1]


def test_the_withdraw_page_shows_available_minimum_fee_and_what_is_left_today(client):
    member, _, account = funded_reseller("100.00")
    rules_update(operator=None, withdrawal_fee_rate=Decimal("0.0060"), withdrawal_daily_limit=3)
    withdrawal_request(member=member, amount="10.00", payout_account_id=account.pk,
                       idempotency_key="k-000001")
    client.force_login(member.user)

    response = client.get(reverse("earnings:withdraw"))

    assert by_testid(response, "withdraw-available") == ["¥90.00"]
    assert by_testid(response, "withdraw-minimum") == ["¥10.00"]
    assert by_testid(response, "withdraw-fee") == ["0.6%"]
    assert by_testid(response, "withdraw-remaining") == ["2"]
    assert "6222 **** **** 0128" in text(response)
    assert BANK_CARD not in response.content.decode()


def test_each_render_of_the_form_has_its_own_key(client):
    member, _, _ = funded_reseller()
    client.force_login(member.user)

    first = _form_key(client.get(reverse("earnings:withdraw")))
    second = _form_key(client.get(reverse("earnings:withdraw")))

    assert first != second
    assert re.fullmatch(r"[0-9a-f]{32}", first)


def test_a_withdrawal_from_the_form_holds_the_amount_and_a_double_submit_holds_it_once(client):
    member, wallet, account = funded_reseller("100.00")
    client.force_login(member.user)
    key = _form_key(client.get(reverse("earnings:withdraw")))
    data = {"amount": "60.00", "payout_account": account.pk, "idempotency_key": key}

    first = client.post(reverse("earnings:withdraw"), data)
    second = client.post(reverse("earnings:withdraw"), data)

    withdrawal = Withdrawal.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("earnings:withdrawal", args=[withdrawal.pk])
    wallet.refresh_from_db()
    assert (wallet.available, wallet.held) == (Decimal("40.00"), Decimal("60.00"))
    assert LedgerEntry.objects.filter(kind="withdrawal_hold").count() == 1
    detail = client.get(first["Location"])
    assert by_testid(detail, "withdrawal-state") == ["审核中"]
    assert by_testid(detail, "withdrawal-amount") == ["¥60.00"]


@pytest.mark.parametrize(("amount", "field_error"), [
    ("100.01", True), ("5.00", True), ("1.234", True), ("0", True), ("abc", True),
])
def test_a_refused_withdrawal_changes_nothing_and_offers_a_new_key(client, amount, field_error):
    member, wallet, account = funded_reseller("100.00")
    client.force_login(member.user)
    key = _form_key(client.get(reverse("earnings:withdraw")))

    response = client.post(reverse("earnings:withdraw"),
                           {"amount": amount, "payout_account": account.pk, "idempotency_key": key})

    assert response.status_code == 200
    assert by_testid(response, "amount-error")
    assert _form_key(response) != key
    wallet.refresh_from_db()
    assert (wallet.available, wallet.held) == (Decimal("100.00"), Decimal("0.00"))
    assert not Withdrawal.objects.exists()
    assert LedgerEntry.objects.count() == 1  # the funding entry only


def test_a_reused_key_with_another_amount_is_refused_and_changes_nothing(client):
    member, wallet, account = funded_reseller("100.00")
    client.force_login(member.user)
    key = _form_key(client.get(reverse("earnings:withdraw")))
    client.post(reverse("earnings:withdraw"), {"amount": "30.00", "payout_account": account.pk,
                                               "idempotency_key": key})

    response = client.post(reverse("earnings:withdraw"), {"amount": "31.00", "payout_account": account.pk,
                                                          "idempotency_key": key})

    assert response.status_code == 200
    assert by_testid(response, "form-errors")
    assert Withdrawal.objects.count() == 1
    wallet.refresh_from_db()
    assert (wallet.available, wallet.held) == (Decimal("70.00"), Decimal("30.00"))


def test_another_members_payout_account_cannot_be_chosen(client):
    member, wallet, _ = funded_reseller("100.00")
    _, _, other_account = funded_reseller("100.00")
    client.force_login(member.user)
    key = _form_key(client.get(reverse("earnings:withdraw")))

    response = client.post(reverse("earnings:withdraw"), {
        "amount": "20.00", "payout_account": other_account.pk, "idempotency_key": key})

    assert response.status_code == 200
    assert not Withdrawal.objects.exists()
    wallet.refresh_from_db()
    assert wallet.available == Decimal("100.00")


def test_withdrawal_history_lists_states_in_the_resellers_words(client):
    member, _, account = funded_reseller("100.00")
    first, _ = withdrawal_request(member=member, amount="10.00", payout_account_id=account.pk,
                               idempotency_key="key-00000001")
    withdrawal_reject(withdrawal_id=first.pk, operator=staff("review_withdrawal"), reason="信息不符")
    withdrawal_request(member=member, amount="20.00", payout_account_id=account.pk,
                       idempotency_key="key-00000002")
    client.force_login(member.user)

    response = client.get(reverse("earnings:withdrawals"))
    detail = client.get(reverse("earnings:withdrawal", args=[first.pk]))

    assert by_testid(response, "withdrawal-amount") == ["¥20.00", "¥10.00"]
    assert len(by_testid(response, "withdrawal-state")) == 2
    assert by_testid(detail, "withdrawal-reason") == ["信息不符"]


# --- payout accounts -----------------------------------------------------------------------------


def test_adding_a_payout_account_stores_it_encrypted_and_shows_it_masked(client):
    member, _, _ = funded_reseller()
    client.force_login(member.user)
    next_url = reverse("earnings:withdraw")

    response = client.post(reverse("earnings:account_add"), {
        "channel": "alipay", "holder_name": "王小明", "account": "13812345678", "bank_name": "",
        "next": next_url})
    listing = client.get(reverse("earnings:accounts"))

    assert response.status_code == 302
    assert response["Location"] == next_url
    account = PayoutAccount.objects.get(member=member, channel="alipay")
    assert account.account_masked == "1381 **** **** 5678"
    assert "13812345678" not in account.account_encrypted
    assert account.reveal() == "13812345678"
    assert "1381 **** **** 5678" in by_testid(listing, "account-masked")
    assert "13812345678" not in listing.content.decode()


@pytest.mark.parametrize(("data", "field"), [
    ({"channel": "bank", "holder_name": "王小明", "account": "6222021234567890127", "bank_name": "工行"},
     "account"),  # fails the Luhn check
    ({"channel": "bank", "holder_name": "王小明", "account": BANK_CARD, "bank_name": ""}, "bank_name"),
    ({"channel": "wechat", "holder_name": "", "account": "wxid_abcdef", "bank_name": ""}, "holder_name"),
    ({"channel": "paypal", "holder_name": "王小明", "account": "a@b.cn", "bank_name": ""}, "channel"),
])
def test_a_bad_payout_account_is_refused_and_nothing_is_stored(client, data, field):
    member, _, _ = funded_reseller()
    client.force_login(member.user)

    response = client.post(reverse("earnings:account_add"), data)

    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    assert PayoutAccount.objects.filter(member=member).count() == 1


def test_the_channel_list_offers_only_the_channels_the_rules_allow(client):
    member, _, _ = funded_reseller()
    rules_update(operator=None, withdrawal_channels=["alipay"])
    client.force_login(member.user)

    page = client.get(reverse("earnings:account_add"))
    refused = client.post(reverse("earnings:account_add"), {
        "channel": "bank", "holder_name": "王小明", "account": BANK_CARD, "bank_name": "工商银行"})

    options = re.findall(r'<option value="(\w+)"', page.content.decode())
    assert options == ["alipay"]
    assert refused.status_code == 200
    assert PayoutAccount.objects.filter(member=member).count() == 1


# --- the ledger ------------------------------------------------------------------------------------


def test_the_ledger_lists_kind_amount_and_balance_after_newest_first(client):
    settled = settled_world()
    seller = settled.world.seller
    low_minimum()
    account = bank_account(seller)
    withdrawal_request(member=seller, amount="4.00", payout_account_id=account.pk,
                       idempotency_key="key-0000001")
    client.force_login(seller.user)

    response = client.get(reverse("earnings:ledger"))

    assert by_testid(response, "entry-amount") == ["-¥4.00", "+¥10.00"]
    assert by_testid(response, "entry-after") == ["¥6.00", "¥10.00"]
    assert len(by_testid(response, "entry-kind")) == 2
    assert settled.order.number in text(response)


# --- I7: another member's ids are a 404 ---------------------------------------------------------


def test_another_members_record_and_withdrawal_ids_are_404(client):
    settled = settled_world()
    mid_record = record(settled.order, 2)
    other, _, other_account = funded_reseller("100.00")
    other_withdrawal, _ = withdrawal_request(member=other, amount="10.00", payout_account_id=other_account.pk,
                                          idempotency_key="key-00000001")
    client.force_login(settled.world.seller.user)

    record_page = client.get(reverse("earnings:commission", args=[mid_record.pk]))
    withdrawal_page = client.get(reverse("earnings:withdrawal", args=[other_withdrawal.pk]))
    own_page = client.get(reverse("earnings:commission", args=[record(settled.order, 1).pk]))

    assert (record_page.status_code, withdrawal_page.status_code, own_page.status_code) == (404, 404, 200)
    assert "¥5.00" not in text(record_page)
    assert "¥10.00" not in text(withdrawal_page)


# --- query counts: fixed, whatever the number of rows ---------------------------------------------


# session, user, member, then the page's own: one aggregate or one page of rows (+ prefetches);
# pages with the tab bar add one for its cart badge (orders' "cart" badge, mall.menu.badges)
QUERIES = {"overview": 6, "commissions": 5, "orders": 6, "withdrawals": 5, "ledger": 5, "accounts": 4,
           "withdraw": 7}


@pytest.mark.parametrize("name", list(QUERIES))
@pytest.mark.parametrize("count", [2, 25])
def test_page_queries_are_bounded(client, django_assert_max_num_queries, django_capture_on_commit_callbacks,
                                  name, count):
    member, _, account = funded_reseller("1000.00")
    low_minimum()
    rules_update(operator=None, withdrawal_daily_limit=50)
    world = make_world(tiers=1)
    for n in range(count):
        withdrawal_request(member=member, amount="1.00", payout_account_id=account.pk,
                           idempotency_key=f"key-{n:08d}")
        if n < 3:
            bank_account(member)
    for _ in range(min(count, 5)):
        buy(world.buyer, [(sku("10.00", "1.00"), 2)])
    target = world.seller if name in ("commissions", "orders") else member
    client.force_login(target.user)
    with django_capture_on_commit_callbacks(execute=True):  # settings rows cached, as after a commit
        client.get(reverse(f"earnings:{name}"))  # the session row exists, the rules are cached

    with django_assert_max_num_queries(QUERIES[name]):
        response = client.get(reverse(f"earnings:{name}"))

    assert response.status_code == 200


# --- 分享赚 --------------------------------------------------------------------------------------


def test_share_preview_equals_the_tier_1_record_of_a_real_order_at_that_price():
    world = make_world(tiers=2, rates=("0.12", "0.05", "0"))
    product = ProductFactory()
    cheap = SKUFactory(product=product, price=Decimal("59.90"), cost_price=Decimal("31.00"), stock=10)
    SKUFactory(product=product, price=Decimal("79.90"), cost_price=Decimal("31.00"), stock=10)

    preview = share_earning_preview(member=world.seller, product=product)
    order = buy(world.buyer, [(cheap, 1)])

    assert preview == record(order, 1).amount == Decimal("7.18")  # 12 % of 59.90, rounded down


@pytest.mark.parametrize(("price", "cost", "override"), [
    ("100.00", "95.00", None),  # the margin cap (5.00) scales tier 1 AND tier 2: 3.33, not 5.00
    ("100.00", "40.00", ("fixed", "8.00", "3.00")),
    ("33.33", "20.00", ("rate", "0.20", "0.10")),
])
def test_share_preview_shares_the_cap_with_the_upper_tiers_like_a_real_order(price, cost, override):
    world = make_world(tiers=2)
    item = sku(price, cost)
    if override:
        mode, t1, t2 = override
        product_commission_set(product=item.product, mode=mode, tiers={1: Decimal(t1), 2: Decimal(t2)},
                               operator=None)

    preview = share_earning_preview(member=world.seller, product=item.product)
    order = buy(world.buyer, [(item, 1)])

    assert preview == record(order, 1).amount
    assert preview > 0


def test_share_preview_is_none_for_shoppers_inactive_resellers_and_products_without_terms():
    world = make_world(tiers=2)
    item = sku("100.00", "40.00")
    inactive = MemberFactory(is_reseller=True, is_active=False, level=world.level)
    no_level = MemberFactory(is_reseller=True)

    assert share_earning_preview(member=world.buyer, product=item.product) is None
    assert share_earning_preview(member=inactive, product=item.product) is None
    assert share_earning_preview(member=no_level, product=item.product) is None
    level_rate_set(level=world.level, tier=1, rate=Decimal("0"), operator=None)
    assert share_earning_preview(member=world.seller, product=item.product) is None


def test_the_product_page_shows_share_and_earn_to_a_reseller_only(client):
    world = make_world(tiers=2)
    item = sku("100.00", "40.00")
    url = reverse("mall:product", args=[item.product_id])

    anonymous = client.get(url)
    client.force_login(world.buyer.user)
    shopper = client.get(url)
    client.force_login(world.seller.user)
    reseller = client.get(url)

    assert by_testid(anonymous, "share-earning") == by_testid(shopper, "share-earning") == []
    assert len(by_testid(reseller, "share-earning")) == 1
    assert "¥10.00" in by_testid(reseller, "share-earning")[0]


@pytest.mark.parametrize("count", [3, 30])
def test_the_shop_header_shows_the_highest_share_and_earn_in_fixed_queries(
        client, count, django_assert_max_num_queries, django_capture_on_commit_callbacks):
    world = make_world(tiers=2)
    shop = ShopFactory(owner=world.seller.user)
    for n, price in enumerate(["20.00", "150.00", "60.00"] + ["30.00"] * (count - 3)):
        item = sku(price, "10.00")
        ShopProduct.objects.create(shop=shop, product=item.product, sort_order=n)
    client.force_login(world.seller.user)
    with django_capture_on_commit_callbacks(execute=True):  # settings rows cached, as after a commit
        client.get(reverse("mall:shop", args=[shop.pk]))

    # the page's own 8 (signed in) + 4 for the header + 1 for the tab bar's cart badge
    with django_assert_max_num_queries(13):
        response = client.get(reverse("mall:shop", args=[shop.pk]))

    assert len(by_testid(response, "share-earning-shop")) == 1
    assert "¥15.00" in by_testid(response, "share-earning-shop")[0]  # 10 % of 150.00
