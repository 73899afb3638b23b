"""Builders shared by the earnings page, API, admin and browser tests.

Money gets into wallets only the real ways: paid orders whose records settle through the
sweep (``commission_world``), or a staff adjustment through ``wallet_adjust``.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Permission
from django.db import transaction

from distribution.commission.services.records import commissions_settle_due
from distribution.commission.services.rules import rules_update
from distribution.models import CommissionRecord, Member, PayoutAccount, Wallet
from distribution.wallet.services.payout_accounts import payout_account_create
from distribution.wallet.services.wallet import wallet_adjust, wallet_for_member
from mall.models import User
from orders.hooks import hooks as order_hooks
from orders.models import Order
from tests.distribution.commission_world import World, buy, close_windows, make_world, receive, sku
from tests.distribution.factories import MemberFactory
from tests.mall.factories import UserFactory

BANK_CARD = "6222021234567890128"  # passes the Luhn check
OTHER_CARD = "6222020000000000000"  # passes the Luhn check too


@dataclass
class Settled:
    world: World
    order: Order  # 100.00 (cost 40.00), received, window closed, settled: seller 10.00, mid 5.00


def settled_world() -> Settled:
    world = make_world(tiers=2)
    order = receive(buy(world.buyer, [(sku("100.00", "40.00"), 1)]))
    close_windows()
    commissions_settle_due()
    return Settled(world=world, order=order)


def refund_after_settlement(order: Order, *, quantity: int, amount: str) -> None:
    """A goodwill refund after the window closed, modelled at the hook (as
    ``test_commission_engine`` does): the item carries the refund, then the orders hook fires
    the clawback. The product path (staff 售后期外退款 → gateway → notice) is tested end to
    end in ``test_refund_after_window``."""
    item = order.items.get()
    type(item).objects.filter(pk=item.pk).update(refunded_quantity=quantity,
                                                 refunded_amount=Decimal(amount))
    item.refresh_from_db()
    with transaction.atomic():
        order_hooks.call("item_refunded", order_item=item, refund_amount=Decimal(amount))


def funded_reseller(amount: str = "100.00", **fields: object) -> tuple[Member, Wallet, PayoutAccount]:
    member = MemberFactory(is_reseller=True, **fields)
    wallet = wallet_for_member(member=member)
    wallet_adjust(wallet_id=wallet.pk, amount=Decimal(amount), operator=None, reason="测试入账")
    account = payout_account_create(member=member, channel="bank", holder_name="王小明", account=BANK_CARD,
                                 bank_name="工商银行")
    return member, wallet, account


def bank_account(member: Member, number: str = BANK_CARD) -> PayoutAccount:
    return payout_account_create(member=member, channel="bank", holder_name="王小明", account=number,
                              bank_name="工商银行")


def low_minimum() -> None:
    rules_update(operator=None, withdrawal_min_amount=Decimal("1.00"))


def staff(*perms: str, **fields: object) -> User:
    user = UserFactory(is_staff=True, **fields)
    user.user_permissions.set(Permission.objects.filter(codename__in=perms))
    return User.objects.get(pk=user.pk)  # fresh permission cache


def balances(wallet: Wallet) -> tuple[Decimal, Decimal, Decimal]:
    wallet.refresh_from_db()
    return wallet.available, wallet.held, wallet.withdrawn


def record(order: Order, tier: int) -> CommissionRecord:
    return CommissionRecord.objects.get(order=order, tier=tier)
