"""Helpers for the reseller, level and team tests."""

from decimal import Decimal

from distribution.models import (
    BindingHistory,
    JoinMode,
    LevelChange,
    Member,
    ResellerApplication,
    ResellerLevel,
    ResellerProgram,
    ResellerStatusChange,
)
from distribution.referral.services.members import member_record_paid_sales
from mall.models import Shop
from tests.distribution.factories import ResellerLevelFactory
from tests.mall.factories import UserFactory


def set_join_mode(mode: str) -> None:
    ResellerProgram(pk=1, join_mode=mode).save()  # save() drops the cached programme


def everyone() -> None:
    set_join_mode(JoinMode.EVERYONE)


def staff_user(**fields):
    return UserFactory(is_staff=True, **fields)


def default_level(name: str = "普通分销员") -> ResellerLevel:
    return ResellerLevelFactory(name=name, weight=1, is_default=True)


def three_levels() -> tuple[ResellerLevel, ResellerLevel, ResellerLevel]:
    """普通 (default, manual), 银牌 (own ≥ 500 and team ≥ 3000), 金牌 (own ≥ 2000, team ≥ 20000,
    settled commission ≥ 500)."""
    basic = default_level()
    silver = ResellerLevelFactory(name="银牌", weight=2, auto_upgrade=True, min_own_sales=Decimal("500"),
                                  min_team_sales=Decimal("3000"))
    gold = ResellerLevelFactory(name="金牌", weight=3, auto_upgrade=True, min_own_sales=Decimal("2000"),
                                min_team_sales=Decimal("20000"), min_settled_commission=Decimal("500"))
    return basic, silver, gold


def sell(member: Member, amount: str) -> None:
    """Paid sales, recorded the way the orders hook records them."""
    member_record_paid_sales(member_id=member.pk, amount=Decimal(amount))


def state() -> tuple:
    """Everything a reseller or level service may write: to assert a refusal changed nothing."""
    return (
        list(Member.objects.order_by("id").values_list()),
        list(ResellerApplication.objects.order_by("id").values_list()),
        BindingHistory.objects.count(),
        LevelChange.objects.count(),
        ResellerStatusChange.objects.count(),
        list(Shop.objects.order_by("id").values_list("id", "owner_id", "name")),
    )
