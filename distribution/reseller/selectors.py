"""Reads for the reseller centre: the team card, the sales figures that level conditions
look at (sales only, never headcount), level progress, the latest application."""

from dataclasses import dataclass
from decimal import Decimal

from distribution.commission.services.records import member_settled_commission
from distribution.models import Member, ResellerApplication, ResellerLevel
from distribution.referral.selectors import team_figures, team_paid_sales


@dataclass(frozen=True)
class TeamSummary:
    size: int  # every descendant (placed; fresh within the placement bound)
    paid_sales: Decimal  # their own paid sales, summed (the member's own are not included)
    direct_count: int  # tier 1: direct downlines, pending ones included
    tier2_count: int  # tier 2: downlines of direct downlines, pending ones included


def team_summary(*, member: Member) -> TeamSummary:
    """The team card: one range query (size, sales) and two index lookups on (parent_id, id).

    The tier-2 count is one query: a join of the member table with itself on the parent.
    """
    figures = team_figures(member=member)
    return TeamSummary(
        size=figures.size,
        paid_sales=figures.paid_sales,
        direct_count=Member.objects.filter(parent_id=member.pk).count(),
        tier2_count=Member.objects.filter(parent__parent_id=member.pk).count(),
    )


@dataclass(frozen=True)
class SalesFigures:
    """What level conditions look at: sales only, never headcount."""

    own_sales: Decimal
    team_sales: Decimal
    settled_commission: Decimal


def member_sales_figures(*, member: Member) -> SalesFigures:
    return SalesFigures(
        own_sales=member.own_paid_sales,
        team_sales=team_paid_sales(member=member),
        settled_commission=member_settled_commission(member_id=member.pk),
    )


@dataclass(frozen=True)
class ConditionProgress:
    key: str  # "own_sales" | "team_sales" | "settled_commission"
    required: Decimal
    current: Decimal

    @property
    def met(self) -> bool:
        return self.current >= self.required

    @property
    def percent(self) -> int:
        if self.required <= 0 or self.current >= self.required:
            return 100
        return max(0, int(self.current * 100 / self.required))


CONDITION_FIELDS = (("own_sales", "min_own_sales"), ("team_sales", "min_team_sales"),
                    ("settled_commission", "min_settled_commission"))


@dataclass(frozen=True)
class LevelProgress:
    current: ResellerLevel | None
    next_level: ResellerLevel | None  # the next level reached automatically, if any
    conditions: list[ConditionProgress]  # the next level's conditions that are above zero
    levels: list[ResellerLevel]  # every level, lowest first


def level_progress(*, member: Member, figures: SalesFigures) -> LevelProgress:
    levels = list(ResellerLevel.objects.order_by("weight"))
    current = next((lv for lv in levels if lv.pk == member.level_id), None)
    floor = current.weight if current is not None else -1
    next_level = next((lv for lv in levels if lv.auto_upgrade and lv.weight > floor), None)
    conditions = []
    if next_level is not None:
        conditions = [ConditionProgress(key=key, required=getattr(next_level, field),
                                        current=getattr(figures, key))
                      for key, field in CONDITION_FIELDS if getattr(next_level, field) > 0]
    return LevelProgress(current=current, next_level=next_level, conditions=conditions, levels=levels)


def reseller_application_latest(*, member: Member) -> ResellerApplication | None:
    return ResellerApplication.objects.filter(member_id=member.pk).order_by("-id").first()
