"""Clawback after settlement, reached through the product: a staff 售后期外退款 in the orders
admin → the sandbox gateway → its signed notice at the notify endpoint → ``item_refunded``
→ commission reversal entries in the ledger → a negative balance (debt) when the money
had already been withdrawn, which blocks further withdrawals.

The other distribution tests drive the ``item_refunded`` hook directly for this path
(``earnings_helpers.refund_after_settlement``); these go through the real staff action.
"""

from decimal import Decimal

import pytest

from distribution.commission.services.records import commissions_settle_due
from distribution.models import CommissionRecord, LedgerEntry, Wallet
from distribution.wallet.errors import WalletInDebt
from distribution.wallet.services.reconcile import wallets_reconcile
from distribution.wallet.services.withdrawals import (
    withdrawal_approve,
    withdrawal_mark_paid,
    withdrawal_request,
)
from orders.models import Refund
from tests.distribution.commission_world import buy, close_windows, make_world, receive, sku
from tests.distribution.earnings_helpers import bank_account, low_minimum, staff
from tests.orders.factories import post_refund_notice

pytestmark = pytest.mark.django_db


def _settled_order_of_three():
    """3 × 30.00 (cost 10.00), received, window closed, settled: seller 9.00, mid 4.50."""
    world = make_world(tiers=2)
    order = receive(buy(world.buyer, [(sku("30.00", "10.00"), 3)]))
    close_windows()
    commissions_settle_due()
    order.refresh_from_db()
    assert order.state == "completed"
    return world, order


def _wallet(member) -> Wallet:
    return Wallet.objects.get(member=member)


def _withdraw_everything(member) -> None:
    """The seller withdraws the whole settled balance, reviewed and paid by two people."""
    low_minimum()
    account = bank_account(member)
    withdrawal, _ = withdrawal_request(member=member, amount=_wallet(member).available,
                                    payout_account_id=account.pk, idempotency_key="key-00000001")
    withdrawal_approve(withdrawal_id=withdrawal.pk, operator=staff("review_withdrawal"))
    withdrawal_mark_paid(withdrawal_id=withdrawal.pk, operator=staff("pay_withdrawal"), reference="BANK-1")


def _staff_refund(client, order, *, quantity: int, reason: str = "银行拒付（chargeback）") -> Refund:
    client.force_login(staff("view_order", "refund_after_window"))
    response = client.post(f"/admin/orders/order/{order.pk}/refund-after-window/",
                           {"order_item": order.items.get().pk, "quantity": quantity, "amount": "",
                            "reason": reason})
    assert response.status_code == 302
    return Refund.objects.get(order=order, state="pending")


def _balances(member) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    wallet = _wallet(member)
    return wallet.available, wallet.held, wallet.withdrawn, wallet.debt


def test_a_staff_refund_after_settlement_reverses_the_settled_commission_in_the_ledger(client):
    world, order = _settled_order_of_three()
    assert _balances(world.seller)[0] == Decimal("9.00")
    assert _balances(world.mid)[0] == Decimal("4.50")

    refund = _staff_refund(client, order, quantity=1)
    assert not LedgerEntry.objects.filter(kind="reversal").exists()  # nothing before the gateway's word
    ack = post_refund_notice(client, refund)

    assert ack.status_code == 204
    refund.refresh_from_db()
    assert (refund.state, refund.amount) == ("succeeded", Decimal("30.00"))
    tier1 = CommissionRecord.objects.get(order=order, tier=1)
    tier2 = CommissionRecord.objects.get(order=order, tier=2)
    assert (tier1.state, tier1.amount, tier1.reversed_amount) == ("settled", Decimal("6.00"), Decimal("3.00"))
    assert (tier2.state, tier2.amount, tier2.reversed_amount) == ("settled", Decimal("3.00"), Decimal("1.50"))
    reversals = LedgerEntry.objects.filter(kind="reversal").order_by("commission_record__tier")
    assert [(e.wallet.member_id, e.commission_record_id, e.available_delta) for e in reversals] == [
        (world.seller.pk, tier1.pk, Decimal("-3.00")),
        (world.mid.pk, tier2.pk, Decimal("-1.50")),
    ]
    assert _balances(world.seller) == (Decimal("6.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))
    assert _balances(world.mid) == (Decimal("3.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))
    assert wallets_reconcile().ok
    # A redelivered notice changes nothing twice.
    assert post_refund_notice(client, refund).status_code == 204
    assert LedgerEntry.objects.filter(kind="reversal").count() == 2


def test_money_already_withdrawn_becomes_debt_that_blocks_withdrawals(client):
    world, order = _settled_order_of_three()
    _withdraw_everything(world.seller)
    assert _balances(world.seller) == (Decimal("0.00"), Decimal("0.00"), Decimal("9.00"), Decimal("0.00"))

    refund = _staff_refund(client, order, quantity=3, reason="整单拒付")
    post_refund_notice(client, refund)

    assert _balances(world.seller) == (Decimal("-9.00"), Decimal("0.00"), Decimal("9.00"), Decimal("9.00"))
    assert _balances(world.mid) == (Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))
    entry = LedgerEntry.objects.get(kind="reversal", wallet__member=world.seller)
    assert (entry.available_delta, entry.available_after) == (Decimal("-9.00"), Decimal("-9.00"))
    assert CommissionRecord.objects.get(order=order, tier=1).reversed_amount == Decimal("9.00")
    assert wallets_reconcile().ok
    account = bank_account(world.seller)
    with pytest.raises(WalletInDebt):
        withdrawal_request(member=world.seller, amount="1.00", payout_account_id=account.pk,
                           idempotency_key="key-00000002")
    assert _balances(world.seller) == (Decimal("-9.00"), Decimal("0.00"), Decimal("9.00"), Decimal("9.00"))
