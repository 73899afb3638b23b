"""The commission engine through real orders: snapshot, records, refunds, settlement."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from distribution.commission.errors import CommissionTiersExceeded
from distribution.commission.services.records import commissions_settle_due
from distribution.commission.services.rules import level_rate_set, rules_get, rules_update
from distribution.models import CommissionPlan, CommissionRecord, CommissionRules, LedgerEntry, Wallet
from distribution.wallet.services.reconcile import wallets_reconcile
from tests.distribution.commission_world import buy, close_windows, make_world, receive, refund, sku

pytestmark = pytest.mark.django_db


def _records(order) -> list[tuple[int, int, Decimal, str]]:
    return list(CommissionRecord.objects.filter(order=order).order_by("tier")
                .values_list("beneficiary_id", "tier", "amount", "state"))


def test_a_paid_order_pays_tier_1_and_tier_2_and_not_tier_3():
    world = make_world(tiers=2)

    order = buy(world.buyer, [(sku("100.00", "40.00"), 1)])

    assert _records(order) == [
        (world.seller.pk, 1, Decimal("10.00"), "pending"),
        (world.mid.pk, 2, Decimal("5.00"), "pending"),
    ]
    assert not CommissionRecord.objects.filter(beneficiary=world.top).exists()  # I6


def test_three_tiers_when_configured():
    world = make_world(tiers=3)

    order = buy(world.buyer, [(sku("100.00", "40.00"), 1)])

    assert [r[1:3] for r in _records(order)] == [(1, Decimal("10.00")), (2, Decimal("5.00")),
                                                 (3, Decimal("2.00"))]


def test_quantity_is_counted_once_not_twice():
    world = make_world()

    order = buy(world.buyer, [(sku("33.33", "20.00"), 3)])  # paid 99.99

    assert [r[2] for r in _records(order)] == [Decimal("9.99"), Decimal("4.99")]


def test_nothing_is_created_for_an_unpaid_order():
    world = make_world()

    order = buy(world.buyer, [(sku(), 1)], paid=False)

    assert _records(order) == []
    assert CommissionPlan.objects.filter(order_item__order=order).count() == 2  # the snapshot


def test_a_tier_whose_member_is_not_an_active_reseller_is_skipped_not_shifted():
    world = make_world(tiers=2)
    type(world.seller).objects.filter(pk=world.seller.pk).update(is_reseller=False)

    order = buy(world.buyer, [(sku("100.00", "40.00"), 1)])

    # Tier 1 (seller) earns nothing; mid stays tier 2 with tier 2's rate; top (tier 3) nothing.
    assert _records(order) == [(world.mid.pk, 2, Decimal("5.00"), "pending")]


def test_later_rule_level_and_binding_changes_never_alter_an_existing_order():
    world = make_world(tiers=2)
    order = buy(world.buyer, [(sku("100.00", "40.00"), 1)], paid=False)

    level_rate_set(level=world.level, tier=1, rate=Decimal("0.20"), operator=None)
    rules_update(operator=None, tiers=3)
    type(world.mid).objects.filter(pk=world.mid.pk).update(is_reseller=False)
    from tests.orders.factories import pay

    pay(order)

    assert [(r[1], r[2]) for r in _records(order)] == [(1, Decimal("10.00")), (2, Decimal("5.00"))]


def test_the_margin_cap_holds():
    world = make_world(tiers=2, rates=("0.30", "0.30", "0"))

    order = buy(world.buyer, [(sku("100.00", "90.00"), 1)])  # margin 10 < 60 raw

    amounts = [r[2] for r in _records(order)]
    assert amounts == [Decimal("5.00"), Decimal("5.00")]
    assert sum(amounts) <= Decimal("10.00")


def test_partial_refund_while_pending_reduces_the_records_hand_computed():
    world = make_world(tiers=2)
    order = receive(buy(world.buyer, [(sku("30.00", "10.00"), 3)]))  # paid 90: 9.00 / 4.50

    refund(order, quantity=1)  # 30.00 back: base 60 → 6.00 / 3.00

    assert [(r[2], r[3]) for r in _records(order)] == [(Decimal("6.00"), "pending"),
                                                       (Decimal("3.00"), "pending")]
    record = CommissionRecord.objects.get(order=order, tier=1)
    assert (record.original_amount, record.reversed_amount) == (Decimal("9.00"), Decimal("0.00"))


def test_full_refund_cancels_every_tier_not_only_tier_1():
    world = make_world(tiers=2)
    order = receive(buy(world.buyer, [(sku("30.00", "10.00"), 2)]))

    refund(order, quantity=2)

    assert [(r[2], r[3]) for r in _records(order)] == [(Decimal("0.00"), "cancelled"),
                                                       (Decimal("0.00"), "cancelled")]
    assert commissions_settle_due().records == 0


def test_settlement_waits_for_the_window_then_credits_once():
    world = make_world(tiers=2)
    receive(buy(world.buyer, [(sku("100.00", "40.00"), 1)]))

    assert commissions_settle_due().records == 0  # window still open
    close_windows()
    first = commissions_settle_due()
    second = commissions_settle_due()

    assert (first.records, first.amount, second.records) == (2, Decimal("15.00"), 0)
    assert Wallet.objects.get(member=world.seller).available == Decimal("10.00")
    assert Wallet.objects.get(member=world.mid).available == Decimal("5.00")
    assert LedgerEntry.objects.filter(kind="commission_credit").count() == 2
    assert wallets_reconcile().ok


def test_refund_after_settlement_reverses_from_the_wallet():
    world = make_world(tiers=2)
    order = receive(buy(world.buyer, [(sku("30.00", "10.00"), 3)]))
    close_windows()
    commissions_settle_due()

    # The window has closed, so a refund now is a staff-side goodwill refund; model it by
    # calling the hook the way orders does, with the item already carrying the refund.
    item = order.items.get()
    type(item).objects.filter(pk=item.pk).update(refunded_quantity=1, refunded_amount=Decimal("30.00"))
    item.refresh_from_db()
    from orders.hooks import hooks

    with transaction.atomic():
        hooks.call("item_refunded", order_item=item, refund_amount=Decimal("30.00"))

    seller_wallet = Wallet.objects.get(member=world.seller)
    assert seller_wallet.available == Decimal("6.00")  # 9.00 credited, 3.00 reversed
    record = CommissionRecord.objects.get(order=order, tier=1)
    assert (record.state, record.amount, record.reversed_amount) == ("settled", Decimal("6.00"),
                                                                     Decimal("3.00"))
    reversal = LedgerEntry.objects.get(kind="reversal", commission_record_id=record.pk)
    assert reversal.available_delta == Decimal("-3.00")
    assert wallets_reconcile().ok


def withdraw_everything(member, amount: Decimal) -> None:
    """A real withdrawal of ``amount``: requested, approved by one staff member, paid by another."""
    from django.contrib.auth.models import Permission

    from distribution.wallet.services.payout_accounts import payout_account_create
    from distribution.wallet.services.withdrawals import (
        withdrawal_approve,
        withdrawal_mark_paid,
        withdrawal_request,
    )
    from tests.mall.factories import UserFactory

    def staff(perm):
        user = UserFactory(is_staff=True)
        user.user_permissions.set(Permission.objects.filter(codename=perm))
        return type(user).objects.get(pk=user.pk)

    account = payout_account_create(member=member, channel="bank", holder_name="王小明",
                                    account="6222021234567890128", bank_name="工商银行")
    withdrawal, _ = withdrawal_request(member=member, amount=amount, payout_account_id=account.pk,
                                    idempotency_key="debt-test-0001")
    withdrawal_approve(withdrawal_id=withdrawal.pk, operator=staff("review_withdrawal"))
    withdrawal_mark_paid(withdrawal_id=withdrawal.pk, operator=staff("pay_withdrawal"), reference="BANK-1")


def test_reversal_after_the_money_was_withdrawn_is_debt():
    from distribution.wallet.services.wallet import wallet_reverse_commission

    world = make_world(tiers=2)
    order = receive(buy(world.buyer, [(sku("100.00", "40.00"), 1)]))
    close_windows()
    commissions_settle_due()
    wallet = Wallet.objects.get(member=world.seller)
    withdraw_everything(world.seller, Decimal("10.00"))  # requested, approved, paid out

    with transaction.atomic():
        record = CommissionRecord.objects.get(order=order, tier=1)
        wallet_reverse_commission(member_id=world.seller.pk, record_id=record.pk, amount=Decimal("4.00"))

    wallet.refresh_from_db()
    assert (wallet.available, wallet.debt, wallet.withdrawn) == (Decimal("-4.00"), Decimal("4.00"),
                                                                  Decimal("10.00"))


def test_a_recruiter_with_100_invitees_and_no_sales_earns_nothing():
    from tests.distribution.factories import MemberFactory

    world = make_world()
    for _ in range(100):
        MemberFactory(parent=world.seller, place=False)

    close_windows()
    commissions_settle_due()

    assert not CommissionRecord.objects.filter(beneficiary=world.seller).exists()
    assert not Wallet.objects.filter(member=world.seller, available__gt=0).exists()
    assert not LedgerEntry.objects.exists()


def test_self_purchase_is_off_by_default_and_pays_tier_1_when_on():
    world = make_world(tiers=2)
    product = sku("100.00", "40.00")

    off = buy(world.seller, [(product, 1)])
    rules_update(operator=None, self_purchase=True)
    on = buy(world.seller, [(product, 1)])

    assert [(r[0], r[1]) for r in _records(off)] == [(world.mid.pk, 1), (world.top.pk, 2)]
    assert [(r[0], r[1]) for r in _records(on)] == [(world.seller.pk, 1), (world.mid.pk, 2)]


@pytest.mark.parametrize("layer", ["service", "model_validation", "database"])
def test_four_tiers_are_refused_at_every_layer(layer):
    from django.core.exceptions import ValidationError

    rules = rules_get()
    if layer == "service":
        with pytest.raises(CommissionTiersExceeded):
            rules_update(operator=None, tiers=4)
    elif layer == "model_validation":  # what the admin form runs
        rules.tiers = 4
        with pytest.raises(ValidationError):
            rules.full_clean()
    else:
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {CommissionRules._meta.db_table} SET tiers = 4")
    assert CommissionRules.objects.get().tiers == 2


def test_a_database_check_refuses_a_fourth_tier_record():
    world = make_world()
    order = buy(world.buyer, [(sku(), 1)])
    record = CommissionRecord.objects.filter(order=order).first()

    with pytest.raises(IntegrityError), transaction.atomic():
        CommissionRecord.objects.filter(pk=record.pk).update(tier=4)
