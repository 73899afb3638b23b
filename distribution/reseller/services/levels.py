"""Reseller levels (分销等级): automatic upgrades on sales, staff changes, level settings.

Automatic upgrade (``member_evaluate_level``) looks at three figures only — the member's
own paid sales, their team's paid sales and their settled commission — never at how many
people they invited (禁止传销条例 art. 7; ``ResellerLevel`` has no headcount field). It
moves a reseller to the highest ``auto_upgrade`` level above their current one whose
conditions all hold, and never downgrades; only staff move a member down
(``member_set_level``, with a reason). Every change is a ``LevelChange`` row with the
figures it was decided on.

The settlement sweep (``commissions_settle_and_review_levels``, what the beat task, the
demo and the bench run) calls ``member_evaluate_level`` for every member it paid; team
sales are fresh within the placement bound (30 s), so a member whose team grew in the last
seconds is upgraded at the next evaluation.

Concurrency: a level is changed by ``UPDATE … WHERE level_id = <the level we read>``; if a
concurrent change won, the evaluation reads again (a few times) instead of overwriting it.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from common.errors import DomainError, NotFound
from distribution.commission.services.records import SETTLE_BATCH, SettleResult, commissions_settle_due
from distribution.models import LevelChange, LevelChangeSource, Member, ResellerLevel
from distribution.referral.errors import MemberNotFound
from distribution.reseller.errors import NotAReseller
from distribution.reseller.selectors import SalesFigures, member_sales_figures
from distribution.reseller.services.resellers import require_staff, staff_reason
from mall.models import User

EVALUATE_ATTEMPTS = 3


class LevelNotFound(NotFound):
    code = "level_not_found"
    default_message = _("This reseller level does not exist.")


class LevelUnchanged(DomainError):
    code = "level_unchanged"
    status = 409
    default_message = _("The member already has this level.")


class LevelInvalid(DomainError):
    code = "level_invalid"
    default_message = _("These level settings are not valid.")


def level_for_upgrade(*, figures: SalesFigures, above_weight: int | None) -> ResellerLevel | None:
    """The highest automatic level above ``above_weight`` whose conditions all hold (one query)."""
    levels = ResellerLevel.objects.filter(
        auto_upgrade=True,
        min_own_sales__lte=figures.own_sales,
        min_team_sales__lte=figures.team_sales,
        min_settled_commission__lte=figures.settled_commission,
    )
    if above_weight is not None:
        levels = levels.filter(weight__gt=above_weight)
    return levels.order_by("-weight").first()


def _log(*, member_id: int, old_level_id: int | None, new_level: ResellerLevel, source: str,
         operator: User | None, reason: str, figures: SalesFigures) -> LevelChange:
    return LevelChange.objects.create(
        member_id=member_id, old_level_id=old_level_id, new_level=new_level, source=source,
        operator=operator, reason=reason, own_sales=figures.own_sales, team_sales=figures.team_sales,
        settled_commission=figures.settled_commission)


def member_evaluate_level(*, member: Member) -> LevelChange | None:
    """Upgrade a reseller to the highest level their sales have reached; ``None`` when the
    level stays (not a reseller, suspended, no level reached, or already there)."""
    for _attempt in range(EVALUATE_ATTEMPTS):
        fresh = Member.objects.select_related("level").filter(pk=member.pk).first()
        if fresh is None or not (fresh.is_reseller and fresh.is_active):
            return None
        figures = member_sales_figures(member=fresh)
        target = level_for_upgrade(figures=figures,
                                   above_weight=fresh.level.weight if fresh.level_id else None)
        if target is None:
            return None
        with transaction.atomic():
            if Member.objects.filter(pk=fresh.pk, level_id=fresh.level_id, is_reseller=True).update(
                    level=target):
                return _log(member_id=fresh.pk, old_level_id=fresh.level_id, new_level=target,
                            source=LevelChangeSource.AUTO, operator=None, reason="", figures=figures)
        # The level changed under us (staff, or a concurrent evaluation): read it again.
    return None


@transaction.atomic
def member_set_level(*, member: Member, level: ResellerLevel | None, operator: User | None,
                     reason: str) -> LevelChange:
    """Staff set a reseller's level by hand, up or down, with a reason; logged."""
    require_staff(operator)
    reason = staff_reason(reason)
    if level is None or not ResellerLevel.objects.filter(pk=level.pk).exists():
        raise LevelNotFound()
    fresh = Member.objects.filter(pk=member.pk).first()
    if fresh is None:
        raise MemberNotFound()
    if not fresh.is_reseller:
        raise NotAReseller()
    if fresh.level_id == level.pk:
        raise LevelUnchanged()
    # Row-locks the member until commit, so the log row names the level actually replaced.
    if not Member.objects.filter(pk=fresh.pk, level_id=fresh.level_id).update(level=level):
        raise LevelUnchanged()  # a concurrent change: nothing was overwritten
    return _log(member_id=fresh.pk, old_level_id=fresh.level_id, new_level=level,
                source=LevelChangeSource.STAFF, operator=operator, reason=reason,
                figures=member_sales_figures(member=fresh))


@transaction.atomic
def reseller_level_save(*, level: ResellerLevel, operator: User | None) -> ResellerLevel:
    """Create or change a level (the admin form). Making it the default takes the flag from
    the old default in the same transaction (one default: a partial unique index)."""
    require_staff(operator)
    if level.is_default:
        ResellerLevel.objects.filter(is_default=True).exclude(pk=level.pk).update(is_default=False)
    try:
        level.full_clean()
    except ValidationError as exc:
        raise LevelInvalid(" ".join(exc.messages)) from None  # the transaction rolls back
    level.save()
    return level


def levels_evaluate_after_settlement(*, member_ids: Iterable[int]) -> None:
    """After settlement, re-check the sales-based level conditions of the members it paid.
    Upgrade conditions are sales-based only — never headcount (see DESIGN.md)."""
    for member in Member.objects.filter(pk__in=list(member_ids)):
        member_evaluate_level(member=member)


def commissions_settle_and_review_levels(*, batch: int = SETTLE_BATCH,
                                          max_batches: int | None = None) -> SettleResult:
    """The settlement sweep as the beat task, the demo and the bench run it: settle every
    due record (``commissions_settle_due``), then re-check the levels of the members paid."""
    result = commissions_settle_due(batch=batch, max_batches=max_batches)
    if result.records:
        levels_evaluate_after_settlement(member_ids=result.members)
    return result
