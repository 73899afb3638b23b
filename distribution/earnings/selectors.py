"""Reads for the reseller's earnings pages and API, and the staff liability figure.

Every member-facing read is filtered by the signed-in member (I7): an id that is not theirs
finds nothing, which the pages and the API turn into a 404. Lists are one query per page
(plus a fixed number of prefetches); the figures are one aggregate query each.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import (
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from common.fields import MoneyField, money_value
from common.money import ZERO
from distribution.commission.errors import CommissionRecordNotFound, MonthInvalid
from distribution.commission.services.rules import rules_get
from distribution.models import (
    CommissionRecord,
    CommissionState,
    LedgerEntry,
    Member,
    PayoutAccount,
    Wallet,
    Withdrawal,
)
from distribution.wallet.errors import PayoutAccountNotFound, WithdrawalNotFound
from mall.models import User
from orders.models import Order, OrderItem

# Years 2000-2099: a month outside them has no records, and year 0 or 9999 would not even make
# a date (or its next month) -- a 400 ``month_invalid``, never a 500.
MONTH_RE = re.compile(r"^(20\d{2})-(0[1-9]|1[0-2])$")
EARNING = (CommissionState.PENDING, CommissionState.SETTLED)
REVERSED = "reversed"  # a filter, not a state: settled records with money clawed back
RECORD_FILTERS = (*CommissionState.values, REVERSED)


# --- who may see earnings ---------------------------------------------------------------


def earnings_member(*, user: User) -> Member | None:
    """The signed-in user's member node with its level, or ``None`` (no query for visitors)."""
    if not user.is_authenticated:
        return None
    return Member.objects.select_related("level").filter(user_id=user.pk).first()


def has_earnings(*, member: Member | None) -> bool:
    """Resellers, and former resellers who still have commission or money with us (a
    revoked reseller keeps what they earned and may still withdraw it)."""
    if member is None:
        return False
    if member.is_reseller:
        return True
    return (Wallet.objects.filter(member_id=member.pk).exists()
            or CommissionRecord.objects.filter(beneficiary_id=member.pk).exists())


# --- the overview ------------------------------------------------------------------------


def local_day_start(now: datetime | None = None) -> datetime:
    local = timezone.localtime(now)
    return timezone.make_aware(datetime.combine(local.date(), time.min))


def _month_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day.replace(day=1), time.min))


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


@dataclass(frozen=True)
class WalletBalances:
    available: Decimal  # may be negative: debt
    held: Decimal
    withdrawn: Decimal

    @property
    def withdrawable(self) -> Decimal:
        return max(self.available, ZERO)

    @property
    def debt(self) -> Decimal:
        return max(-self.available, ZERO)


def wallet_balances(*, member: Member) -> WalletBalances:
    """The cached balances (zero before the first credit: the wallet is created then)."""
    row = Wallet.objects.filter(member_id=member.pk).values_list("available", "held", "withdrawn").first()
    return WalletBalances(*row) if row else WalletBalances(ZERO, ZERO, ZERO)


@dataclass(frozen=True)
class EarningsOverview:
    today: Decimal  # commission on orders paid today (local time), after refunds
    this_month: Decimal
    total: Decimal  # settled + pending, after refunds
    pending: Decimal  # waiting for the after-sales window
    balances: WalletBalances

    @property
    def available(self) -> Decimal:
        return self.balances.withdrawable

    @property
    def held(self) -> Decimal:
        return self.balances.held

    @property
    def withdrawn(self) -> Decimal:
        return self.balances.withdrawn

    @property
    def debt(self) -> Decimal:
        return self.balances.debt


def earnings_overview(*, member: Member, now: datetime | None = None) -> EarningsOverview:
    """Two queries: one aggregate over the member's records, one wallet row."""
    day_start = local_day_start(now)
    earning = Q(state__in=EARNING)
    sums = CommissionRecord.objects.filter(beneficiary_id=member.pk).aggregate(
        total=Sum("amount", filter=earning),
        pending=Sum("amount", filter=Q(state=CommissionState.PENDING)),
        today=Sum("amount", filter=earning & Q(created_at__gte=day_start)),
        month=Sum("amount", filter=earning & Q(created_at__gte=_month_start(timezone.localdate(now)))),
    )
    return EarningsOverview(
        today=sums["today"] or ZERO, this_month=sums["month"] or ZERO, total=sums["total"] or ZERO,
        pending=sums["pending"] or ZERO, balances=wallet_balances(member=member),
    )


# --- commission records ------------------------------------------------------------------


def parse_month(raw: str | None) -> date | None:
    """``"2026-03"`` → ``date(2026, 3, 1)``; empty → ``None``; anything else → ``MonthInvalid``."""
    if not raw:
        return None
    match = MONTH_RE.match(raw.strip())
    if match is None:
        raise MonthInvalid()
    return date(int(match[1]), int(match[2]), 1)


