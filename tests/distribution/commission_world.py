"""A small referral world for commission tests, built through the real services:

    top (reseller, tier 3 of buyer)
     └─ mid (reseller, tier 2)
         └─ seller (reseller, tier 1)
             └─ buyer (shopper)

Level "金牌": tier 1 10 %, tier 2 5 %, tier 3 2 %.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from distribution.commission.services.rules import level_rate_set, rules_update
from distribution.models import Member, ResellerLevel
from mall.models import SKU
from orders.models import Address, Order
from orders.payments.sandbox import notices as sandbox_notices
from orders.payments.sandbox.models import SandboxRefund
from orders.services.aftersale import aftersale_approve, aftersale_request
from orders.services.fulfilment import order_confirm_receipt, order_ship, orders_close_windows
from orders.services.payment import payment_notice_handle
from orders.services.refund import aftersale_refund
from tests.distribution.factories import MemberFactory, ResellerLevelFactory
from tests.mall.factories import SKUFactory
from tests.orders.factories import pay, place_order


@dataclass
class World:
    level: ResellerLevel
    top: Member
    mid: Member
    seller: Member
    buyer: Member


def make_world(*, tiers: int = 2, rates: tuple[str, str, str] = ("0.10", "0.05", "0.02"),
               level_name: str = "金牌") -> World:
    level = ResellerLevelFactory(name=level_name)
    for tier, rate in enumerate(rates, start=1):
        level_rate_set(level=level, tier=tier, rate=Decimal(rate), operator=None)
    rules_update(operator=None, tiers=tiers)
    top = MemberFactory(is_reseller=True, level=level)
    mid = MemberFactory(parent=top, is_reseller=True, level=level)
    seller = MemberFactory(parent=mid, is_reseller=True, level=level)
    buyer = MemberFactory(parent=seller)
    return World(level=level, top=top, mid=mid, seller=seller, buyer=buyer)


def sku(price: str = "100.00", cost: str = "40.00", stock: int = 100) -> SKU:
    return SKUFactory(price=Decimal(price), cost_price=Decimal(cost), stock=stock)


def buy(member: Member, lines: list[tuple[SKU, int]], *, paid: bool = True) -> Order:
    address = Address.objects.filter(user=member.user).first()
    order = place_order(user=member.user, lines=lines, address=address)
    return pay(order) if paid else order


def receive(order: Order) -> Order:
    order_ship(order=order, actor=None, carrier="顺丰", tracking_no="SF100")
    order_confirm_receipt(order=order, actor=order.user)
    order.refresh_from_db()
    return order


def close_windows() -> int:
    return orders_close_windows(now=timezone.now() + timedelta(days=30))


def refund(order: Order, *, quantity: int, item_index: int = 0) -> None:
    """Refund ``quantity`` units of one item through after-sales and the gateway's notice."""
    item = list(order.items.order_by("pk"))[item_index]
    aftersale = aftersale_request(user=order.user, order_item_id=item.pk, kind="refund_only",
                                  quantity=quantity, reason="不想要了", amount=None)
    aftersale_approve(aftersale=aftersale, actor=None)
    refund_row = aftersale_refund(aftersale=aftersale, actor=None)
    provider_refund = SandboxRefund.objects.get(out_refund_no=refund_row.refund_no)
    headers, body = sandbox_notices.refund_notice_build(provider_refund)
    payment_notice_handle(provider="sandbox", headers=headers, body=body)
