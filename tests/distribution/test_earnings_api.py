"""``/api/v1/earnings/…``: exact figures, filters, withdrawals with an idempotency key (same
key → one withdrawal, 200; another amount → 409), payout accounts, the ledger, 分享赚 and
I7 (another member's ids → 404 with the error shape)."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from common.api import WEB_SERVER_ANSWERS
from distribution.models import CommissionRecord, LedgerEntry, PayoutAccount, Withdrawal
from distribution.wallet.services.withdrawals import withdrawal_request
from tests.distribution.commission_world import buy, make_world, receive, refund, sku
from tests.distribution.concurrency import run_parallel
from tests.distribution.earnings_helpers import (
    BANK_CARD,
    OTHER_CARD,
    balances,
    bank_account,
    funded_reseller,
    record,
    refund_after_settlement,
    settled_world,
)
from tests.distribution.factories import MemberFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/earnings"


def api_for(member) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=member.user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def results(response) -> list[dict]:
    return response.json()["results"]


# --- overview and options -----------------------------------------------------------------------


def test_overview_gives_exact_figures_as_decimal_strings():
    settled = settled_world()
    buy(settled.world.buyer, [(sku("50.00", "20.00"), 1)])  # 5.00 pending

    response = api_for(settled.world.seller).get(f"{API}/overview/")

    assert response.status_code == 200
    assert response.json() == {"today": "15.00", "this_month": "15.00", "total": "15.00", "pending": "5.00",
                               "available": "10.00", "held": "0.00", "withdrawn": "0.00", "debt": "0.00"}


def test_overview_shows_debt_and_zero_available_when_in_debt():
    member, wallet, _ = funded_reseller("10.00")
    from distribution.wallet.services.wallet import wallet_adjust

    wallet_adjust(wallet_id=wallet.pk, amount=Decimal("-12.34"), operator=None, reason="追回")

    body = api_for(member).get(f"{API}/overview/").json()

    assert (body["available"], body["debt"]) == ("0.00", "2.34")


def test_withdraw_options_follow_the_rules_and_todays_count():
    member, _, account = funded_reseller("100.00")
    withdrawal_request(member=member, amount="10.00", payout_account_id=account.pk,
                       idempotency_key="key-00000001")

    body = api_for(member).get(f"{API}/withdraw-options/").json()

    assert body == {"available": "90.00", "debt": "0.00", "minimum": "10.00", "fee_rate": "0.0000",
                    "daily_limit": 3, "remaining_today": 2, "channels": ["wechat", "alipay", "bank"],
                    "can_withdraw": True}


def test_non_resellers_get_403_and_visitors_401():
    shopper = MemberFactory()

    denied = api_for(shopper).get(f"{API}/overview/")
    anonymous = APIClient().get(f"{API}/overview/")

    assert denied.status_code == 403
    assert denied.json()["code"] == "not_a_reseller"
    assert anonymous.status_code == 401


# --- commission records and promoted orders -------------------------------------------------------


def test_commission_records_with_terms_amounts_and_labels():
    world = make_world(tiers=2)
    order = receive(buy(world.buyer, [(sku("30.00", "10.00"), 3)]))
    refund(order, quantity=1)  # 9.00 → 6.00 while pending

    response = api_for(world.seller).get(f"{API}/commissions/")

    assert response.status_code == 200
    [row] = results(response)
    assert {k: row[k] for k in ("order_number", "quantity", "tier", "tier_label", "base_amount", "rate",
                                "fixed_per_unit", "original_amount", "amount", "clawed_back",
                                "is_reversed", "state", "state_label")} == {
        "order_number": order.number, "quantity": 3, "tier": 1, "tier_label": "一级", "base_amount": "90.00",
        "rate": "0.1000", "fixed_per_unit": None, "original_amount": "9.00", "amount": "6.00",
        "clawed_back": "0.00", "is_reversed": False, "state": "pending", "state_label": "待结算"}


def test_commission_records_filter_by_state_and_month():
    settled = settled_world()
    refund_after_settlement(settled.order, quantity=1, amount="100.00")  # settled 10.00 → 0, reversed
    later = buy(settled.world.buyer, [(sku("50.00", "20.00"), 1)])
    CommissionRecord.objects.filter(order=later).update(created_at=timezone.make_aware(datetime(2025, 2, 3)))
    client = api_for(settled.world.seller)

    def amounts(**params):
        return [r["amount"] for r in results(client.get(f"{API}/commissions/", params))]

    assert amounts(state="reversed") == ["0.00"]
    assert amounts(state="pending") == ["5.00"]
    assert amounts(month="2025-02") == ["5.00"]
    assert amounts(month="2025-03") == []
    bad = client.get(f"{API}/commissions/", {"month": "2025-2"})
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid")
    assert "month" in bad.json()["fields"]


def test_promoted_orders_with_masked_buyer_and_my_commission():
    world = make_world(tiers=2)
    order = buy(world.buyer, [(sku("100.00", "40.00"), 2)])

    response = api_for(world.seller).get(f"{API}/orders/")

    [row] = results(response)
    assert row["number"] == order.number
    assert row["buyer"] == world.buyer.user.nickname
    assert (row["goods_amount"], row["my_commission"], row["state"]) == ("200.00", "20.00", "paid")
    assert row["items"] == [{"product_title": order.items.get().product_title,
                             "spec_text": order.items.get().sku_spec_text, "quantity": 2}]
    assert "phone" not in str(row) and world.buyer.user.phone not in str(row)


# --- withdrawals and idempotency ---------------------------------------------------------------


def test_a_withdrawal_is_held_at_once_and_the_same_key_returns_it_with_200():
    member, wallet, account = funded_reseller("100.00")
    client = api_for(member)
    body = {"amount": "60.00", "payout_account_id": account.pk}

    first = client.post(f"{API}/withdrawals/", body, format="json", HTTP_IDEMPOTENCY_KEY="key-aaaa-0001")
    again = client.post(f"{API}/withdrawals/", body, format="json", HTTP_IDEMPOTENCY_KEY="key-aaaa-0001")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert first.json()["state"] == "requested"
    assert first.json()["account_masked"] == "6222 **** **** 0128"
    assert Withdrawal.objects.count() == 1
    assert balances(wallet) == (Decimal("40.00"), Decimal("60.00"), Decimal("0.00"))
    assert LedgerEntry.objects.filter(kind="withdrawal_hold").count() == 1


def test_the_key_may_come_in_the_body():
    member, wallet, account = funded_reseller("100.00")
    client = api_for(member)
    body = {"amount": "25.00", "payout_account_id": account.pk, "idempotency_key": "body-key-0001"}

    codes = [client.post(f"{API}/withdrawals/", body, format="json").status_code for _ in range(3)]

    assert codes == [201, 200, 200]
    assert Withdrawal.objects.get().idempotency_key == "body-key-0001"
    assert balances(wallet) == (Decimal("75.00"), Decimal("25.00"), Decimal("0.00"))


def test_the_same_key_with_another_amount_is_409_and_holds_nothing_more():
    member, wallet, account = funded_reseller("100.00")
    client = api_for(member)
    client.post(f"{API}/withdrawals/", {"amount": "30.00", "payout_account_id": account.pk}, format="json",
                HTTP_IDEMPOTENCY_KEY="key-bbbb-0001")

    response = client.post(f"{API}/withdrawals/", {"amount": "31.00", "payout_account_id": account.pk},
                           format="json", HTTP_IDEMPOTENCY_KEY="key-bbbb-0001")

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert Withdrawal.objects.count() == 1
    assert balances(wallet) == (Decimal("70.00"), Decimal("30.00"), Decimal("0.00"))


@pytest.mark.parametrize("key", [None, "short", "has space in it", "x" * 65])
def test_a_missing_or_malformed_key_is_400_and_holds_nothing(key):
    member, wallet, account = funded_reseller("100.00")
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}

    response = api_for(member).post(f"{API}/withdrawals/", {"amount": "30.00",
                                                            "payout_account_id": account.pk},
                                    format="json", **headers)

    assert (response.status_code, response.json()["code"]) == (400, "idempotency_key_required")
    assert not Withdrawal.objects.exists()
    assert balances(wallet) == (Decimal("100.00"), Decimal("0.00"), Decimal("0.00"))


@pytest.mark.parametrize(("amount", "status", "code"), [
    ("100.01", 409, "insufficient_balance"), ("9.99", 400, "withdrawal_below_minimum"),
    ("1.001", 400, "invalid"), ("-5", 400, "invalid"),
])
def test_refused_amounts_change_nothing(amount, status, code):
    member, wallet, account = funded_reseller("100.00")

    response = api_for(member).post(f"{API}/withdrawals/", {"amount": amount,
                                                            "payout_account_id": account.pk},
                                    format="json", HTTP_IDEMPOTENCY_KEY="key-cccc-0001")

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert not Withdrawal.objects.exists()
    assert balances(wallet) == (Decimal("100.00"), Decimal("0.00"), Decimal("0.00"))


def test_withdrawal_list_and_detail():
    member, _, account = funded_reseller("100.00")
    first, _ = withdrawal_request(member=member, amount="10.00", payout_account_id=account.pk,
                               idempotency_key="key-00000001")
    withdrawal_request(member=member, amount="20.00", payout_account_id=account.pk,
                       idempotency_key="key-00000002")
    client = api_for(member)

    listing = client.get(f"{API}/withdrawals/")
    detail = client.get(f"{API}/withdrawals/{first.pk}/")

    assert [w["amount"] for w in results(listing)] == ["20.00", "10.00"]
    assert detail.json()["state_label"] == "审核中"
    assert (detail.json()["fee"], detail.json()["net_amount"]) == ("0.00", "10.00")


# --- payout accounts -----------------------------------------------------------------------------


def test_add_and_list_payout_accounts_masked_only():
    member, _, _ = funded_reseller()
    client = api_for(member)

    created = client.post(f"{API}/payout-accounts/", {"channel": "wechat", "holder_name": "王小明",
                                                      "account": "wxid_quanzi01"}, format="json")
    listing = client.get(f"{API}/payout-accounts/")

    assert created.status_code == 201
    assert created.json()["account_masked"] == "wxid **** **** zi01"
    assert [a["channel"] for a in listing.json()] == ["wechat", "bank"]
    assert "wxid_quanzi01" not in listing.content.decode()
    assert BANK_CARD not in listing.content.decode()


@pytest.mark.parametrize(("body", "code"), [
    ({"channel": "bank", "holder_name": "王小明", "account": "1234", "bank_name": "工行"},
     "payout_account_invalid"),
    ({"channel": "bank", "holder_name": "王小明", "account": BANK_CARD}, "payout_account_invalid"),
    ({"channel": "paypal", "holder_name": "王小明", "account": "a@b.cn"}, "invalid"),
])
def test_bad_payout_accounts_are_400_and_store_nothing(body, code):
    member, _, _ = funded_reseller()

    response = api_for(member).post(f"{API}/payout-accounts/", body, format="json")

    assert (response.status_code, response.json()["code"]) == (400, code)
    assert PayoutAccount.objects.filter(member=member).count() == 1


def test_a_channel_the_rules_do_not_allow_is_refused():
    from distribution.commission.services.rules import rules_update

    member, _, _ = funded_reseller()
    rules_update(operator=None, withdrawal_channels=["bank"])

    response = api_for(member).post(f"{API}/payout-accounts/", {
        "channel": "alipay", "holder_name": "王小明", "account": "13800001111"}, format="json")

    assert (response.status_code, response.json()["code"]) == (400, "withdrawal_channel_not_allowed")
    assert PayoutAccount.objects.filter(member=member).count() == 1


def test_at_most_ten_payout_accounts():
    member, _, _ = funded_reseller()
    for n in range(9):
        api_for(member).post(f"{API}/payout-accounts/", {"channel": "wechat", "holder_name": "王小明",
                                                         "account": f"wxid_quanzi{n:02d}"}, format="json")

    response = api_for(member).post(f"{API}/payout-accounts/", {
        "channel": "wechat", "holder_name": "王小明", "account": "wxid_one_too_many"}, format="json")

    assert (response.status_code, response.json()["code"]) == (409, "payout_account_limit")
    assert PayoutAccount.objects.filter(member=member).count() == 10


# --- the ledger ------------------------------------------------------------------------------------


def test_the_ledger_with_kinds_amounts_and_balance_after():
    member, _, account = funded_reseller("100.00")
    withdrawal_request(member=member, amount="30.00", payout_account_id=account.pk,
                       idempotency_key="key-00000001")

    rows = results(api_for(member).get(f"{API}/ledger/"))

    assert [(r["kind"], r["available_delta"], r["held_delta"], r["available_after"]) for r in rows] == [
        ("withdrawal_hold", "-30.00", "30.00", "70.00"), ("adjustment", "100.00", "0.00", "100.00")]
    assert rows[0]["kind_label"] == "提现冻结"
    assert rows[1]["reason"] == "测试入账"


# --- 分享赚 --------------------------------------------------------------------------------------


def test_share_preview_for_a_product():
    world = make_world(tiers=2)
    item = sku("88.00", "40.00")

    mine = api_for(world.seller).get(f"{API}/share-preview/{item.product_id}/")
    shopper = api_for(world.buyer).get(f"{API}/share-preview/{item.product_id}/")
    unknown = api_for(world.seller).get(f"{API}/share-preview/999999/")

    assert mine.json() == {"product_id": item.product_id, "amount": "8.80"}
    assert shopper.json() == {"product_id": item.product_id, "amount": None}
    assert (unknown.status_code, unknown.json()["code"]) == (404, "product_not_found")


# --- I7: another member's ids are a 404 with the error shape -------------------------------------


def test_another_members_ids_are_404_with_the_error_shape():
    settled = settled_world()
    other, _, other_account = funded_reseller("100.00")
    other_withdrawal, _ = withdrawal_request(member=other, amount="10.00", payout_account_id=other_account.pk,
                                          idempotency_key="key-00000001")
    mid_record = record(settled.order, 2)
    client = api_for(settled.world.seller)

    cases = {
        f"{API}/commissions/{mid_record.pk}/": "commission_record_not_found",
        f"{API}/withdrawals/{other_withdrawal.pk}/": "withdrawal_not_found",
        f"{API}/payout-accounts/{other_account.pk}/": "payout_account_not_found",
    }
    for url, code in cases.items():
        response = client.get(url)
        assert response.status_code == 404, url
        assert set(response.json()) == {"code", "detail"}
        assert response.json()["code"] == code
    assert client.get(f"{API}/commissions/{record(settled.order, 1).pk}/").status_code == 200


def test_withdrawing_to_another_members_account_is_404_and_holds_nothing():
    settled = settled_world()
    _, _, other_account = funded_reseller("100.00")
    wallet = settled.world.seller.wallet

    response = api_for(settled.world.seller).post(
        f"{API}/withdrawals/", {"amount": "10.00", "payout_account_id": other_account.pk}, format="json",
        HTTP_IDEMPOTENCY_KEY="key-dddd-0001")

    assert (response.status_code, response.json()["code"]) == (404, "payout_account_not_found")
    assert not Withdrawal.objects.exists()
    assert balances(wallet) == (Decimal("10.00"), Decimal("0.00"), Decimal("0.00"))


def test_list_queries_are_bounded(django_assert_max_num_queries):
    member, _, account = funded_reseller("1000.00")
    for n in range(3):
        bank_account(member, OTHER_CARD)
        withdrawal_request(member=member, amount="10.00", payout_account_id=account.pk,
                           idempotency_key=f"key-{n:08d}")
    client = api_for(member)

    for path, bound in (("withdrawals", 6), ("ledger", 6), ("payout-accounts", 4), ("overview", 5)):
        with django_assert_max_num_queries(bound):
            assert client.get(f"{API}/{path}/").status_code == 200


# --- under real concurrency (PostgreSQL, one connection per thread) ------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_requests_with_one_key_make_one_withdrawal_and_one_201():
    member, wallet, account = funded_reseller("100.00")
    token = Token.objects.create(user=member.user).key

    def post(_: int) -> tuple[int, int]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        response = client.post(f"{API}/withdrawals/", {"amount": "60.00", "payout_account_id": account.pk},
                               format="json", HTTP_IDEMPOTENCY_KEY="key-race-0001")
        return response.status_code, response.json()["id"]

    answers = run_parallel(8, post)

    withdrawal = Withdrawal.objects.get()
    assert sorted(code for code, _ in answers) == [200] * 7 + [201]
    assert {pk for _, pk in answers} == {withdrawal.pk}
    assert balances(wallet) == (Decimal("40.00"), Decimal("60.00"), Decimal("0.00"))
    assert LedgerEntry.objects.filter(kind="withdrawal_hold").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_account_additions_never_pass_the_limit():
    from distribution.wallet.services.payout_accounts import MAX_PAYOUT_ACCOUNTS, payout_account_create

    member, _, _ = funded_reseller()
    for n in range(MAX_PAYOUT_ACCOUNTS - 2):
        payout_account_create(member=member, channel="wechat", holder_name="王小明",
                              account=f"wxid_pre{n:04d}")

    results_ = run_parallel(6, lambda i: payout_account_create(
        member=member, channel="wechat", holder_name="王小明", account=f"wxid_race{i:04d}"))

    assert sum(isinstance(r, PayoutAccount) for r in results_) == 1
    assert all(isinstance(r, PayoutAccount) or type(r).__name__ == "PayoutAccountLimit" for r in results_)
    assert PayoutAccount.objects.filter(member=member).count() == MAX_PAYOUT_ACCOUNTS


# --- the OpenAPI schema: every earnings operation typed, with the error shape ---------------------

EARNINGS_OPERATIONS = {
    ("/api/v1/earnings/overview/", "get"), ("/api/v1/earnings/withdraw-options/", "get"),
    ("/api/v1/earnings/commissions/", "get"), ("/api/v1/earnings/commissions/{record_id}/", "get"),
    ("/api/v1/earnings/orders/", "get"), ("/api/v1/earnings/withdrawals/", "get"),
    ("/api/v1/earnings/withdrawals/", "post"), ("/api/v1/earnings/withdrawals/{withdrawal_id}/", "get"),
    ("/api/v1/earnings/payout-accounts/", "get"), ("/api/v1/earnings/payout-accounts/", "post"),
    ("/api/v1/earnings/payout-accounts/{account_id}/", "get"), ("/api/v1/earnings/ledger/", "get"),
    ("/api/v1/earnings/share-preview/{product_id}/", "get"),
}


def test_every_earnings_operation_is_documented_with_typed_errors_and_token_auth():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {(path, method): op for path, item in schema["paths"].items() for method, op in item.items()}

    assert set(operations) >= EARNINGS_OPERATIONS
    for key in EARNINGS_OPERATIONS:
        operation = operations[key]
        assert operation["tags"] == ["earnings"] and operation["summary"], key
        assert {"tokenAuth": []} in operation["security"] and {} not in operation["security"], key
        errors = {code: r for code, r in operation["responses"].items()
                  if code.startswith("4") and code not in WEB_SERVER_ANSWERS}
        assert "401" in errors, key
        for code, response in errors.items():
            ref = response["content"]["application/json"]["schema"]["$ref"]
            assert ref in {"#/components/schemas/Error", "#/components/schemas/ValidationError"}, (key, code)
    post = operations[("/api/v1/earnings/withdrawals/", "post")]
    assert {"200", "201", "409"} <= set(post["responses"])
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in post["parameters"])
    money = schema["components"]["schemas"]["EarningsOverview"]["properties"]["available"]
    assert (money["type"], money["format"]) == ("string", "decimal")
