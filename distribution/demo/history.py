"""Build the demo history through the real services, then date it (see ``backdate``).

Every money row is written by the service that owns it: checkout creates the orders and
the commission snapshot, the sandbox cashier and its signed notice pay them (the payment
service records the payment and the commission records), fulfilment ships and receives,
after-sales and the gateway's refund notice refund (the commission engine recomputes), the
orders sweeps cancel expired orders and close windows, the settlement sweep credits the
wallets, and the withdrawal services hold, approve and pay out. The only other writes are
the dates moved by ``backdate``.

Everything happens in one transaction: the history is there whole or not at all, and its
marker (orders whose client token starts with ``data.MARKER``) says which.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone

from common.money import from_fen, to_fen
from distribution.commission.services.rules import rules_get
from distribution.demo import backdate, data
from distribution.demo.data import AfterSaleStory, Story, Until
from distribution.models import CommissionRecord, Member, Wallet, Withdrawal
from distribution.reseller.services.levels import commissions_settle_and_review_levels
from distribution.wallet.services.payout_accounts import payout_account_create
from distribution.wallet.services.withdrawals import (
    withdrawal_approve,
    withdrawal_mark_paid,
    withdrawal_request,
)
from mall.models import SKU, Product, Shop, User
from orders.models import Address, AfterSaleKind, Order
from orders.payments.registry import get_gateway
from orders.payments.sandbox import notices as sandbox_notices
from orders.payments.sandbox import provider as sandbox_provider
from orders.payments.sandbox.models import SandboxRefund
from orders.services.address import address_create
from orders.services.aftersale import aftersale_approve, aftersale_request
from orders.services.checkout import CheckoutLine, order_create
from orders.services.fulfilment import (
    order_confirm_receipt,
    order_ship,
    orders_cancel_expired,
    orders_close_windows,
)
from orders.services.payment import payment_notice_handle, payment_start
from orders.services.refund import aftersale_refund
from orders.services.refund_after_window import refund_after_window_create

Progress = Callable[[str], None]
PROVIDER = "sandbox"
CLAWBACK_RESELLER = data.XIAOYU  # 小雨
# Progress lines (the command's output, like seed_demo's; not a page).
UNTIL_LABELS = {
    Until.UNPAID: "待付款", Until.EXPIRED: "超时未付，已取消", Until.PAID: "已付款待发货",
    Until.SHIPPED: "已发货", Until.RECEIVED: "已收货（售后期内）", Until.COMPLETED: "已完成，佣金已结算",
}
AFTERSALE_LABELS = {
    AfterSaleStory.PARTIAL_REFUND: "，退款 1 件", AfterSaleStory.FULL_REFUND: "，全额退款后关闭",
    AfterSaleStory.OPEN: "，售后待审核", AfterSaleStory.NONE: "",
}


@dataclass
class HistoryResult:
    created: bool
    orders: Counter = field(default_factory=Counter)  # by final state
    withdrawals: list[Withdrawal] = field(default_factory=list)


def demo_history_exists() -> bool:
    return Order.objects.filter(client_token__startswith=data.MARKER).exists()


def finance_staff_ensure() -> tuple[User, bool]:
    """The second staff account (records payouts), created once; never changed afterwards."""
    user = User.objects.filter(phone=data.FINANCE_PHONE).first()
    if user is not None:
        return user, False
    with transaction.atomic():
        user = User.objects.create_user(data.FINANCE_PHONE, data.FINANCE_PASSWORD, is_staff=True,
                                        nickname=data.FINANCE_NICKNAME, phone_verified_at=timezone.now())
        user.user_permissions.add(*Permission.objects.filter(
            content_type__app_label="distribution", codename__in=data.FINANCE_PERMISSIONS))
    return User.objects.get(pk=user.pk), True


# --- one story ---------------------------------------------------------------------------


def _address(user: User, index: int) -> Address:
    address = Address.objects.filter(user=user, is_default=True).first()
    if address is not None:
        return address
    province, city, district, detail = data.ADDRESSES[index % len(data.ADDRESSES)]
    return address_create(user=user, receiver=user.nickname or "圈子会员", phone=user.phone,
                          province=province, city=city, district=district, detail=detail)


def _shop_skus(shop: Shop) -> list[SKU]:
    """One in-stock SKU per product the shop lists, in the shop's order."""
    skus = (SKU.objects.filter(product__listings__shop=shop, product__status=Product.Status.ON_SHELF,
                               is_active=True, stock__gte=10)
            .order_by("product__listings__sort_order", "product_id", "pk"))
    first: dict[int, SKU] = {}
    for sku in skus:
        first.setdefault(sku.product_id, sku)
    return list(first.values())


