"""I8 as a property: random sequences of buys, partial refunds, settlements and withdrawals,
through the real services, leave every stored amount exactly equal to a Decimal model.

Runs on both backends: PostgreSQL in ``make test``, SQLite in the CI money run (where a
float anywhere in a sum, update or check shows up as a fen off, or a refused refund).

The model is written independently of the engine: a unit's share of a line is the paid
amount divided by the quantity and rounded down to the fen, the last unit taking the
remainder; a tier's commission is its rate times what is still paid, rounded down.
"""

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

import pytest
from django.contrib.auth.models import Permission
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from distribution.commission.services.records import commissions_settle_due
from distribution.commission.services.rules import rules_update
from distribution.models import CommissionRecord, Wallet
from distribution.wallet.services.payout_accounts import payout_account_create
from distribution.wallet.services.reconcile import wallets_reconcile
from distribution.wallet.services.wallet import wallet_for_member
from distribution.wallet.services.withdrawals import (
    withdrawal_approve,
    withdrawal_mark_paid,
    withdrawal_reject,
    withdrawal_request,
)
from orders.models import OrderItem
from tests.distribution.commission_world import buy, close_windows, make_world, receive, refund, sku
from tests.mall.factories import UserFactory

pytestmark = pytest.mark.django_db
CENT = Decimal("0.01")
RATES = {1: Decimal("0.10"), 2: Decimal("0.05")}  # tier 1 seller, tier 2 mid; cost 0: no cap binds
BANK_CARD = "6222021234567890128"


@dataclass
class Line:
    item_id: int
    paid: Decimal
    quantity: int
    refunded_units: int = 0
    refunded: Decimal = Decimal("0.00")
    settled: bool = False

    def unit_share(self, unit: int) -> Decimal:
        """What unit number ``unit`` (1-based) paid: an equal share, the last one the rest."""
        share = (self.paid / self.quantity).quantize(CENT, rounding=ROUND_DOWN)
        return self.paid - share * (self.quantity - 1) if unit == self.quantity else share

    def commission(self, tier: int) -> Decimal:
        return ((self.paid - self.refunded) * RATES[tier]).quantize(CENT, rounding=ROUND_DOWN)


@dataclass
class Model:
    lines: list[Line] = field(default_factory=list)
    available: dict[str, Decimal] = field(default_factory=lambda: {"seller": Decimal(0), "mid": Decimal(0)})
    held: Decimal = Decimal("0.00")  # the seller's
    withdrawn: Decimal = Decimal("0.00")
    buyer_sales: Decimal = Decimal("0.00")


ops = st.lists(st.one_of(
    st.tuples(st.just("buy"), st.integers(1, 99_999), st.integers(1, 4)),  # price in fen, quantity
    st.tuples(st.just("refund"), st.integers(0, 9), st.integers(1, 4)),  # which open line, units
    st.tuples(st.just("settle"), st.just(0), st.just(0)),
    st.tuples(st.just("withdraw"), st.integers(1, 100), st.sampled_from(["pay", "reject", "hold"])),
), min_size=1, max_size=8)


def _staff(*perms: str):
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=perms))
    return type(user).objects.get(pk=user.pk)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(steps=ops)
def test_random_refunds_settlements_and_withdrawals_keep_every_amount_exact(steps):
    rules_update(operator=None, withdrawal_daily_limit=20, withdrawal_min_amount=Decimal("0.01"))
    world = make_world(tiers=2)
    reviewer, payer = _staff("review_withdrawal"), _staff("review_withdrawal", "pay_withdrawal")
    account = payout_account_create(member=world.seller, channel="bank", holder_name="王小明",
                                 account=BANK_CARD, bank_name="工商银行")
    model, orders = Model(), []
    for n, (op, a, b) in enumerate(steps):
        open_lines = [i for i, line in enumerate(model.lines)
                      if not line.settled and line.refunded_units < line.quantity]
        if op == "buy":
            order = receive(buy(world.buyer, [(sku(price=str(Decimal(a) / 100), cost="0.00"), b)]))
            item = order.items.get()
            orders.append(order)
            model.lines.append(Line(item_id=item.pk, paid=Decimal(a) / 100 * b, quantity=b))
            model.buyer_sales += Decimal(a) / 100 * b
        elif op == "refund" and open_lines:
            line = model.lines[open_lines[a % len(open_lines)]]
            units = min(b, line.quantity - line.refunded_units)
            refund(orders[model.lines.index(line)], quantity=units)
            amount = sum((line.unit_share(u) for u in range(line.refunded_units + 1,
                                                             line.refunded_units + units + 1)), Decimal(0))
            line.refunded_units += units
            line.refunded += amount
            model.buyer_sales -= amount
        elif op == "settle":
            close_windows()
            commissions_settle_due()
            for line in model.lines:
                if not line.settled:
                    line.settled = True
                    model.available["seller"] += line.commission(1)
                    model.available["mid"] += line.commission(2)
        elif op == "withdraw" and model.available["seller"] > 0:
            amount = max(CENT, (model.available["seller"] * a / 100).quantize(CENT, rounding=ROUND_DOWN))
            withdrawal, _ = withdrawal_request(
                member=world.seller, amount=amount, payout_account_id=account.pk,
                idempotency_key=f"prop-{n:04d}-{account.pk:08d}")
            model.available["seller"] -= amount
            model.held += amount
            if b == "reject":
                withdrawal_reject(withdrawal_id=withdrawal.pk, operator=reviewer, reason="测试驳回")
                model.available["seller"] += amount
                model.held -= amount
            elif b == "pay":
                withdrawal_approve(withdrawal_id=withdrawal.pk, operator=reviewer)
                withdrawal_mark_paid(withdrawal_id=withdrawal.pk, operator=payer, reference="BANK-1")
                model.held -= amount
                model.withdrawn += amount
        _assert_matches(world, model)
    assert wallets_reconcile().ok


def _assert_matches(world, model: Model) -> None:
    for line in model.lines:
        item = OrderItem.objects.get(pk=line.item_id)
        assert (item.refunded_quantity, item.refunded_amount) == (line.refunded_units, line.refunded)
        records = dict(CommissionRecord.objects.filter(order_item_id=line.item_id)
                       .values_list("tier", "amount"))
        assert records == {t: line.commission(t) for t in RATES if line.commission(t) > 0 or t in records}
    seller = Wallet.objects.filter(member=world.seller).first() or wallet_for_member(member=world.seller)
    assert (seller.available, seller.held, seller.withdrawn) == (model.available["seller"], model.held,
                                                                 model.withdrawn)
    mid = Wallet.objects.filter(member=world.mid).first()
    assert (mid.available if mid else Decimal(0)) == model.available["mid"]
    world.buyer.refresh_from_db()
    assert world.buyer.own_paid_sales == model.buyer_sales
