# ruff: noqa: N803, N806, N815 - the names are those of the worked examples in the docstring
"""A hand-built world for the console's figures; every number the tests expect is worked out
from it by hand (the arithmetic is in the tests' comments).

Day B is 200 days ago (local time), so every cohort window (≤ 180 days) is over.

Resellers (roots, joined B−10, so outside the range):
  mA: level 金牌, shop SA, reseller since B (a new reseller on day B)
  mB: level 银牌, shop SB, reseller since B−10
Members who joined in the range:
  c1: day B under mA, source link      c2: day B under mA, source QR
  c3: day B under mB, source code      c4: day B+1, no inviter (a root; source none)
Orders (local paid times; shop; total; items):
  o1 c1 SA  B   10:00  100.00  X × 2 = 100.00   completed; refund r1 40.00 succeeded B+2
  o3 c2 SB  B   23:30   80.00  X × 1 =  80.00   shipped;   refund r2 failed (never counts)
  o4 c3 SB  B+1 00:30   30.00  Y × 3 =  30.00   paid (to ship)
  o6 c4 SA  B+1 12:00   20.00  Y × 1 =  20.00   received; an after-sale waiting for review
  o2 c1 SA  B+3 09:00   50.00  Y × 1 =  50.00   paid (to ship)
  o5 c2 SA  B+40 09:00  60.00  X × 1 =  60.00   paid (to ship); refund r3 in 退款异常
  o7 c3 SA  never paid 999.00                     pending payment (never counts)
Commission records (current amount; state times):
  k1 o1 → mA  10.00  created B 10:00, still pending
  k2 o3 → mB   8.00  created B 23:30, settled B+2 12:00
  k3 o4 → mB   3.00  created B+1 00:30, cancelled B+1 12:00
Wallets (posted now through the wallet service): mA +25.00, withdrawals w1 7.00 (held, waiting
for review) and w2 3.00 (held, approved: to pay out); mB −5.00 (debt).
One reseller application waiting for review (c1).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from distribution.models import (
    CommissionRecord,
    CommissionState,
    Member,
    PayoutAccount,
    ResellerApplication,
    Withdrawal,
    WithdrawalChannel,
)
from distribution.wallet.services.wallet import wallet_adjust, wallet_for_member, wallet_hold
from mall.models import SKU, Product, Shop, User
from orders.models import AfterSale, Order, OrderItem, OrderState, Refund, RefundState
from tests.distribution.factories import MemberFactory, ResellerLevelFactory
from tests.mall.factories import ShopFactory, SKUFactory, UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)


@dataclass
class World:
    B: datetime.date
    mA: Member
    mB: Member
    SA: Shop
    SB: Shop
    c: dict[str, User]
    X: Product
    Y: Product
    gold: object
    silver: object
    orders: dict[str, Order]

    def day(self, n: int) -> datetime.date:
        return self.B + datetime.timedelta(days=n)


def _member(user: User, *, parent: Member | None, source: str, joined: datetime.datetime, **fields) -> Member:
    member = MemberFactory(user=user, parent=parent, source=source, **fields)
    Member.objects.filter(pk=member.pk).update(joined_at=joined)
    return Member.objects.get(pk=member.pk)


_numbers = iter(range(10_000_000, 99_999_999))


def _order(user: User, shop: Shop, sku: SKU, qty: int, total: str, *, paid: datetime.datetime | None,
           state: str) -> Order:
    total_d = Decimal(total)
    order = Order.objects.create(
        number=f"Q20260101{next(_numbers)}", user=user, shop=shop, state=state, subtotal=total_d,
        shipping_fee=Decimal("0.00"), total_amount=total_d, receiver="王小明", receiver_phone="13800138000",
        province="浙江省", city="杭州市", district="西湖区", address_detail="文三路 1 号",
        payment_deadline=timezone.now(), paid_at=paid)
    OrderItem.objects.create(order=order, sku=sku, product=sku.product, product_title=sku.product.title,
                             unit_price=total_d / qty, cost_price=Decimal("1.00"), quantity=qty,
                             line_amount=total_d, paid_amount=total_d)
    if paid:
        Order.objects.filter(pk=order.pk).update(created_at=paid - datetime.timedelta(minutes=2))
    return order


def _refund(order: Order, amount: str, *, state: str, at_: datetime.datetime | None, no: str) -> Refund:
    item = order.items.get()
    # A staff refund after the window: the kind that needs no after-sale row.
    return Refund.objects.create(order=order, order_item=item, quantity=1, refund_no=no, provider="sandbox",
                                 amount=Decimal(amount), state=state, succeeded_at=at_,
                                 kind=Refund.Kind.AFTER_WINDOW,
                                 reason="fixture")


def _commission(order: Order, beneficiary: Member, amount: str, *, created: datetime.datetime,
                state: str, settled: datetime.datetime | None = None,
                cancelled: datetime.datetime | None = None) -> CommissionRecord:
    item = order.items.get()
    record = CommissionRecord.objects.create(
        order=order, order_item=item, beneficiary=beneficiary, tier=1, base_amount=item.paid_amount,
        rate=Decimal("0.1000"), original_amount=Decimal(amount), amount=Decimal(amount), state=state,
        settled_at=settled, cancelled_at=cancelled)
    CommissionRecord.objects.filter(pk=record.pk).update(created_at=created)
    return record


def _withdrawal(member: Member, amount: str, key: str) -> Withdrawal:
    wallet = wallet_for_member(member=member)
    account = PayoutAccount.objects.create(
        member=member, channel=WithdrawalChannel.BANK, holder_name="张三", bank_name="招商银行",
        account_encrypted="x", account_masked="****1234")
    w = Withdrawal.objects.create(wallet=wallet, amount=Decimal(amount), net_amount=Decimal(amount),
                                  channel=WithdrawalChannel.BANK, payout_account=account, idempotency_key=key)
    with transaction.atomic():
        wallet_hold(withdrawal=w)
    return w


def build_world(B: datetime.date | None = None) -> World:
    B = B or timezone.localdate() - datetime.timedelta(days=200)
    d = lambda n: B + datetime.timedelta(days=n)  # noqa: E731
    gold, silver = ResellerLevelFactory(name="金牌", weight=20), ResellerLevelFactory(name="银牌", weight=10)
    uA, uB = UserFactory(nickname="阿花"), UserFactory(nickname="阿草")
    mA = _member(uA, parent=None, source="", joined=at(d(-10), 9), is_reseller=True, level=gold,
                 reseller_since=at(d(0), 8))
    mB = _member(uB, parent=None, source="", joined=at(d(-10), 9), is_reseller=True, level=silver,
                 reseller_since=at(d(-10), 9))
    SA, SB = ShopFactory(owner=uA, name="阿花的店"), ShopFactory(owner=uB, name="阿草的店")
    c = {name: UserFactory() for name in ("c1", "c2", "c3", "c4")}
    _member(c["c1"], parent=mA, source="link", joined=at(d(0), 9))
    _member(c["c2"], parent=mA, source="qr", joined=at(d(0), 9, 30))
    _member(c["c3"], parent=mB, source="code", joined=at(d(0), 20))
    _member(c["c4"], parent=None, source="", joined=at(d(1), 11))
    x, y = SKUFactory(product__title="商品X"), SKUFactory(product__title="商品Y")
    S = OrderState
    o = {
        "o1": _order(c["c1"], SA, x, 2, "100.00", paid=at(d(0), 10), state=S.COMPLETED),
        "o3": _order(c["c2"], SB, x, 1, "80.00", paid=at(d(0), 23, 30), state=S.SHIPPED),
        "o4": _order(c["c3"], SB, y, 3, "30.00", paid=at(d(1), 0, 30), state=S.PAID),
        "o6": _order(c["c4"], SA, y, 1, "20.00", paid=at(d(1), 12), state=S.RECEIVED),
        "o2": _order(c["c1"], SA, y, 1, "50.00", paid=at(d(3), 9), state=S.PAID),
        "o5": _order(c["c2"], SA, x, 1, "60.00", paid=at(d(40), 9), state=S.PAID),
        "o7": _order(c["c3"], SA, x, 1, "999.00", paid=None, state=S.PENDING_PAYMENT),
    }
    _refund(o["o1"], "40.00", state=RefundState.SUCCEEDED, at_=at(d(2), 15), no="R1")
    _refund(o["o3"], "80.00", state=RefundState.FAILED, at_=None, no="R2")
    _refund(o["o5"], "60.00", state=RefundState.APPLY_FAILED, at_=None, no="R3")
    AfterSale.objects.create(order=o["o6"], order_item=o["o6"].items.get(), user=c["c4"],
                             kind=AfterSale.Kind.REFUND_ONLY, quantity=1, amount=Decimal("20.00"),
                             reason="坏了")
    _commission(o["o1"], mA, "10.00", created=at(d(0), 10), state=CommissionState.PENDING)
    _commission(o["o3"], mB, "8.00", created=at(d(0), 23, 30), state=CommissionState.SETTLED,
                settled=at(d(2), 12))
    _commission(o["o4"], mB, "3.00", created=at(d(1), 0, 30), state=CommissionState.CANCELLED,
                cancelled=at(d(1), 12))
    wallet_adjust(wallet_id=wallet_for_member(member=mA).pk, amount=Decimal("25.00"), operator=None,
                  reason="fixture")
    wallet_adjust(wallet_id=wallet_for_member(member=mB).pk, amount=Decimal("-5.00"), operator=None,
                  reason="fixture")
    _withdrawal(mA, "7.00", "w1")
    Withdrawal.objects.filter(pk=_withdrawal(mA, "3.00", "w2").pk).update(state=Withdrawal.State.APPROVED)
    ResellerApplication.objects.create(member=Member.objects.get(user=c["c1"]), real_name="张三",
                                       contact_phone="13900000000")
    return World(B=B, mA=mA, mB=mB, SA=SA, SB=SB, c=c, X=x.product, Y=y.product, gold=gold, silver=silver,
                 orders=o)
