"""The staff admin of commission rules, records, wallets and withdrawals: every change
through a service (audited), permissions (non-staff → login, staff without the permission
→ 403), no self-approval, logged reveals of account numbers, the liability figure."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from common.forms import rate_as_percent
from distribution.commission.services.rules import level_rate_set, rules_get
from distribution.models import (
    CommissionRules,
    LedgerEntry,
    LevelRate,
    ProductCommission,
    RuleChange,
    SensitiveAccessLog,
    Wallet,
)
from distribution.wallet.services.wallet import wallet_adjust
from distribution.wallet.services.withdrawals import withdrawal_approve, withdrawal_request
from tests.distribution.commission_world import buy, sku
from tests.distribution.earnings_helpers import (
    BANK_CARD,
    balances,
    funded_reseller,
    record,
    settled_world,
    staff,
)
from tests.distribution.factories import MemberFactory, ResellerLevelFactory
from tests.mall.factories import UserFactory

pytestmark = pytest.mark.django_db
VIEW_ALL = ("view_commissionrules", "view_levelrate", "view_productcommission", "view_rulechange",
            "view_commissionrecord", "view_wallet", "view_ledgerentry", "view_withdrawal",
            "view_payoutaccount", "view_sensitiveaccesslog")


@pytest.fixture
def admin_user():
    """pytest-django's own would sign up as "admin", which is not a mobile number."""
    return UserFactory(phone="13700000001", nickname="运营小李", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def page_text(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def rules_form(**changes: object) -> dict:
    rules = rules_get()
    # Rates are typed as percentages on the page (common.forms.PercentField).
    data = {"tiers": rules.tiers, "global_cap_rate": rate_as_percent(rules.global_cap_rate),
            "self_purchase": "on" if rules.self_purchase else "",
            "attribution_policy": rules.attribution_policy,
            "withdrawal_min_amount": rules.withdrawal_min_amount,
            "withdrawal_fee_rate": rate_as_percent(rules.withdrawal_fee_rate),
            "withdrawal_daily_limit": rules.withdrawal_daily_limit,
            "withdrawal_channels": list(rules.withdrawal_channels)}
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


# --- rules -------------------------------------------------------------------------------------


def test_the_rules_changelist_opens_the_single_rules_form(admin_client):
    response = admin_client.get(reverse("admin:distribution_commissionrules_changelist"))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:distribution_commissionrules_change", args=[1])
    assert admin_client.get(response["Location"]).status_code == 200


def test_saving_the_rules_goes_through_the_service_and_audits_each_changed_field(admin_client, admin_user):
    url = reverse("admin:distribution_commissionrules_change", args=[rules_get().pk])

    response = admin_client.post(url, rules_form(tiers=3, withdrawal_fee_rate="0.6",
                                                 withdrawal_channels=["alipay", "bank"]), follow=True)

    assert response.status_code == 200
    rules = CommissionRules.objects.get()
    assert (rules.tiers, rules.withdrawal_fee_rate, rules.withdrawal_channels) == (
        3, Decimal("0.0060"), ["alipay", "bank"])
    changes = {c.field: (c.old_value, c.new_value, c.operator_id) for c in RuleChange.objects.all()}
    assert changes == {"tiers": ("2", "3", admin_user.pk),
                       "withdrawal_fee_rate": ("0.0000", "0.0060", admin_user.pk),
                       "withdrawal_channels": ("['wechat', 'alipay', 'bank']", "['alipay', 'bank']",
                                               admin_user.pk)}


def test_saving_unchanged_rules_writes_no_audit_row(admin_client):
    url = reverse("admin:distribution_commissionrules_change", args=[rules_get().pk])

    admin_client.post(url, rules_form())

    assert not RuleChange.objects.exists()


@pytest.mark.parametrize("tiers", [4, 0])
def test_more_than_3_tiers_is_refused_with_the_compliance_reason_and_nothing_changes(admin_client, tiers):
    url = reverse("admin:distribution_commissionrules_change", args=[rules_get().pk])

    response = admin_client.post(url, rules_form(tiers=tiers, withdrawal_fee_rate="1"))

    assert response.status_code == 200  # the form again, with the error
    assert "禁止传销条例" in page_text(response)
    rules = CommissionRules.objects.get()
    assert (rules.tiers, rules.withdrawal_fee_rate) == (2, Decimal("0.0000"))
    assert not RuleChange.objects.exists()


def test_level_rates_are_set_through_the_service_and_audited(admin_client, admin_user):
    level = ResellerLevelFactory(name="金牌")

    added = admin_client.post(reverse("admin:distribution_levelrate_add"),
                              {"level": level.pk, "tier": 1, "rate": "10"})
    rate = LevelRate.objects.get(level=level, tier=1)
    changed = admin_client.post(reverse("admin:distribution_levelrate_change", args=[rate.pk]),
                                {"rate": "12"})

    assert (added.status_code, changed.status_code) == (302, 302)
    assert LevelRate.objects.get(pk=rate.pk).rate == Decimal("0.1200")
    assert list(RuleChange.objects.order_by("id").values_list("subject", "field", "old_value", "new_value",
                                                              "operator_id")) == [
        (f"level:{level.pk}:金牌", "tier1", "None", "0.1000", admin_user.pk),
        (f"level:{level.pk}:金牌", "tier1", "0.1000", "0.1200", admin_user.pk)]


def test_a_fourth_tier_rate_is_refused(admin_client):
    level = ResellerLevelFactory()

    response = admin_client.post(reverse("admin:distribution_levelrate_add"),
                                 {"level": level.pk, "tier": 4, "rate": "1"})

    assert response.status_code == 200
    assert "禁止传销条例" in page_text(response)
    assert not LevelRate.objects.exists()
    assert not RuleChange.objects.exists()


def test_level_rates_cannot_be_deleted_only_set_to_zero(admin_client):
    rate = level_rate_set(level=ResellerLevelFactory(), tier=1, rate=Decimal("0.1"), operator=None)

    response = admin_client.post(reverse("admin:distribution_levelrate_delete", args=[rate.pk]),
                                 {"post": "yes"})

    assert response.status_code == 403
    assert LevelRate.objects.filter(pk=rate.pk).exists()


def test_product_overrides_go_through_the_service_and_fixed_amounts_have_2_places(admin_client, admin_user):
    item = sku("100.00", "40.00")
    url = reverse("admin:distribution_productcommission_add")

    refused = admin_client.post(url, {"product": item.product_id, "mode": "fixed", "tier1": "5.125",
                                      "tier2": "0", "tier3": "0"})
    saved = admin_client.post(url, {"product": item.product_id, "mode": "fixed", "tier1": "5.12",
                                    "tier2": "1.00", "tier3": "0"})

    assert refused.status_code == 200
    assert saved.status_code == 302
    override = ProductCommission.objects.get()
    assert (override.mode, override.tier1, override.tier2) == ("fixed", Decimal("5.12"), Decimal("1.00"))
    subject = f"product:{item.product_id}"
    assert set(RuleChange.objects.values_list("subject", "field", "operator_id")) == {
        (subject, "mode", admin_user.pk), (subject, "tier1", admin_user.pk),
        (subject, "tier2", admin_user.pk)}


def test_a_product_rate_above_100_percent_is_refused(admin_client):
    item = sku()

    response = admin_client.post(reverse("admin:distribution_productcommission_add"), {
        "product": item.product_id, "mode": "rate", "tier1": "150", "tier2": "0", "tier3": "0"})

    assert response.status_code == 200
    assert not ProductCommission.objects.exists()


def test_the_rule_audit_log_is_read_only(admin_client):
    level_rate_set(level=ResellerLevelFactory(), tier=1, rate=Decimal("0.1"), operator=None)
    change = RuleChange.objects.get()

    listing = admin_client.get(reverse("admin:distribution_rulechange_changelist"))

    assert listing.status_code == 200
    assert admin_client.get(reverse("admin:distribution_rulechange_add")).status_code == 403
    assert admin_client.post(reverse("admin:distribution_rulechange_delete", args=[change.pk]),
                             {"post": "yes"}).status_code == 403


# --- commission records and the liability -------------------------------------------------------


def test_commission_records_list_masks_phones_and_searches_by_order_or_phone(admin_client):
    settled = settled_world()
    other = buy(settled.world.buyer, [(sku("50.00", "20.00"), 1)])
    url = reverse("admin:distribution_commissionrecord_changelist")
    seller_phone = settled.world.seller.user.phone

    by_order = admin_client.get(url, {"q": settled.order.number})
    by_phone = admin_client.get(url, {"q": seller_phone})
    pending = admin_client.get(url, {"state__exact": "pending", "tier__exact": "1"})

    assert by_order.context["cl"].result_count == 2
    assert by_phone.context["cl"].result_count == 2  # the seller's tier-1 records of both orders
    assert [r.order_id for r in pending.context["cl"].result_list] == [other.pk]
    body = re.search(r"<tbody>.*?</tbody>", by_phone.content.decode(), flags=re.S)[0]
    rows = re.sub(r'href="[^"]*"', "", body)  # links carry the search query
    assert seller_phone not in rows
    assert settled.world.seller.user.masked_phone in rows


def test_the_liability_is_pending_plus_available_plus_held(admin_client):
    settled = settled_world()  # seller 10.00 and mid 5.00 available
    buy(settled.world.buyer, [(sku("50.00", "20.00"), 1)])  # 5.00 + 2.50 pending
    member, _, account = funded_reseller("100.00")
    withdrawal_request(member=member, amount="40.00", payout_account_id=account.pk,
                       idempotency_key="key-00000001")  # 60.00 available + 40.00 held
    _, debtor_wallet, _ = funded_reseller("1.00")
    wallet_adjust(wallet_id=debtor_wallet.pk, amount=Decimal("-4.00"), operator=None, reason="追回")

    changelist = admin_client.get(reverse("admin:distribution_commissionrecord_changelist"))
    page = admin_client.get(reverse("admin:distribution_commissionrecord_liability"))

    liability = page.context["liability"]
    assert (liability.pending, liability.available, liability.held, liability.total, liability.debt) == (
        Decimal("7.50"), Decimal("75.00"), Decimal("40.00"), Decimal("122.50"), Decimal("3.00"))
    assert "¥122.50" in page_text(changelist)


def test_the_liability_takes_one_query_per_figure(admin_client, django_assert_num_queries):
    from distribution.commission.selectors import commission_liability

    settled_world()

    with django_assert_num_queries(2):
        commission_liability()


# --- wallets and the ledger ---------------------------------------------------------------------


def test_wallets_search_by_phone_and_show_the_ledger_newest_first(admin_client):
    member, wallet, account = funded_reseller("100.00")
    withdrawal_request(member=member, amount="30.00", payout_account_id=account.pk,
                       idempotency_key="key-00000001")
    funded_reseller("5.00")

    listing = admin_client.get(reverse("admin:distribution_wallet_changelist"), {"q": member.user.phone})
    detail = admin_client.get(reverse("admin:distribution_wallet_change", args=[wallet.pk]))

    assert [w.pk for w in listing.context["cl"].result_list] == [wallet.pk]
    html = detail.content.decode()
    assert html.index("提现冻结") < html.index("人工调整")
    assert f"?wallet__id__exact={wallet.pk}" in html
    assert member.user.phone not in html


def test_staff_adjust_a_balance_with_a_reason(client):
    _, wallet, _ = funded_reseller("10.00")
    cashier = staff("view_wallet", "change_wallet")
    client.force_login(cashier)
    url = reverse("admin:distribution_wallet_adjust", args=[wallet.pk])

    empty = client.post(url, {"amount": "-2.50", "reason": ""})
    done = client.post(url, {"amount": "-2.50", "reason": "重复入账更正"})

    assert empty.status_code == 200
    assert done.status_code == 302
    entry = LedgerEntry.objects.get(kind="adjustment", operator=cashier)
    assert (entry.available_delta, entry.reason, entry.available_after) == (Decimal("-2.50"), "重复入账更正",
                                                                             Decimal("7.50"))
    assert balances(wallet) == (Decimal("7.50"), Decimal("0.00"), Decimal("0.00"))


def test_staff_cannot_adjust_their_own_wallet(client):
    cashier = staff("view_wallet", "change_wallet")
    member = MemberFactory(user=cashier, is_reseller=True)
    wallet = Wallet.objects.create(member=member)
    client.force_login(cashier)

    response = client.post(reverse("admin:distribution_wallet_adjust", args=[wallet.pk]),
                           {"amount": "1000.00", "reason": "给自己加钱"})

    assert response.status_code == 200
    assert "不能调整自己的钱包" in page_text(response)
    assert balances(wallet) == (Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))
    assert not LedgerEntry.objects.exists()


def test_staff_without_the_change_permission_get_403_on_adjust(client):
    _, wallet, _ = funded_reseller("10.00")
    client.force_login(staff("view_wallet"))

    response = client.post(reverse("admin:distribution_wallet_adjust", args=[wallet.pk]),
                           {"amount": "5.00", "reason": "试试"})

    assert response.status_code == 403
    assert LedgerEntry.objects.count() == 1


def test_the_ledger_admin_offers_no_add_change_or_delete(admin_client):
    _, wallet, _ = funded_reseller("10.00")
    entry = LedgerEntry.objects.get()

    listing = admin_client.get(reverse("admin:distribution_ledgerentry_changelist"),
                               {"wallet__id__exact": wallet.pk})
    add = admin_client.get(reverse("admin:distribution_ledgerentry_add"))
    delete = admin_client.post(reverse("admin:distribution_ledgerentry_delete", args=[entry.pk]),
                               {"post": "yes"})
    change = admin_client.post(reverse("admin:distribution_ledgerentry_change", args=[entry.pk]),
                               {"available_delta": "999.00", "reason": "x"})

    assert listing.context["cl"].result_count == 1
    assert (add.status_code, delete.status_code, change.status_code) == (403, 403, 403)
    assert LedgerEntry.objects.get(pk=entry.pk).available_delta == Decimal("10.00")


# --- the withdrawal review queue -------------------------------------------------------------------


@pytest.fixture
def queue():
    member, wallet, account = funded_reseller("100.00")
    first, _ = withdrawal_request(member=member, amount="10.00", payout_account_id=account.pk,
                               idempotency_key="key-00000001")
    second, _ = withdrawal_request(member=member, amount="20.00", payout_account_id=account.pk,
                                idempotency_key="key-00000002")
    approved, _ = withdrawal_request(member=member, amount="30.00", payout_account_id=account.pk,
                                  idempotency_key="key-00000003")
    withdrawal_approve(withdrawal_id=approved.pk, operator=staff("review_withdrawal"))
    return member, wallet, first, second, approved


def test_the_queue_shows_requested_withdrawals_by_default(admin_client, queue):
    member, _, first, second, approved = queue
    url = reverse("admin:distribution_withdrawal_changelist")

    default = admin_client.get(url)
    everything = admin_client.get(url, {"queue": "all"})

    assert [w.pk for w in default.context["cl"].result_list] == [first.pk, second.pk]
    assert {w.pk for w in everything.context["cl"].result_list} == {first.pk, second.pk, approved.pk}
    html = default.content.decode()
    assert "6222 **** **** 0128" in html
    assert BANK_CARD not in html and member.user.phone not in html


def _action(client, action: str, ids: list[int], **extra: str):
    return client.post(reverse("admin:distribution_withdrawal_changelist"),
                       {"action": action, ACTION_CHECKBOX_NAME: ids, **extra}, follow=True)


def test_reviewers_approve_and_reject_from_the_list(client, queue):
    _, wallet, first, second, _ = queue
    reviewer = staff("view_withdrawal", "review_withdrawal")
    client.force_login(reviewer)

    _action(client, "approve", [first.pk])
    form = _action(client, "reject", [second.pk])
    _action(client, "reject", [second.pk], apply="1", reason="户名与实名不符")

    assert "reason" in form.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, first.reviewed_by_id) == ("approved", reviewer.pk)
    assert (second.state, second.reject_reason) == ("rejected", "户名与实名不符")
    assert balances(wallet) == (Decimal("60.00"), Decimal("40.00"), Decimal("0.00"))  # 20.00 released


