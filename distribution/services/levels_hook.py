"""After settlement, re-check the sales-based level conditions of the members it paid."""

from collections.abc import Iterable


def levels_evaluate_after_settlement(*, member_ids: Iterable[int]) -> None:
    """Level auto-upgrade lands with the reseller-levels work; until then nothing changes.

    (Upgrade conditions are sales-based only — never headcount; see DESIGN.md.)
    """
    try:
        from distribution.services.levels import member_evaluate_level
    except ImportError:  # the levels module is being written in parallel
        return
    from distribution.models import Member

    for member in Member.objects.filter(pk__in=list(member_ids)):
        member_evaluate_level(member=member)
