"""Reads of the staff referral-tree browser: find a member, their upline chain, their
direct downlines with team figures.

Every read here is indexed so that it stays fast at a million members (figures in
``distribution/README.md``, measured by ``bench/bench_tree_browser.py``):

- full number: ``mall_user.phone`` (unique); last 4 digits: the expression index
  ``user_phone_last4_idx`` on ``RIGHT(phone, 4)`` (≈ 100 members per value at 1M);
  nickname prefix: ``user_nickname_prefix_idx`` (pattern ops); invite code: unique;
- the upline chain: ``member_chain``, the one ``parent_id`` walk the engine uses;
- direct downlines: ``member_direct_downlines`` (index ``(parent_id, id)``), a page at a
  time; each one's team size and sales are one range aggregate over the index-only
  ``member_tree_lft_idx``, for the whole page in one statement, except for teams of
  5,000 members or more: those come from ``TeamRollup`` (``models/rollup.py``, refreshed
  every 5 minutes), because a live count of a million-member team takes ~0.1 s.

Results are pages without a total count (``has_next`` from one extra row): a COUNT over
a hub's 50,000 downlines or a one-character nickname prefix would cost more than the page.

Raw SQL formats only table names taken from the models (hence the ``noqa: S608``); every
value is a bound parameter.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Generic, TypeVar

from django.db import connection
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Right
from django.utils import timezone

from common.db import is_postgres
from common.errors import DomainError
from common.money import ZERO, from_fen
from common.phone import PHONE_RE, normalize_phone
from distribution.models import Member, TeamRollup
from distribution.models.rollup import TEAM_ROLLUP_MAX_AGE
from distribution.referral.errors import BindingCycle, InviteCodeUnknown, MemberNotFound, SameUpline
from distribution.referral.selectors import member_chain, member_direct_downlines, team_figures
from distribution.referral.services.invite_codes import invite_code_normalize
from distribution.referral.services.members import member_find_by_code
from mall.models import User

SEARCH_PAGE_SIZE = 20
DOWNLINE_PAGE_SIZE = 20
# The chain ends at the root; this only bounds the walk should a cycle ever slip in.
MAX_CHAIN = 10_000
LAST4_RE = re.compile(r"^\d{4}$")
T = TypeVar("T")


class SearchKind:
    AUTO = "auto"
    PHONE = "phone"
    LAST4 = "last4"
    CODE = "code"
    NICKNAME = "nickname"
    ALL = (AUTO, PHONE, LAST4, CODE, NICKNAME)


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


@dataclass(frozen=True)
class Team:
    """Team figures as the browser shows them: live, or precomputed ``as_of`` a time."""

    size: int
    paid_sales: Decimal
    as_of: datetime | None = None


@dataclass(frozen=True)
class Downline:
    member: Member
    direct_count: int
    team: Team

    @property
    def joined_at(self) -> datetime:
        return self.member.joined_at


def page_of(queryset: QuerySet[T], *, number: int, size: int) -> Page[T]:
    """Page ``number`` (1-based) of an ordered queryset, and whether another follows."""
    number = max(1, number)
    start = (number - 1) * size
    rows = list(queryset[start:start + size + 1])
    return Page(rows=rows[:size], number=number, has_next=len(rows) > size)


def search_kind(query: str) -> str:
    """What an "auto" search means: 11 digits a number, 4 digits the last 4, a string in the
    invite-code alphabet a code (if a member has it), anything else a nickname prefix."""
    if PHONE_RE.match(normalize_phone(query)):
        return SearchKind.PHONE
    if LAST4_RE.match(query):
        return SearchKind.LAST4
    code = invite_code_normalize(query)
    if code is not None and Member.objects.filter(invite_code=code).exists():
        return SearchKind.CODE
    return SearchKind.NICKNAME


def _by_phone(members: QuerySet[Member], query: str) -> QuerySet[Member]:
    phone = normalize_phone(query)
    return members.filter(user__phone=phone) if PHONE_RE.match(phone) else members.none()


def _by_last4(members: QuerySet[Member], query: str) -> QuerySet[Member]:
    if not LAST4_RE.match(query):
        return members.none()
    # The same expression as the index ``user_phone_last4_idx``, so the planner uses it.
    return members.alias(phone_last4=Right("user__phone", 4)).filter(phone_last4=query)


def _by_code(members: QuerySet[Member], query: str) -> QuerySet[Member]:
    code = invite_code_normalize(query)
    return members.filter(invite_code=code) if code else members.none()


def _by_nickname(members: QuerySet[Member], query: str) -> QuerySet[Member]:
    return members.filter(user__nickname__startswith=query[:40])


_SEARCHES = {SearchKind.PHONE: _by_phone, SearchKind.LAST4: _by_last4, SearchKind.CODE: _by_code,
             SearchKind.NICKNAME: _by_nickname}


def member_search(*, query: str, kind: str = SearchKind.AUTO) -> QuerySet[Member]:
    """Members matching ``query`` in join order; ``kind`` says how to read it (an unknown
    kind or an unusable query gives no rows, never a scan)."""
    query = (query or "").strip()
    members = Member.objects.select_related("user", "level").order_by("id")
    if not query:
        return members.none()
    if kind == SearchKind.AUTO:
        kind = search_kind(query)
    search = _SEARCHES.get(kind)
    return search(members, query) if search else members.none()


def upline_chain(*, member: Member) -> list[Member]:
    """The uplines of ``member`` from the root down to its direct upline (``member`` not
    included), each with ``level_name_`` and its user: one recursive query over
    ``parent_id`` (``member_chain``) and one for the users."""
    chain = member_chain(member.pk, length=MAX_CHAIN)[1:]
    by_id = User.objects.in_bulk({m.user_id for m in chain})
    for upline in chain:
        upline.user = by_id[upline.user_id]
    chain.reverse()
    return chain


def _live_teams(members: list[Member]) -> dict[int, Team]:
    """Team size and paid sales of each placed member, in one statement: one index-only
    range aggregate per member (the same range as ``team_figures``)."""
    placed = [m for m in members if m.is_placed]
    if not placed:
        return {}
    if not is_postgres():  # the embedded SQLite: no LATERAL; small forests
        return {m.pk: Team(size=f.size, paid_sales=f.paid_sales)
                for m in placed for f in [team_figures(member=m)]}
    table = Member._meta.db_table
    values = ", ".join(["(%s, %s, %s, %s)"] * len(placed))
    params = [v for m in placed for v in (m.pk, m.tree_id, m.lft, m.rght)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.id, t.n, t.sales FROM (VALUES {values}) AS r(id, tree_id, lft, rght)"  # noqa: S608
            f" CROSS JOIN LATERAL (SELECT count(*) AS n, COALESCE(SUM(d.own_paid_sales), 0) AS sales"
            f" FROM {table} d WHERE d.tree_id = r.tree_id AND d.lft > r.lft AND d.lft < r.rght) AS t",
            params)
        return {int(member_id): Team(size=int(size), paid_sales=from_fen(int(sales)))
                for member_id, size, sales in cursor.fetchall()}


def teams_of(members: list[Member]) -> dict[int, Team]:
    """Each member's team figures: precomputed for the biggest teams (a fresh
    ``TeamRollup`` row, see ``models/rollup.py``), counted live for the others. A member
    not placed yet (joined seconds ago) has no team in the figures yet: 0."""
    fresh_after = timezone.now() - TEAM_ROLLUP_MAX_AGE
    teams = {row.member_id: Team(size=row.team_size, paid_sales=row.team_sales, as_of=row.computed_at)
             for row in TeamRollup.objects.filter(member_id__in=[m.pk for m in members],
                                                  computed_at__gte=fresh_after)}
    teams.update(_live_teams([m for m in members if m.pk not in teams]))
    return {m.pk: teams.get(m.pk, Team(size=0, paid_sales=ZERO)) for m in members}


def downlines_page(*, member: Member, number: int = 1, size: int = DOWNLINE_PAGE_SIZE) -> Page[Downline]:
    """One page of ``member``'s direct downlines in join order, each with its level, how
    many direct downlines it has (to offer expanding it), its team size and team sales."""
    direct = (Member.objects.filter(parent_id=OuterRef("pk")).order_by().values("parent_id")
              .annotate(n=Count("id")).values("n"))
    children = (member_direct_downlines(member=member).select_related("level")
                .annotate(direct_count=Subquery(direct)))
    page = page_of(children, number=number, size=size)
    teams = teams_of(page.rows)
    rows = [Downline(member=child, direct_count=child.direct_count or 0, team=teams[child.pk])
            for child in page.rows]
    return Page(rows=rows, number=page.number, has_next=page.has_next)


def member_summary(*, member: Member) -> tuple[Team, int]:
    """The member's own team figures and how many direct downlines they have."""
    return teams_of([member])[member.pk], Member.objects.filter(parent_id=member.pk).count()


def member_by_code_or_phone(text: str) -> Member:
    """A member by invite code, or by the full mobile number they signed up with (what
    staff type to name a new upline or a successor)."""
    phone = normalize_phone(text)
    if PHONE_RE.match(phone):
        member = Member.objects.select_related("user").filter(user__phone=phone).first()
        if member is None:
            raise MemberNotFound()
        return member
    member = member_find_by_code(invite_code=text)
    if member is None:
        raise InviteCodeUnknown()
    return member


def move_refusal(*, member: Member, new_parent: Member | None) -> DomainError | None:
    """Why ``member_move`` would refuse this move, read without locks, for the form step
    (the service checks again under the tree's lock; this only spares staff a confirm
    page that can only fail)."""
    if new_parent is None:
        return SameUpline() if member.parent_id is None else None
    uplines_of_target = {m.pk for m in member_chain(new_parent.pk, length=MAX_CHAIN)}
    if member.pk in uplines_of_target:  # the target itself, or someone in the member's team
        return BindingCycle()
    if member.parent_id == new_parent.pk:
        return SameUpline()
    return None
