"""Precomputed team figures of big teams (the tree browser's read model)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from distribution.models import TeamRollup
from distribution.models.rollup import TEAM_ROLLUP_MAX_AGE
from distribution.referral.browser.selectors import teams_of
from distribution.referral.selectors import team_figures
from distribution.referral.services.moves import member_move
from distribution.referral.services.team_rollups import team_rollups_refresh
from distribution.tasks import refresh_team_rollups
from tests.distribution.factories import MemberFactory

pytestmark = pytest.mark.django_db


def _forest():
    """root ─ a ─ a1 ─ a11, a12          (a: team 3, sales 1.00 + 2.00 + 3.00)
            │     └ a2
            └ b ─ b1                       (root: team 6)
    other root: c ─ c1, c2 (team 2)"""
    root = MemberFactory()
    a = MemberFactory(parent=root, own_paid_sales=Decimal("100.00"))
    a1 = MemberFactory(parent=a, own_paid_sales=Decimal("1.00"))
    MemberFactory(parent=a1, own_paid_sales=Decimal("2.00"))
    MemberFactory(parent=a1, own_paid_sales=Decimal("3.00"))
    MemberFactory(parent=a)
    b = MemberFactory(parent=root, own_paid_sales=Decimal("0.50"))
    MemberFactory(parent=b)
    c = MemberFactory()
    MemberFactory(parent=c)
    MemberFactory(parent=c)
    return root, a, a1, b, c


def test_refresh_stores_exact_figures_of_teams_at_least_the_minimum():
    root, a, a1, _b, c = _forest()

    result = team_rollups_refresh(min_size=2)

    rows = {r.member_id: (r.team_size, r.team_sales) for r in TeamRollup.objects.all()}
    # root: 7 below it; a: a1, a11, a12, a2 = 4 (sales 1 + 2 + 3); a1: 2 (2 + 3); c: 2. b has 1: too small.
    assert rows == {root.pk: (7, Decimal("106.50")), a.pk: (4, Decimal("6.00")),
                    a1.pk: (2, Decimal("5.00")), c.pk: (2, Decimal("0.00"))}
    for member in (root, a, a1, c):
        live = team_figures(member=member)
        assert rows[member.pk] == (live.size, live.paid_sales)
    assert (result.trees, result.members_scanned, result.rows) == (2, 11, 4)


def test_a_second_refresh_drops_teams_that_are_no_longer_big():
    root, _a, a1, _b, c = _forest()
    team_rollups_refresh(min_size=2)

    member_move(member=a1, new_parent=c, operator=None, reason="test")
    team_rollups_refresh(min_size=2)

    rows = {r.member_id: r.team_size for r in TeamRollup.objects.all()}
    assert rows == {root.pk: 4, c.pk: 5, a1.pk: 2}  # a now has one downline: dropped


def test_teams_of_reads_a_fresh_rollup_and_ignores_an_old_one():
    root, a, _a1, b, _c = _forest()
    now = timezone.now()
    TeamRollup.objects.create(member=root, team_size=999, team_sales=Decimal("9.99"), computed_at=now)
    TeamRollup.objects.create(member=a, team_size=888, team_sales=Decimal("8.88"),
                              computed_at=now - TEAM_ROLLUP_MAX_AGE - timedelta(seconds=1))

    teams = teams_of([root, a, b])

    root_team = teams[root.pk]
    assert (root_team.size, root_team.paid_sales, root_team.as_of) == (999, Decimal("9.99"), now)
    assert (teams[a.pk].size, teams[a.pk].paid_sales, teams[a.pk].as_of) == (4, Decimal("6.00"), None)
    assert (teams[b.pk].size, teams[b.pk].as_of) == (1, None)


def test_the_beat_task_refreshes_with_the_default_minimum():
    root, *_ = _forest()
    TeamRollup.objects.create(member=root, team_size=1, team_sales=Decimal("0"),
                              computed_at=timezone.now() - timedelta(hours=1))

    assert refresh_team_rollups() == 0  # no team of 5,000 here; the stale row goes

    assert not TeamRollup.objects.exists()
