"""``seed_distribution_demo``'s history: after ``make run``'s two seeds the reseller centre,
the wallets and the staff pages show real, consistent figures; reconciliation is clean; a
second run creates nothing."""

import re
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from html import unescape
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from distribution.demo.data import MARKER
from distribution.earnings.selectors import earnings_overview
from distribution.models import CommissionRecord, LedgerEntry, Member, Wallet, Withdrawal
from mall.models import User
from orders.models import OPEN_AFTERSALE_STATES, AfterSale, Order, OrderEvent, OrderItem, Payment, Refund

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _seed() -> str:
    out = StringIO()
    call_command("seed_distribution_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded() -> str:
    call_command("seed_demo", image_size=64, stdout=StringIO())
    return _seed()


def demo_orders():
    return Order.objects.filter(client_token__startswith=MARKER)


def by_testid(response, name: str) -> str:
    match = re.search(rf'data-testid="{name}"[^>]*>(.*?)</', response.content.decode(), flags=re.S)
    return unescape(match[1]).strip()


def _snapshot() -> dict:
    """Every row the history writes, dates included."""
    return {
        "orders": list(Order.objects.order_by("pk").values_list()),
        "items": list(OrderItem.objects.order_by("pk").values_list()),
        "events": list(OrderEvent.objects.order_by("pk").values_list()),
        "payments": list(Payment.objects.order_by("pk").values_list()),
        "aftersales": list(AfterSale.objects.order_by("pk").values_list()),
        "refunds": list(Refund.objects.order_by("pk").values_list()),
        "records": list(CommissionRecord.objects.order_by("pk").values_list()),
        "ledger": list(LedgerEntry.objects.order_by("pk").values_list()),
        "wallets": list(Wallet.objects.order_by("pk").values_list("pk", "available", "held", "withdrawn")),
        "withdrawals": list(Withdrawal.objects.order_by("pk").values_list()),
        "users": list(User.objects.order_by("pk").values_list("pk", "phone", "password", "is_staff")),
    }


def test_the_reseller_sees_available_pending_and_withdrawn_money(seeded, client):
    xiaoyu = Member.objects.get(user__phone="13800000001")

    overview = earnings_overview(member=xiaoyu)
    client.force_login(xiaoyu.user)
    centre = client.get(reverse("distribution:center"))
    earnings = client.get(reverse("earnings:overview"))

    assert (overview.available, overview.pending, overview.held, overview.withdrawn) == (
        Decimal("46.91"), Decimal("60.37"), Decimal("40.00"), Decimal("60.00"))
    assert overview.today == Decimal("11.85")  # the order paid earlier today
    assert [by_testid(centre, f"card-{name}") for name in ("available", "pending", "withdrawn")] == [
        "¥46.91", "¥60.37", "¥60.00"]
    assert [by_testid(earnings, name) for name in ("available", "pending", "held", "withdrawn")] == [
        "¥46.91", "¥60.37", "¥40.00", "¥60.00"]
    # 60.26 before the clawback: the staff refund after the window took back 13.35 (below).
    # The wallet holds exactly what settled: available + held + withdrawn = settled commission.
    settled = sum(CommissionRecord.objects.filter(beneficiary=xiaoyu, state="settled")
                  .values_list("amount", flat=True))
    assert overview.available + overview.held + overview.withdrawn == settled == Decimal("146.91")
    assert "小雨 13800000001: 可提现 ¥46.91  待结算 ¥60.37  提现中 ¥40.00  已提现 ¥60.00" in seeded
    assert "13800000009 / finance123" in seeded


def test_orders_in_every_state_with_refunds_and_an_open_aftersale(seeded):
    orders = demo_orders()
    items = OrderItem.objects.filter(order__in=orders)

    assert Counter(orders.values_list("state", flat=True)) == {
        "pending_payment": 1, "paid": 2, "shipped": 2, "received": 3, "completed": 13, "cancelled": 2}
    partly = items.filter(refunded_quantity__gt=0).exclude(refunded_quantity=1, quantity=1)
    assert sorted(partly.values_list("order__state", "refunded_quantity", "quantity")) == [
        ("completed", 1, 2), ("completed", 1, 3), ("received", 1, 2)]  # the first: after the window
    assert list(items.filter(refunded_quantity=1, quantity=1).values_list("order__state", flat=True)) == [
        "cancelled"]  # refunded in full before shipping: the trade is closed
    assert list(AfterSale.objects.filter(order__in=orders, state__in=OPEN_AFTERSALE_STATES)
                .values_list("state", "order__state")) == [("requested", "received")]
    cancelled_unpaid = orders.get(state="cancelled", paid_at__isnull=True)
    assert cancelled_unpaid.events.filter(kind="cancelled").exists()


def test_commission_pending_settled_and_clawed_back(seeded):
    records = CommissionRecord.objects.all()

    assert Counter(records.values_list("state", flat=True)) == {"settled": 17, "pending": 8, "cancelled": 1}
    clawed_back = records.filter(amount__lt=F("original_amount"))
    assert sorted(clawed_back.values_list("state", "original_amount", "amount")) == [
        ("cancelled", Decimal("5.98"), Decimal("0.00")),
        ("pending", Decimal("11.70"), Decimal("5.85")),
        ("settled", Decimal("26.70"), Decimal("13.35")),  # clawed back after settlement (below)
        ("settled", Decimal("40.05"), Decimal("26.70")),  # reduced by a refund before settling
    ]
    # 售后期外退款 of 1 of 2 units of ¥89.00 at 15 %: 178.00 × 0.15 = 26.70 settled, then
    # 89.00 × 0.15 = 13.35 remains; 26.70 − 13.35 = 13.35 leaves 小雨's wallet as a reversal.
    reversal = LedgerEntry.objects.get(kind="reversal")
    assert (reversal.available_delta, reversal.wallet.member.user.phone) == (Decimal("-13.35"), "13800000001")
    assert records.get(amount=Decimal("13.35"), state="settled").reversed_amount == Decimal("13.35")
    earners = {m.user.phone for m in Member.objects.filter(commission_records__isnull=False)}
    assert earners == {"13800000001", "13800000002", "13800000003", "13700000001"}


def test_one_withdrawal_paid_by_two_people_and_one_waiting(seeded):
    superuser = User.objects.get(phone="13800000000")
    finance = User.objects.get(phone="13800000009")

    paid = Withdrawal.objects.get(state="paid")
    waiting = Withdrawal.objects.get(state="requested")

    assert (paid.amount, paid.reviewed_by_id, paid.paid_by_id) == (Decimal("60.00"), superuser.pk, finance.pk)
    assert paid.requested_at < paid.reviewed_at < paid.paid_at
    assert (waiting.amount, waiting.reviewed_by_id, waiting.wallet_id) == (
        Decimal("40.00"), None, paid.wallet_id)
    assert (finance.is_staff, finance.is_superuser) == (True, False)
    assert finance.check_password("finance123")
    assert finance.has_perm("distribution.pay_withdrawal")
    assert not finance.has_perm("distribution.review_withdrawal")


def test_reconciliation_and_the_tree_check_are_clean(seeded):
    out = StringIO()
    call_command("reconcile_wallets", stdout=out)  # exits 1 on any difference
    call_command("check_referral_tree", stdout=out)  # raises CommandError on drift

    assert "reconcile_wallets: clean — 4 wallets, 26 commission records, 0 problems" in out.getvalue()
    assert "0 problems" in out.getvalue().splitlines()[-1]


def test_the_history_is_dated_over_60_days_and_every_state_is_consistent(seeded):
    now = timezone.now()
    for order in demo_orders().prefetch_related("items", "events"):
        steps = [order.created_at, order.paid_at, order.shipped_at, order.received_at]
        items = list(order.items.all())
        closes = [i.window_closes_at for i in items if i.window_closes_at]
        closed = [i.window_closed_at for i in items if i.window_closed_at]
        present = [s for s in steps + closes[:1] + closed[:1] + [order.completed_at] if s is not None]
        assert present == sorted(present), order.client_token
        assert now - timedelta(days=60) < order.created_at <= now
        assert all(c <= now for c in closed) and all(a <= b for a, b in zip(closes, closed, strict=False))
        if order.state != "pending_payment":  # placed just now, in real time: not back-dated
            assert order.events.get(kind="created").created_at == order.created_at
        if order.cancelled_at:
            assert order.cancelled_at >= order.created_at
    days = {(timezone.localdate(now) - timezone.localdate(o.created_at)).days for o in demo_orders()}
    assert (min(days), max(days)) == (0, 58)
    for record in CommissionRecord.objects.select_related("order", "order_item"):
        assert record.created_at == record.order.paid_at
        if record.settled_at:
            assert record.order_item.window_closed_at < record.settled_at <= now


def test_a_second_run_creates_nothing(seeded):
    first = _snapshot()

    again = _seed()

    assert _snapshot() == first
    assert "演示历史: 已存在，跳过" in again


def test_the_demo_has_a_platform_return_address_so_returns_can_be_approved(seeded):
    from orders.models import ReturnAddress

    default = ReturnAddress.objects.get(is_platform_default=True)

    assert (default.receiver, default.city) == ("圈子售后中心", "杭州市")
    _seed()
    assert ReturnAddress.objects.count() == 1


def test_the_demo_funnel_shows_xiaoyus_shares_and_customers_and_is_built_once(seeded, client):
    from distribution.funnel.selectors import CustomerQuery, member_customers, reseller_funnel
    from distribution.models import ShareConversion, ShareDaily, ShareVisit

    xiaoyu = Member.objects.get(user__phone="13800000001")
    funnel = reseller_funnel(member=xiaoyu, days=30)
    orders = ShareConversion.objects.filter(link__reseller=xiaoyu, kind="order")

    assert "分享效果:" in seeded
    assert funnel.totals.visitors > 300 and funnel.totals.orders == orders.filter(
        day__gte=funnel.since).count() > 0
    assert funnel.totals.commission > 0 and len(funnel.rows) == 9
    assert member_customers(member=xiaoyu, query=CustomerQuery(sort="spend"))[0].spent > 0
    client.force_login(xiaoyu.user)
    assert 'data-testid="funnel-link"' in client.get(reverse("distribution:funnel")).content.decode()
    before = (ShareVisit.objects.count(), ShareDaily.objects.count(), ShareConversion.objects.count())

    assert "分享效果: 已存在，跳过" in _seed()
    assert (ShareVisit.objects.count(), ShareDaily.objects.count(), ShareConversion.objects.count()) == before
