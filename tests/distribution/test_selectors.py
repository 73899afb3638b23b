"""Team figures (MPTT range) and the upline chain (parent links)."""

from decimal import Decimal

import pytest

from distribution.models import Member
from distribution.referral import selectors
from distribution.referral.services.members import member_record_paid_sales
from tests.distribution.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    root = MemberFactory()
    a = MemberFactory(parent=root, own_paid_sales=Decimal("10.50"))
    a1 = MemberFactory(parent=a, own_paid_sales=Decimal("3.25"))
    b = MemberFactory(parent=root, own_paid_sales=Decimal("100.00"))
    return root, a, a1, b


def test_team_figures_count_and_sum_every_descendant(team):
    root, a, _, b = team

    assert selectors.team_figures(member=root) == selectors.TeamFigures(size=3, paid_sales=Decimal("113.75"))
    assert selectors.team_figures(member=a) == selectors.TeamFigures(size=1, paid_sales=Decimal("3.25"))
    assert (selectors.team_size(member=b), selectors.team_paid_sales(member=b)) == (0, Decimal("0.00"))
    assert selectors.team_paid_sales(member=root) == Decimal("113.75")


def test_pending_members_join_team_figures_once_placed(team):
    root, a, _, _ = team
    late = MemberFactory(parent=a, place=False, own_paid_sales=Decimal("1.00"))
    root.refresh_from_db()
    assert selectors.team_size(member=root) == 3

    from distribution.referral.services.placement import referral_tree_place_pending
    referral_tree_place_pending(tree_id=root.tree_id)
    root.refresh_from_db()

    assert selectors.team_figures(member=root) == selectors.TeamFigures(size=4, paid_sales=Decimal("114.75"))
    assert selectors.team_figures(member=Member.objects.get(pk=late.pk)).size == 0


def test_ancestors_walk_parent_links_even_for_pending_members(team):
    root, a, a1, _ = team
    p1 = MemberFactory(parent=a1, place=False)
    p2 = MemberFactory(parent=p1, place=False)

    assert selectors.member_ancestors(p2.pk) == [p1.pk, a1.pk, a.pk]
    assert selectors.member_ancestors(p2.pk, depth=2) == [p1.pk, a1.pk]
    assert selectors.member_ancestors(a.pk, depth=3) == [root.pk]
    assert selectors.member_ancestors(root.pk) == []
    assert selectors.member_ancestors(p2.pk, depth=9) == [p1.pk, a1.pk, a.pk]  # never more than 3


def test_recorded_sales_add_up_and_feed_the_team_sum(team):
    root, _, a1, _ = team

    member_record_paid_sales(member_id=a1.pk, amount=Decimal("6.75"))
    member_record_paid_sales(member_id=a1.pk, amount=Decimal("-1.00"))

    assert Member.objects.get(pk=a1.pk).own_paid_sales == Decimal("9.00")
    assert selectors.team_paid_sales(member=root) == Decimal("119.50")


def test_direct_downlines_in_join_order(team):
    root, a, _, b = team
    late = MemberFactory(parent=root, place=False)

    assert list(selectors.member_direct_downlines(member=root)) == [a, b, Member.objects.get(pk=late.pk)]


def test_mptt_helpers_that_need_arithmetic_are_right_with_gaps(team):
    root, a, a1, b = team
    root.refresh_from_db()

    assert root.get_descendant_count() == 3
    assert (a.is_leaf_node(), a1.is_leaf_node(), b.is_leaf_node()) == (False, True, True)
    assert list(root.get_descendants().order_by("id")) == [a, a1, b]
    assert set(root.get_leafnodes()) == {a1, b}
    assert list(a1.get_ancestors()) == [root, a]