def test_cashiers_record_the_payout_with_its_reference(client, queue):
    _, wallet, _, _, approved = queue
    cashier = staff("view_withdrawal", "pay_withdrawal")
    client.force_login(cashier)
    url = reverse("admin:distribution_withdrawal_paid", args=[approved.pk])

    missing = client.post(url, {"reference": ""})
    done = client.post(url, {"reference": "ICBC-20260301-0001"})

    assert (missing.status_code, done.status_code) == (200, 302)
    approved.refresh_from_db()
    assert (approved.state, approved.payout_reference, approved.paid_by_id) == ("paid", "ICBC-20260301-0001",
                                                                                cashier.pk)
    assert balances(wallet) == (Decimal("40.00"), Decimal("30.00"), Decimal("30.00"))


def test_a_failed_payout_releases_the_hold(client, queue):
    _, wallet, _, _, approved = queue
    client.force_login(staff("view_withdrawal", "pay_withdrawal"))

    client.post(reverse("admin:distribution_withdrawal_failed", args=[approved.pk]), {"reason": "账户已注销"})

    approved.refresh_from_db()
    assert approved.state == "failed"
    assert balances(wallet) == (Decimal("70.00"), Decimal("30.00"), Decimal("0.00"))


def test_a_staff_member_cannot_approve_their_own_withdrawal(client):
    reviewer = staff("view_withdrawal", "review_withdrawal")
    member, wallet, account = funded_reseller("100.00", user=reviewer)
    own, _ = withdrawal_request(member=member, amount="50.00", payout_account_id=account.pk,
                             idempotency_key="key-00000001")
    client.force_login(reviewer)

    from_list = _action(client, "approve", [own.pk])
    from_page = client.post(reverse("admin:distribution_withdrawal_approve", args=[own.pk]))

    assert any("不能审核或打款自己的提现" in m for m in messages_of(from_list))
    assert "不能审核或打款自己的提现" in page_text(from_page)
    own.refresh_from_db()
    assert (own.state, own.reviewed_by_id) == ("requested", None)
    assert balances(wallet) == (Decimal("50.00"), Decimal("50.00"), Decimal("0.00"))