def _pay(order: Order) -> None:
    """The shopper pays at the sandbox cashier; the provider's signed notice is applied."""
    payment_start(order=order, provider=PROVIDER, return_url="/")
    merchant = get_gateway(PROVIDER).merchant_id
    trade = sandbox_provider.api_query_trade(mchid=merchant, out_trade_no=order.number)
    trade = sandbox_provider.cashier_pay(token=trade.token)
    headers, body = sandbox_notices.trade_notice_build(trade)
    payment_notice_handle(provider=PROVIDER, headers=headers, body=body)


def _refund(*, order: Order, staff: User, quantity: int, reason: str) -> None:
    """Request → staff approve → refund through the gateway → the gateway's signed notice."""
    item = order.items.order_by("pk").first()
    aftersale = aftersale_request(user=order.user, order_item_id=item.pk, kind=AfterSaleKind.REFUND_ONLY,
                                  quantity=quantity, reason=reason)
    aftersale_approve(aftersale=aftersale, actor=staff)
    refund = aftersale_refund(aftersale=aftersale, actor=staff)
    provider_refund = SandboxRefund.objects.get(out_refund_no=refund.refund_no)
    headers, body = sandbox_notices.refund_notice_build(provider_refund)
    payment_notice_handle(provider=PROVIDER, headers=headers, body=body)


def _tell(story: Story, index: int, *, staff: User) -> Order:
    """Take one story's order as far as it goes through the services, in real time."""
    buyer = User.objects.get(phone=story.buyer)
    shop = Shop.objects.get(owner__phone=story.shop_owner)
    skus = _shop_skus(shop)
    lines = [CheckoutLine(sku_id=skus[pick % len(skus)].pk, quantity=quantity)
             for pick, quantity in story.picks]
    order = order_create(user=buyer, lines=lines, address=_address(buyer, index), shop=shop,
                         client_token=story.client_token)
    if story.until in (Until.UNPAID, Until.EXPIRED):
        return order
    _pay(order)
    if story.aftersale == AfterSaleStory.FULL_REFUND:
        _refund(order=order, staff=staff, quantity=order.items.get().quantity, reason="拍错了规格，不要了")
    if story.until in (Until.SHIPPED, Until.RECEIVED, Until.COMPLETED):
        order_ship(order=order, actor=staff, carrier="顺丰速运", tracking_no=f"SF14{order.pk:09d}")
    if story.until in (Until.RECEIVED, Until.COMPLETED):
        order_confirm_receipt(order=order, actor=buyer)
        if story.aftersale == AfterSaleStory.PARTIAL_REFUND:
            _refund(order=order, staff=staff, quantity=1, reason="多买了一件，退一件")
        elif story.aftersale == AfterSaleStory.OPEN:
            aftersale_request(user=buyer, order_item_id=order.items.order_by("pk").first().pk,
                              kind=AfterSaleKind.REFUND_ONLY, quantity=1, reason="包装破损，申请退款")
    return order


# --- the whole history -------------------------------------------------------------------


def _settle() -> None:
    """What the beat tasks do: close due windows, settle, re-check the levels it paid."""
    orders_cancel_expired()
    orders_close_windows()
    commissions_settle_and_review_levels()


def _settled_before(member: Member, moment: datetime) -> int:
    """Fen settled to ``member`` before ``moment`` (summed in Python: exact on every backend)."""
    amounts = CommissionRecord.objects.filter(beneficiary=member, settled_at__lt=moment).values_list(
        "amount", flat=True)
    return sum(to_fen(amount) for amount in amounts)


