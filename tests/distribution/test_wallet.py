"""Wallet ledger (I4) and withdrawals: holds, idempotency, review, payout, debt."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import IntegrityError, transaction

from distribution.commission.services.rules import rules_update
from distribution.models import LedgerEntry, PayoutAccount, Wallet, Withdrawal
from distribution.wallet.errors import (
    AdjustmentInvalid,
    IdempotencyKeyReused,
    InsufficientBalance,
    PayoutAccountInvalid,
    PayoutByReviewerRefused,
    SelfApprovalRefused,
    WalletInDebt,
    WithdrawalBelowMinimum,
    WithdrawalChannelNotAllowed,
    WithdrawalDailyLimit,
    WithdrawalReviewForbidden,
    WithdrawalStateInvalid,
)
from distribution.wallet.services.payout_accounts import payout_account_create
from distribution.wallet.services.reconcile import wallets_reconcile
from distribution.wallet.services.wallet import wallet_adjust, wallet_for_member
from distribution.wallet.services.withdrawals import (
    withdrawal_approve,
    withdrawal_mark_failed,
    withdrawal_mark_paid,
    withdrawal_reject,
    withdrawal_request,
)
from tests.distribution.factories import MemberFactory
from tests.mall.factories import UserFactory

pytestmark = pytest.mark.django_db
BANK_CARD = "6222021234567890128"  # passes the Luhn check


def funded_member(amount: str = "100.00"):
    member = MemberFactory(is_reseller=True)
    wallet = wallet_for_member(member=member)
    wallet_adjust(wallet_id=wallet.pk, amount=Decimal(amount), operator=None, reason="测试入账")
    account = payout_account_create(member=member, channel="bank", holder_name="王小明", account=BANK_CARD,
                                 bank_name="工商银行")
    return member, wallet, account


def staff(*perms: str):
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=perms))
    return type(user).objects.get(pk=user.pk)  # fresh permission cache


def _balances(wallet: Wallet) -> tuple[Decimal, Decimal, Decimal]:
    wallet.refresh_from_db()
    return wallet.available, wallet.held, wallet.withdrawn


def test_ledger_entries_cannot_be_updated_or_deleted_by_the_database():
    _, wallet, _ = funded_member()
    entry = LedgerEntry.objects.get(wallet=wallet)

    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(available_delta=Decimal("999.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).delete()

    assert LedgerEntry.objects.get(pk=entry.pk).available_delta == Decimal("100.00")
    assert LedgerEntry.objects.count() == 1


def test_a_request_holds_the_amount_at_once():
    member, wallet, account = funded_member("100.00")

    withdrawal, _ = withdrawal_request(member=member, amount="60.00", payout_account_id=account.pk,
                                    idempotency_key="key-00000001")

    assert withdrawal.state == "requested"
    assert _balances(wallet) == (Decimal("40.00"), Decimal("60.00"), Decimal("0.00"))
    assert wallets_reconcile().ok


def test_the_same_key_returns_the_first_withdrawal():
    member, wallet, account = funded_member("100.00")
    first, _ = withdrawal_request(member=member, amount="30.00", payout_account_id=account.pk,
                               idempotency_key="key-00000001")

    again, _ = withdrawal_request(member=member, amount="30.00", payout_account_id=account.pk,
                               idempotency_key="key-00000001")

    assert again.pk == first.pk
    assert _balances(wallet) == (Decimal("70.00"), Decimal("30.00"), Decimal("0.00"))
    assert Withdrawal.objects.count() == 1


def test_the_same_key_with_another_amount_is_refused():
    member, wallet, account = funded_member("100.00")
    withdrawal_request(member=member, amount="30.00", payout_account_id=account.pk,
                       idempotency_key="key-00000001")

    with pytest.raises(IdempotencyKeyReused):
        withdrawal_request(member=member, amount="31.00", payout_account_id=account.pk,
                           idempotency_key="key-00000001")

    assert _balances(wallet) == (Decimal("70.00"), Decimal("30.00"), Decimal("0.00"))


def test_keys_belong_to_one_wallet():
    first, _, first_account = funded_member("100.00")
    second, second_wallet, second_account = funded_member("100.00")
    withdrawal_request(member=first, amount="30.00", payout_account_id=first_account.pk,
                       idempotency_key="key-00000001")

    other, _ = withdrawal_request(member=second, amount="30.00", payout_account_id=second_account.pk,
                               idempotency_key="key-00000001")

    assert other.wallet_id == second_wallet.pk
    assert Withdrawal.objects.count() == 2


@pytest.mark.parametrize(("amount", "error"), [
    ("100.01", InsufficientBalance), ("5.00", WithdrawalBelowMinimum),
])
def test_bad_amounts_are_refused_and_hold_nothing(amount, error):
    member, wallet, account = funded_member("100.00")

    with pytest.raises(error):
        withdrawal_request(member=member, amount=amount, payout_account_id=account.pk,
                           idempotency_key="key-00000001")

    assert _balances(wallet) == (Decimal("100.00"), Decimal("0.00"), Decimal("0.00"))
    assert not Withdrawal.objects.exists()


def test_another_members_payout_account_is_refused():
    member, _, _ = funded_member()
    _, _, other_account = funded_member()

    with pytest.raises(PayoutAccountInvalid):
        withdrawal_request(member=member, amount="20.00", payout_account_id=other_account.pk,
                           idempotency_key="key-00000001")


def test_debt_blocks_withdrawals():
    member, wallet, account = funded_member("10.00")
    staff_user = staff("change_wallet")
    wallet_adjust(wallet_id=wallet.pk, amount=Decimal("-25.00"), operator=staff_user, reason="退款追回")

    with pytest.raises(WalletInDebt):
        withdrawal_request(member=member, amount="10.00", payout_account_id=account.pk,
                           idempotency_key="key-00000001")
    wallet.refresh_from_db()
    assert (wallet.available, wallet.debt) == (Decimal("-15.00"), Decimal("15.00"))


def test_the_daily_count_limit():
    member, _, account = funded_member("100.00")
    rules_update(operator=None, withdrawal_daily_limit=2)
    for n in range(2):
        withdrawal_request(member=member, amount="10.00", payout_account_id=account.pk,
                           idempotency_key=f"key-0000000{n}")

    with pytest.raises(WithdrawalDailyLimit):
        withdrawal_request(member=member, amount="10.00", payout_account_id=account.pk,
                           idempotency_key="key-00000009")


def test_fee_is_taken_from_the_payout():
    member, _, account = funded_member("100.00")
    rules_update(operator=None, withdrawal_fee_rate=Decimal("0.006"))

    withdrawal, _ = withdrawal_request(member=member, amount="50.00", payout_account_id=account.pk,
                                    idempotency_key="key-00000001")

    assert (withdrawal.fee, withdrawal.net_amount) == (Decimal("0.30"), Decimal("49.70"))


def test_approve_then_pay_moves_held_to_withdrawn_once():
    member, wallet, account = funded_member("100.00")
    withdrawal, _ = withdrawal_request(member=member, amount="60.00", payout_account_id=account.pk,
                                    idempotency_key="key-00000001")
    reviewer, cashier = staff("review_withdrawal"), staff("pay_withdrawal")

    withdrawal_approve(withdrawal_id=withdrawal.pk, operator=reviewer)
    with pytest.raises(WithdrawalStateInvalid):
        withdrawal_approve(withdrawal_id=withdrawal.pk, operator=reviewer)
    withdrawal_mark_paid(withdrawal_id=withdrawal.pk, operator=cashier, reference="BANK-2026-0001")
    with pytest.raises(WithdrawalStateInvalid):
        withdrawal_mark_paid(withdrawal_id=withdrawal.pk, operator=cashier, reference="BANK-2026-0002")

    withdrawal.refresh_from_db()
    assert (withdrawal.state, withdrawal.payout_reference) == ("paid", "BANK-2026-0001")
    assert _balances(wallet) == (Decimal("40.00"), Decimal("0.00"), Decimal("60.00"))
    assert LedgerEntry.objects.filter(kind="payout").count() == 1
    assert wallets_reconcile().ok


def test_reject_and_failure_release_the_hold():
    member, wallet, account = funded_member("100.00")
    reviewer, cashier = staff("review_withdrawal"), staff("pay_withdrawal")
    rejected, _ = withdrawal_request(member=member, amount="30.00", payout_account_id=account.pk,
                                  idempotency_key="key-00000001")
    failed, _ = withdrawal_request(member=member, amount="20.00", payout_account_id=account.pk,
                                idempotency_key="key-00000002")

    withdrawal_reject(withdrawal_id=rejected.pk, operator=reviewer, reason="账户信息有误")
    withdrawal_approve(withdrawal_id=failed.pk, operator=reviewer)
    withdrawal_mark_failed(withdrawal_id=failed.pk, operator=cashier, reason="银行退票")

    assert _balances(wallet) == (Decimal("100.00"), Decimal("0.00"), Decimal("0.00"))
    assert wallets_reconcile().ok


@pytest.mark.parametrize("superuser", [False, True], ids=["both-permissions", "superuser"])
def test_the_approver_can_never_record_the_payout(superuser):
    member, wallet, account = funded_member("100.00")
    withdrawal, _ = withdrawal_request(member=member, amount="60.00", payout_account_id=account.pk,
                                    idempotency_key="key-00000001")
    both = UserFactory(is_staff=True, is_superuser=True) if superuser else staff("review_withdrawal",
                                                                                  "pay_withdrawal")
    withdrawal_approve(withdrawal_id=withdrawal.pk, operator=both)
    entries_before = list(LedgerEntry.objects.order_by("pk").values_list("pk", flat=True))

    with pytest.raises(PayoutByReviewerRefused) as refused:
        withdrawal_mark_paid(withdrawal_id=withdrawal.pk, operator=both, reference="BANK-2026-0001")
    with pytest.raises(PayoutByReviewerRefused):
        withdrawal_mark_failed(withdrawal_id=withdrawal.pk, operator=both, reason="银行退票")

    assert refused.value.code == "payout_by_reviewer_refused"
    withdrawal.refresh_from_db()
    assert (withdrawal.state, withdrawal.reviewed_by_id) == ("approved", both.pk)
    assert (withdrawal.paid_by_id, withdrawal.paid_at, withdrawal.payout_reference) == (None, None, "")
    assert list(LedgerEntry.objects.order_by("pk").values_list("pk", flat=True)) == entries_before
    assert _balances(wallet) == (Decimal("40.00"), Decimal("60.00"), Decimal("0.00"))
    # A second person records it.
    withdrawal_mark_paid(withdrawal_id=withdrawal.pk, operator=staff("pay_withdrawal"), reference="BANK-1")
    assert _balances(wallet) == (Decimal("40.00"), Decimal("0.00"), Decimal("60.00"))


def test_the_database_refuses_a_payout_recorded_by_the_approver():
    member, _, account = funded_member("100.00")
    withdrawal, _ = withdrawal_request(member=member, amount="60.00", payout_account_id=account.pk,
                                    idempotency_key="key-00000001")
    reviewer, cashier = staff("review_withdrawal"), staff("pay_withdrawal")
    withdrawal_approve(withdrawal_id=withdrawal.pk, operator=reviewer)
    withdrawal_mark_paid(withdrawal_id=withdrawal.pk, operator=cashier, reference="BANK-1")

    with pytest.raises(IntegrityError), transaction.atomic():
        Withdrawal.objects.filter(pk=withdrawal.pk).update(paid_by=reviewer)

    withdrawal.refresh_from_db()
    assert (withdrawal.reviewed_by_id, withdrawal.paid_by_id) == (reviewer.pk, cashier.pk)


def test_review_needs_the_permission_and_never_ones_own():
    member, wallet, account = funded_member("100.00")
    withdrawal, _ = withdrawal_request(member=member, amount="30.00", payout_account_id=account.pk,
                                    idempotency_key="key-00000001")
    plain_staff = staff()
    member.user.is_staff = True
    member.user.save(update_fields=["is_staff"])
    member.user.user_permissions.set(Permission.objects.filter(codename="review_withdrawal"))
    own = type(member.user).objects.get(pk=member.user.pk)

    with pytest.raises(WithdrawalReviewForbidden):
        withdrawal_approve(withdrawal_id=withdrawal.pk, operator=plain_staff)
    with pytest.raises(WithdrawalReviewForbidden):
        withdrawal_approve(withdrawal_id=withdrawal.pk, operator=UserFactory())
    with pytest.raises(SelfApprovalRefused):
        withdrawal_approve(withdrawal_id=withdrawal.pk, operator=own)

    withdrawal.refresh_from_db()
    assert withdrawal.state == "requested"
    assert _balances(wallet) == (Decimal("70.00"), Decimal("30.00"), Decimal("0.00"))


def test_payout_accounts_are_stored_encrypted_and_shown_masked():
    _, _, account = funded_member()

    stored = PayoutAccount.objects.get(pk=account.pk)

    assert BANK_CARD not in stored.account_encrypted
    assert stored.account_masked == "6222 **** **** 0128"
    assert stored.reveal() == BANK_CARD


@pytest.mark.parametrize(("channel", "account", "bank", "error"), [
    ("bank", "6222021234567890123", "工商银行", PayoutAccountInvalid),  # fails Luhn
    ("bank", BANK_CARD, "", PayoutAccountInvalid),
    ("alipay", "not-a-phone", "", PayoutAccountInvalid),
    ("paypal", "someone@example.com", "", WithdrawalChannelNotAllowed),
])
def test_bad_payout_accounts_are_refused(channel, account, bank, error):
    member = MemberFactory()

    with pytest.raises(error):
        payout_account_create(member=member, channel=channel, holder_name="王小明", account=account,
                              bank_name=bank)
    assert not PayoutAccount.objects.exists()


def test_adjustments_need_a_reason():
    _, wallet, _ = funded_member()

    with pytest.raises(AdjustmentInvalid):
        wallet_adjust(wallet_id=wallet.pk, amount=Decimal("5.00"), operator=staff(), reason="  ")
    assert _balances(wallet)[0] == Decimal("100.00")


def test_reconcile_command_exits_non_zero_on_a_tampered_balance(capsys):
    _, wallet, _ = funded_member("100.00")
    call_command("reconcile_wallets")
    Wallet.objects.filter(pk=wallet.pk).update(available=Decimal("150.00"))

    with pytest.raises(SystemExit) as exit_info:
        call_command("reconcile_wallets")

    assert exit_info.value.code == 1
    assert f"wallet {wallet.pk}" in capsys.readouterr().out