def test_staff_without_the_review_permission_get_403_and_no_actions(client, queue):
    _, wallet, first, _, approved = queue
    client.force_login(staff("view_withdrawal"))

    listing = client.get(reverse("admin:distribution_withdrawal_changelist"))
    pages = [client.post(reverse(f"admin:distribution_withdrawal_{step}", args=[pk]), data)
             for step, pk, data in (("approve", first.pk, {}), ("reject", first.pk, {"reason": "x"}),
                                    ("paid", approved.pk, {"reference": "R1"}),
                                    ("failed", approved.pk, {"reason": "x"}))]
    _action(client, "approve", [first.pk])

    assert [p.status_code for p in pages] == [403, 403, 403, 403]
    assert 'value="approve"' not in listing.content.decode()
    first.refresh_from_db()
    approved.refresh_from_db()
    assert (first.state, approved.state) == ("requested", "approved")
    assert balances(wallet) == (Decimal("40.00"), Decimal("60.00"), Decimal("0.00"))


def test_the_approver_cannot_record_the_payout_even_as_superuser(admin_client, admin_user, queue):
    _, wallet, first, _, _ = queue
    _action(admin_client, "approve", [first.pk])
    first.refresh_from_db()
    assert (first.state, first.reviewed_by_id) == ("approved", admin_user.pk)

    from_page = admin_client.post(reverse("admin:distribution_withdrawal_paid", args=[first.pk]),
                                  {"reference": "ICBC-1"})
    from_list = admin_client.post(reverse("admin:distribution_withdrawal_changelist") + "?queue=approved",
                                  {"action": "mark_paid", ACTION_CHECKBOX_NAME: [first.pk], "apply": "1",
                                   "reference": "ICBC-1"}, follow=True)

    refused = "打款须由审核人以外的另一位员工登记。"
    assert refused in page_text(from_page)
    assert messages_of(from_list) == [f"{first}: {refused}"]
    first.refresh_from_db()
    assert (first.state, first.paid_by_id, first.payout_reference) == ("approved", None, "")
    assert balances(wallet) == (Decimal("40.00"), Decimal("60.00"), Decimal("0.00"))
    assert not LedgerEntry.objects.filter(withdrawal=first, kind="payout").exists()