def _tens_of_yuan(fen: int, *, share_tenths: int, minimum: int) -> int:
    """``share_tenths``/10 of ``fen``, down to whole ten yuan, and not below ``minimum`` fen."""
    return max(fen * share_tenths // 10 // 1000 * 1000, minimum)


def _withdrawals(*, staff: User, finance: User, now: datetime) -> list[Withdrawal]:
    """小雨 withdraws twice: one paid out weeks ago (approved by ``staff``, paid by
    ``finance``), one requested yesterday and waiting for review."""
    member = Member.objects.get(user__phone=data.XIAOYU)
    spec = data.PAYOUT_ACCOUNT
    account = payout_account_create(member=member, channel=spec["channel"], holder_name=spec["holder_name"],
                                    account=spec["account"], bank_name=spec["bank_name"])
    backdate.payout_account_backdate(account_id=account.pk, added=_at(spec["added"], now))
    minimum = to_fen(rules_get().withdrawal_min_amount)
    paid_spec, waiting_spec = data.PAID_WITHDRAWAL, data.WAITING_WITHDRAWAL
    requested = _at(paid_spec["requested"], now)
    amount = _tens_of_yuan(_settled_before(member, requested), share_tenths=6, minimum=minimum)
    first, _ = withdrawal_request(member=member, amount=from_fen(amount), payout_account_id=account.pk,
                               idempotency_key=paid_spec["key"])
    withdrawal_approve(withdrawal_id=first.pk, operator=staff)
    paid = _at(paid_spec["paid"], now)
    withdrawal_mark_paid(withdrawal_id=first.pk, operator=finance, reference=f"CMB{paid:%Y%m%d}0001")
    backdate.withdrawal_backdate(withdrawal_id=first.pk, requested=requested,
                                 reviewed=_at(paid_spec["reviewed"], now), paid=paid)
    available = to_fen(Wallet.objects.get(member=member).available)
    amount = _tens_of_yuan(available, share_tenths=4, minimum=minimum)
    second, _ = withdrawal_request(member=member, amount=from_fen(amount), payout_account_id=account.pk,
                                idempotency_key=waiting_spec["key"])
    backdate.withdrawal_backdate(withdrawal_id=second.pk, requested=_at(waiting_spec["requested"], now))
    return [Withdrawal.objects.get(pk=first.pk), Withdrawal.objects.get(pk=second.pk)]


def _clawback(*, staff: User) -> CommissionRecord:
    """A staff refund after the window (售后期外退款, goodwill for a late complaint) of one unit
    of 小雨's latest completed order: its settled commission is clawed back from her wallet
    by a reversal entry, through the gateway's refund notice like any refund."""
    record = (CommissionRecord.objects
              .filter(order__client_token__startswith=data.MARKER, state=CommissionRecord.State.SETTLED,
                      tier=1, beneficiary__user__phone=CLAWBACK_RESELLER)
              .select_related("order").order_by("-order__paid_at", "-pk").first())
    refund = refund_after_window_create(order_item_id=record.order_item_id, quantity=1, actor=staff,
                                        reason="售后期外：顾客反馈质量问题，客服补偿退款")
    provider_refund = SandboxRefund.objects.get(out_refund_no=refund.refund_no)
    headers, body = sandbox_notices.refund_notice_build(provider_refund)
    payment_notice_handle(provider=PROVIDER, headers=headers, body=body)
    record.refresh_from_db()
    return record


def _at(days_hour: tuple[int, int], now: datetime) -> datetime:
    days_ago, hour = days_hour
    return min(backdate.local_moment(days_ago=days_ago, hour=hour, now=now), now - timedelta(minutes=1))


def demo_history_build(*, staff: User, finance: User, progress: Progress) -> HistoryResult:
    """The whole history, once: nothing when the marker is already there."""
    if demo_history_exists():
        return HistoryResult(created=False)
    now = timezone.now()
    result = HistoryResult(created=True)
    timelines: dict[int, backdate.Timeline] = {}
    with transaction.atomic():
        for index, story in enumerate(data.STORIES, start=1):
            order = _tell(story, index, staff=staff)
            if story.until != Until.UNPAID:  # the unpaid one is real-time: it waits for payment now
                timelines[order.pk] = backdate.timeline_for(story, now=now)
                backdate.order_backdate(order_id=order.pk, timeline=timelines[order.pk])
            when = f"{story.days_ago} 天前" if story.days_ago else "今天"
            progress(f"[{index}/{len(data.STORIES)}] {when} {order.user.display_name} 在 {order.shop.name} "
                     f"下单 ¥{order.total_amount}: {UNTIL_LABELS[story.until]}"
                     f"{AFTERSALE_LABELS[story.aftersale]}")
        progress("售后期结束的订单: 关闭售后期、结算佣金（与定时任务相同的服务）")
        _settle()
        for order_id, timeline in timelines.items():  # the sweeps' own stamps, onto the timelines
            backdate.order_backdate(order_id=order_id, timeline=timeline)
        result.withdrawals = _withdrawals(staff=staff, finance=finance, now=now)
        progress("小雨的提现: 一笔已打款（运营审核、财务打款），一笔待审核")
        clawed = _clawback(staff=staff)
        progress(f"售后期外退款: 订单 {clawed.order.number} 退 1 件，"
                 f"已结算佣金追回 ¥{clawed.reversed_amount}")
    result.orders = Counter(Order.objects.filter(client_token__startswith=data.MARKER)
                            .values_list("state", flat=True))
    return result

