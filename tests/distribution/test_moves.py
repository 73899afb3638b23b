"""Staff moves and handovers: locks, fresh nodes, history, and the tree stays exact."""

import pytest

from distribution.models import BindingHistory, Member
from distribution.referral.errors import (
    BindingCycle,
    HandoverScopeInvalid,
    NothingToHandOver,
    ReasonRequired,
    SameUpline,
)
from distribution.referral.services.moves import member_handover, member_move
from distribution.referral.tree import layout
from tests.distribution.factories import MemberFactory
from tests.distribution.trees import assert_forest_exact, snapshot
from tests.mall.factories import UserFactory

pytestmark = pytest.mark.django_db


def fresh(member: Member) -> Member:
    return Member.objects.get(pk=member.pk)


@pytest.fixture
def forest():
    """root ─ a ─ a1 ─ a11
            │    └ a2
            └ b
       other ─ o1"""
    root = MemberFactory()
    a = MemberFactory(parent=root)
    a1 = MemberFactory(parent=a)
    a11 = MemberFactory(parent=a1)
    a2 = MemberFactory(parent=a)
    b = MemberFactory(parent=root)
    other = MemberFactory()
    o1 = MemberFactory(parent=other)
    return {"root": root, "a": a, "a1": a1, "a11": a11, "a2": a2, "b": b, "other": other, "o1": o1}


def test_move_within_a_tree_takes_the_team_along(forest):
    staff = UserFactory(is_staff=True)

    moved = member_move(member=forest["a1"], new_parent=forest["b"], operator=staff, reason="客服申诉")

    assert (moved.parent_id, moved.depth, moved.bind_source) == (forest["b"].pk, 2, "staff")
    assert (fresh(forest["a11"]).parent_id, fresh(forest["a11"]).depth) == (forest["a1"].pk, 3)
    history = BindingHistory.objects.get(member=forest["a1"], source="staff")
    assert (history.old_parent_id, history.new_parent_id, history.operator_id, history.reason) == (
        forest["a"].pk, forest["b"].pk, staff.pk, "客服申诉")
    assert_forest_exact()


def test_move_into_another_tree_changes_tree_id_and_depth_of_the_team(forest):
    member_move(member=forest["a"], new_parent=forest["o1"], operator=None, reason="merge")

    team = [fresh(forest[k]) for k in ("a", "a1", "a11", "a2")]
    assert {m.tree_id for m in team} == {forest["other"].tree_id}
    assert [m.depth for m in team] == [2, 3, 4, 3]
    assert_forest_exact()


def test_a_root_moved_under_another_tree_closes_its_own_tree(forest):
    old_tree = forest["other"].tree_id

    member_move(member=forest["other"], new_parent=forest["b"], operator=None, reason="merge")

    assert not Member.objects.filter(tree_id=old_tree).exists()
    assert (fresh(forest["o1"]).tree_id, fresh(forest["o1"]).depth) == (forest["root"].tree_id, 3)
    assert_forest_exact()


def test_make_root_gives_a_new_tree_and_keeps_the_team(forest):
    moved = member_move(member=forest["a1"], new_parent=None, operator=None, reason="独立")

    assert (moved.parent_id, moved.depth, moved.lft, moved.rght) == (None, 0, 1, layout.ROOT_RGHT)
    assert moved.tree_id not in {forest["root"].tree_id, forest["other"].tree_id}
    assert (fresh(forest["a11"]).tree_id, fresh(forest["a11"]).depth) == (moved.tree_id, 1)
    assert BindingHistory.objects.get(member=forest["a1"], source="staff").new_parent_id is None
    assert_forest_exact()


def test_pending_members_of_both_trees_are_placed_before_a_move(forest):
    late_under_a1 = MemberFactory(parent=forest["a1"], place=False)
    late_under_o1 = MemberFactory(parent=forest["o1"], place=False)

    member_move(member=forest["a1"], new_parent=forest["o1"], operator=None, reason="x")

    assert fresh(late_under_a1).tree_id == forest["other"].tree_id
    assert fresh(late_under_a1).depth == 3  # other → o1 → a1 → late
    assert fresh(late_under_o1).lft > 0
    assert_forest_exact()


@pytest.mark.parametrize(("member", "target"), [("a", "a"), ("a", "a11"), ("root", "b")])
def test_move_into_own_team_or_onto_self_is_refused_and_changes_nothing(forest, member, target):
    before = snapshot()

    with pytest.raises(BindingCycle):
        member_move(member=forest[member], new_parent=forest[target], operator=None, reason="x")

    assert snapshot() == before


def test_move_under_the_current_upline_is_refused(forest):
    before = snapshot()

    with pytest.raises(SameUpline):
        member_move(member=forest["a1"], new_parent=forest["a"], operator=None, reason="x")
    with pytest.raises(SameUpline):
        member_move(member=forest["root"], new_parent=None, operator=None, reason="x")

    assert snapshot() == before


def test_a_move_needs_a_reason(forest):
    before = snapshot()

    with pytest.raises(ReasonRequired):
        member_move(member=forest["a1"], new_parent=forest["b"], operator=None, reason="  ")

    assert snapshot() == before


def test_handover_direct_rebinds_the_direct_downlines_with_their_teams(forest):
    staff = UserFactory(is_staff=True)

    count = member_handover(departing=forest["a"], to=forest["o1"], scope="direct", operator=staff,
                            reason="离职交接")

    assert count == 2
    assert [fresh(forest[k]).parent_id for k in ("a1", "a2")] == [forest["o1"].pk] * 2
    assert fresh(forest["a11"]).parent_id == forest["a1"].pk
    assert not Member.objects.filter(parent=forest["a"]).exists()
    rows = list(BindingHistory.objects.filter(source="handover").order_by("member_id").values_list(
        "member_id", "old_parent_id", "new_parent_id", "operator_id", "reason"))
    expected = [(forest[k].pk, forest["a"].pk, forest["o1"].pk, staff.pk, "离职交接") for k in ("a1", "a2")]
    assert rows == expected
    assert_forest_exact()


def test_handover_team_puts_every_team_member_directly_under_the_new_upline(forest):
    count = member_handover(departing=forest["a"], to=forest["b"], scope="team", operator=None, reason="x")

    assert count == 3
    team = [fresh(forest[k]) for k in ("a1", "a11", "a2")]
    assert [(m.parent_id, m.depth, m.bind_source) for m in team] == [(forest["b"].pk, 2, "handover")] * 3
    handed = BindingHistory.objects.get(member=forest["a11"], source="handover")
    assert handed.old_parent_id == forest["a1"].pk
    assert_forest_exact()


@pytest.mark.parametrize(("departing", "to", "scope", "error"), [
    ("a", "a11", "direct", BindingCycle),
    ("a", "a", "team", BindingCycle),
    ("b", "a", "direct", NothingToHandOver),
    ("a", "b", "everything", HandoverScopeInvalid),
])
def test_bad_handovers_are_refused_and_change_nothing(forest, departing, to, scope, error):
    before = snapshot()

    with pytest.raises(error):
        member_handover(departing=forest[departing], to=forest[to], scope=scope, operator=None, reason="x")

    assert snapshot() == before


def test_a_stale_instance_is_reread_under_the_lock(forest):
    stale = Member.objects.get(pk=forest["a1"].pk)
    member_move(member=forest["a"], new_parent=forest["other"], operator=None, reason="first")

    member_move(member=stale, new_parent=forest["b"], operator=None, reason="second")

    assert fresh(forest["a1"]).tree_id == forest["root"].tree_id
    assert_forest_exact()