def test_a_reviewer_cannot_pay_and_a_cashier_cannot_approve(client, queue):
    _, _, first, _, approved = queue
    client.force_login(staff("view_withdrawal", "review_withdrawal"))
    pay = client.post(reverse("admin:distribution_withdrawal_paid", args=[approved.pk]), {"reference": "R1"})
    client.force_login(staff("view_withdrawal", "pay_withdrawal"))
    review = client.post(reverse("admin:distribution_withdrawal_approve", args=[first.pk]))

    assert (pay.status_code, review.status_code) == (403, 403)


def test_non_staff_are_sent_to_the_admin_login(client, queue):
    _, _, first, _, _ = queue
    client.force_login(UserFactory())

    for url in (reverse("admin:distribution_withdrawal_changelist"),
                reverse("admin:distribution_withdrawal_approve", args=[first.pk]),
                reverse("admin:distribution_wallet_adjust", args=[first.wallet_id]),
                reverse("admin:distribution_payoutaccount_reveal", args=[first.payout_account_id]),
                reverse("admin:distribution_commissionrecord_liability")):
        response = client.post(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url
    first.refresh_from_db()
    assert first.state == "requested"


# --- revealing an account number --------------------------------------------------------------


def test_revealing_an_account_number_needs_a_reason_and_is_logged(client):
    _, _, account = funded_reseller()
    cashier = staff("view_payoutaccount", "pay_withdrawal")
    client.force_login(cashier)
    url = reverse("admin:distribution_payoutaccount_reveal", args=[account.pk])

    form = client.get(url)
    no_reason = client.post(url, {"reason": ""})
    shown = client.post(url, {"reason": "核对打款账号"})

    assert BANK_CARD not in form.content.decode() and BANK_CARD not in no_reason.content.decode()
    assert BANK_CARD in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]
    log = SensitiveAccessLog.objects.get()
    assert (log.staff_id, log.field, log.reason) == (cashier.pk, "account_number", "核对打款账号")
    assert f"#{account.pk}" in log.object_repr and BANK_CARD not in log.object_repr


