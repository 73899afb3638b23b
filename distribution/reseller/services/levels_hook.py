"""After settlement, re-check the sales-based level conditions of the members it paid."""

from collections.abc import Iterable

from distribution.models import Member
from distribution.reseller.services.levels import member_evaluate_level


def levels_evaluate_after_settlement(*, member_ids: Iterable[int]) -> None:
    """Upgrade conditions are sales-based only — never headcount (see DESIGN.md)."""
    for member in Member.objects.filter(pk__in=list(member_ids)):
        member_evaluate_level(member=member)