def commission_records(*, member: Member, state: str | None = None,
                       month: date | None = None) -> QuerySet[CommissionRecord]:
    """The member's records, newest first; ``state`` is a record state or ``"reversed"``."""
    qs = CommissionRecord.objects.filter(beneficiary_id=member.pk)
    if state == REVERSED:
        qs = qs.filter(reversed_amount__gt=0)
    elif state:
        qs = qs.filter(state=state)
    if month is not None:
        qs = qs.filter(created_at__gte=_month_start(month), created_at__lt=_month_start(_next_month(month)))
    return qs.select_related("order", "order_item").order_by("-created_at", "-id")


def commission_record_get(*, member: Member, record_id: int) -> CommissionRecord:
    record = (CommissionRecord.objects.select_related("order", "order_item")
              .prefetch_related(Prefetch("ledger_entries", queryset=LedgerEntry.objects.order_by("id")))
              .filter(pk=record_id, beneficiary_id=member.pk).first())
    if record is None:
        raise CommissionRecordNotFound()
    return record


# --- promoted orders ------------------------------------------------------------------------


def promoted_orders(*, member: Member) -> QuerySet[Order]:
    """Paid orders attributed to the member (their shop or their direct shoppers), with the
    member's commission on each (after refunds) as ``my_commission`` and the goods' paid
    amount (subtotal − discount, the commission base; no shipping) as ``goods_amount``."""
    mine = (CommissionRecord.objects.filter(order_id=OuterRef("pk"), beneficiary_id=member.pk)
            .values("order_id").annotate(total=Sum("amount")).values("total"))
    return (Order.objects.filter(attribution__reseller_id=member.pk, paid_at__isnull=False)
            .select_related("user")
            .prefetch_related(Prefetch("items", queryset=OrderItem.objects.order_by("id")))
            .annotate(my_commission=Coalesce(Subquery(mine), money_value(ZERO), output_field=MoneyField()),
                      goods_amount=F("subtotal") - F("discount_amount"))
            .order_by("-paid_at", "-id"))


# --- wallet, withdrawals, payout accounts ---------------------------------------------------


def ledger_entries(*, member: Member) -> QuerySet[LedgerEntry]:
    return (LedgerEntry.objects.filter(wallet__member_id=member.pk)
            .select_related("commission_record__order", "withdrawal").order_by("-id"))


def withdrawals(*, member: Member) -> QuerySet[Withdrawal]:
    return (Withdrawal.objects.filter(wallet__member_id=member.pk).select_related("payout_account")
            .order_by("-id"))


def withdrawal_get(*, member: Member, withdrawal_id: int) -> Withdrawal:
    withdrawal = withdrawals(member=member).filter(pk=withdrawal_id).first()
    if withdrawal is None:
        raise WithdrawalNotFound()
    return withdrawal


def payout_accounts(*, member: Member) -> QuerySet[PayoutAccount]:
    return PayoutAccount.objects.filter(member_id=member.pk).order_by("-id")


def payout_account_get(*, member: Member, account_id: int) -> PayoutAccount:
    account = payout_accounts(member=member).filter(pk=account_id).first()
    if account is None:
        raise PayoutAccountNotFound()
    return account


def allowed_channels() -> list[str]:
    return list(rules_get().withdrawal_channels)


@dataclass(frozen=True)
class WithdrawOptions:
    """What the withdrawal form shows, from the rules and the member's wallet."""

    balances: WalletBalances
    minimum: Decimal
    fee_rate: Decimal
    daily_limit: int
    used_today: int
    channels: list[str] = field(default_factory=list)

    @property
    def available(self) -> Decimal:
        return self.balances.withdrawable

    @property
    def fee_rate_e4(self) -> int:
        """The fee rate in ten-thousandths (0.0060 → 60), for the page's integer fee preview."""
        return int(self.fee_rate * 10000)

    @property
    def remaining_today(self) -> int:
        return max(self.daily_limit - self.used_today, 0)

    @property
    def can_withdraw(self) -> bool:
        return (self.balances.debt == 0 and self.available >= self.minimum and self.remaining_today > 0)


def withdraw_options(*, member: Member) -> WithdrawOptions:
    """Counted the way ``withdrawal_request`` counts: today's requests (local day), rejected
    ones excepted."""
    rules = rules_get()
    used = (Withdrawal.objects.filter(wallet__member_id=member.pk, requested_at__gte=local_day_start())
            .exclude(state=Withdrawal.State.REJECTED).count())
    return WithdrawOptions(balances=wallet_balances(member=member), minimum=rules.withdrawal_min_amount,
                           fee_rate=rules.withdrawal_fee_rate, daily_limit=rules.withdrawal_daily_limit,
                           used_today=used, channels=list(rules.withdrawal_channels))