def test_staff_without_the_pay_permission_cannot_reveal(client):
    _, _, account = funded_reseller()
    client.force_login(staff("view_payoutaccount", "review_withdrawal"))

    response = client.post(reverse("admin:distribution_payoutaccount_reveal", args=[account.pk]),
                           {"reason": "好奇"})

    assert response.status_code == 403
    assert BANK_CARD not in response.content.decode()
    assert not SensitiveAccessLog.objects.exists()


# --- every page renders ---------------------------------------------------------------------------


def test_every_earnings_admin_page_renders_for_a_superuser(admin_client):
    settled = settled_world()
    member, wallet, account = funded_reseller()
    withdrawal, _ = withdrawal_request(member=member, amount="10.00", payout_account_id=account.pk,
                                    idempotency_key="key-00000001")
    level_rate_set(level=settled.world.level, tier=1, rate=Decimal("0.11"), operator=None)
    urls = [reverse(f"admin:distribution_{model}_changelist") for model in (
        "levelrate", "productcommission", "rulechange", "commissionrecord", "wallet", "ledgerentry",
        "withdrawal", "payoutaccount", "sensitiveaccesslog")]
    urls += [reverse("admin:distribution_commissionrules_change", args=[1]),
             reverse("admin:distribution_commissionrecord_change", args=[record(settled.order, 1).pk]),
             reverse("admin:distribution_wallet_change", args=[wallet.pk]),
             reverse("admin:distribution_withdrawal_change", args=[withdrawal.pk]),
             reverse("admin:distribution_payoutaccount_change", args=[account.pk]),
             reverse("admin:distribution_withdrawal_approve", args=[withdrawal.pk]),
             reverse("admin:distribution_wallet_adjust", args=[wallet.pk]),
             reverse("admin:distribution_levelrate_add"), reverse("admin:distribution_productcommission_add")]

    for url in urls:
        assert admin_client.get(url).status_code == 200, url


def test_the_view_permissions_alone_show_every_list(client):
    client.force_login(staff(*VIEW_ALL))

    for model in ("levelrate", "productcommission", "rulechange", "commissionrecord", "wallet", "ledgerentry",
                  "withdrawal", "payoutaccount", "sensitiveaccesslog"):
        assert client.get(reverse(f"admin:distribution_{model}_changelist")).status_code == 200, model
