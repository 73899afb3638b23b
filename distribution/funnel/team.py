"""My team (我的团队) as a list: tier 1 or tier 2, searched by nickname or the last 4 digits
of the phone, sorted by join date or sales. Always the signed-in member's own downlines."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from distribution.funnel.errors import TeamFilterInvalid
from distribution.models import Member

TEAM_SORTS = ("joined", "sales")
MAX_SEARCH = 20


@dataclass(frozen=True)
class TeamQuery:
    tier: int = 1
    q: str = ""
    sort: str = "joined"


def team_query(*, tier: object = None, q: object = None, sort: object = None) -> TeamQuery:
    """Check the list's options; a bad one is refused with a clear message."""
    text = str(q or "").strip()
    chosen_sort = sort or "joined"
    # A NUL can never match (and PostgreSQL refuses it in a query): a bad search, not a crash.
    if (str(tier or "1") not in ("1", "2") or chosen_sort not in TEAM_SORTS or len(text) > MAX_SEARCH
            or "\x00" in text):
        raise TeamFilterInvalid()
    return TeamQuery(tier=int(str(tier or "1")), q=text, sort=chosen_sort)


def member_team_list(*, member: Member, query: TeamQuery) -> QuerySet[Member]:
    """Tier 1 (index on parent_id) or tier 2 (a join on the parent), with user and level.
    Four digits match the end of the phone (or a nickname); other text, the nickname."""
    team = Member.objects.filter(parent_id=member.pk) if query.tier == 1 else Member.objects.filter(
        parent__parent_id=member.pk)
    if query.q:
        match = Q(user__nickname__icontains=query.q)
        if len(query.q) == 4 and query.q.isdigit():
            match |= Q(user__phone__endswith=query.q)
        team = team.filter(match)
    order = ["-own_paid_sales", "id"] if query.sort == "sales" else ["id"]  # join order
    return team.select_related("user", "level", "parent__user").order_by(*order)
