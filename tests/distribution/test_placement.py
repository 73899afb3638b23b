"""Deferred placement: pending members get numbers that rank exactly like a rebuild."""

import random

import pytest

from distribution.models import Member
from distribution.referral.errors import BindingCycle
from distribution.referral.services.moves import member_move
from distribution.referral.services.placement import (
    referral_tree_place_pending,
    referral_trees_place_all_pending,
)
from distribution.referral.tree import layout
from tests.distribution.factories import MemberFactory
from tests.distribution.trees import assert_forest_exact, mptt_rebuild_numbers, parent_map, ranks
from tests.mall.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiny_gaps(monkeypatch):
    """Numbers so tight that blocks often do not fit: exercises every respace path."""
    monkeypatch.setattr(layout, "ROOT_RGHT", 2**16)
    monkeypatch.setattr(layout, "NEW_STEP", 8)
    monkeypatch.setattr(layout, "MIN_BLOCK_STEP", 2)
    monkeypatch.setattr(layout, "RESPACE_MIN_STEP", 4)


def place(tree_id):
    return referral_tree_place_pending(tree_id=tree_id, wait=True)


def test_signups_stay_pending_until_placement_then_rank_like_a_rebuild():
    root = MemberFactory()
    a = MemberFactory(parent=root, place=False)
    b = MemberFactory(parent=root, place=False)
    a1 = MemberFactory(parent=a, place=False)
    pending = Member.objects.filter(lft=0).order_by("id").values_list("id", flat=True)
    assert list(pending) == [a.pk, b.pk, a1.pk]

    result = place(root.tree_id)

    assert (result.placed, result.rewritten, result.respaced) == (3, 3, [])
    assert ranks(root.tree_id) == {root.pk: (1, 8, 0), a.pk: (2, 5, 1), a1.pk: (3, 4, 2), b.pk: (6, 7, 1)}
    assert ranks(root.tree_id) == mptt_rebuild_numbers(root.tree_id)


def test_a_chain_of_pending_members_is_placed_in_one_batch():
    root = MemberFactory()
    chain = [root]
    for _ in range(6):
        chain.append(MemberFactory(parent=chain[-1], place=False))

    place(root.tree_id)

    numbers = ranks(root.tree_id)
    assert [numbers[m.pk] for m in chain] == [(i + 1, 14 - i, i) for i in range(7)]
    assert_forest_exact()


def test_a_late_pending_member_lands_before_a_placed_sibling_with_a_larger_id():
    # given: a committed its sign-up after b had already been placed (commit-order race)
    root = MemberFactory()
    a = MemberFactory(parent=root, place=False)
    b = MemberFactory(parent=root)
    Member.objects.filter(pk=a.pk).update(lft=0, rght=0)

    # when
    place(root.tree_id)

    # then: a (smaller id) comes first, as a rebuild orders siblings
    assert ranks(root.tree_id) == {root.pk: (1, 6, 0), a.pk: (2, 3, 1), b.pk: (4, 5, 1)}
    assert_forest_exact()


def test_a_normal_batch_writes_only_its_pending_rows():
    root = MemberFactory()
    members = [root]
    rng = random.Random(5)
    for _ in range(60):
        members.append(MemberFactory(parent=rng.choice(members)))
    for _ in range(10):
        members.append(MemberFactory(parent=rng.choice(members), place=False))
    before = dict(Member.objects.filter(lft__gt=0).values_list("id", "lft"))

    result = place(root.tree_id)

    assert (result.placed, result.rewritten, result.respaced) == (10, 10, [])
    assert dict(Member.objects.filter(pk__in=before).values_list("id", "lft")) == before
    assert_forest_exact()


def test_placement_with_nothing_pending_changes_nothing():
    root = MemberFactory()
    MemberFactory(parent=root)
    before = list(Member.objects.values_list("id", "lft", "rght", "depth"))

    result = place(root.tree_id)

    assert (result.placed, result.rewritten) == (0, 0)
    assert list(Member.objects.values_list("id", "lft", "rght", "depth")) == before


def test_the_sweep_places_every_tree_with_pending_members():
    first, second = MemberFactory(), MemberFactory()
    MemberFactory(parent=first, place=False)
    MemberFactory(parent=second, place=False)
    MemberFactory(parent=second, place=False)

    result = referral_trees_place_all_pending()

    assert (result.trees, result.placed, result.skipped) == (2, 3, 0)
    assert_forest_exact()


def test_a_full_tail_respaces_the_smallest_subtree_with_room(monkeypatch):
    # given: new members get 2**20 values; halving a tail that size leaves room for ~16
    monkeypatch.setattr(layout, "NEW_STEP", 2**20)
    monkeypatch.setattr(layout, "RESPACE_MIN_STEP", 2**4)
    root = MemberFactory()
    hub = MemberFactory(parent=root)
    other = MemberFactory(parent=root)
    respaced = []
    for _ in range(40):
        MemberFactory(parent=hub, place=False)
        result = place(root.tree_id)
        respaced += result.respaced
        assert result.placed == 1

    assert respaced == [hub.pk]  # its own span had room: the rest of the tree was not touched
    assert_forest_exact()
    assert Member.objects.filter(parent=hub).count() == 40
    assert Member.objects.get(pk=other.pk).parent_id == root.pk


def test_a_subtree_that_outgrows_its_interval_grows_into_free_room_beside_it(monkeypatch):
    # given: a newcomer under the root gets a small interval, then recruits many members
    monkeypatch.setattr(layout, "NEW_STEP", 2**6)
    monkeypatch.setattr(layout, "RESPACE_MIN_STEP", 2**4)
    root = MemberFactory()
    older = [MemberFactory(parent=root) for _ in range(3)]
    kol = MemberFactory(parent=root)
    untouched = dict(Member.objects.filter(pk__in=[root.pk, *[m.pk for m in older]])
                     .values_list("id", "lft"))
    respaced = []

    for _ in range(8):
        for _ in range(5):
            MemberFactory(parent=kol, place=False)
        respaced += place(root.tree_id).respaced

    # then: only the newcomer's own subtree was renumbered, into room taken from the root's tail
    assert set(respaced) == {kol.pk}
    assert dict(Member.objects.filter(pk__in=untouched).values_list("id", "lft")) == untouched
    assert Member.objects.get(pk=kol.pk).rght > kol.rght
    assert_forest_exact()


def test_a_respaced_root_widens_to_the_full_span(tiny_gaps):
    # given: dense numbers (what django-mptt's rebuild leaves): no gap anywhere
    root = MemberFactory()
    MemberFactory(parent=root)
    Member.objects.partial_rebuild(root.tree_id)
    assert Member.objects.get(pk=root.pk).rght == 4

    MemberFactory(parent=root, place=False)
    result = place(root.tree_id)

    assert result.respaced == [root.pk]
    assert Member.objects.get(pk=root.pk).rght == layout.ROOT_RGHT
    assert_forest_exact()


@pytest.mark.parametrize("seed", range(6))
def test_random_growth_moves_and_tight_gaps_rank_like_a_rebuild_after_every_batch(seed, tiny_gaps):
    rng = random.Random(seed)
    members = [MemberFactory(), MemberFactory()]
    respaced = 0
    for _ in range(10):
        for _ in range(rng.randint(1, 8)):
            if rng.random() < 0.08:
                members.append(MemberFactory())
            else:  # preferential attachment: busy members get more
                parent = rng.choice(members + [m for m in members if m.parent_id is None])
                members.append(MemberFactory(user=UserFactory(), parent=parent, place=False))
        if rng.random() < 0.5:
            mover, target = rng.choice(members), rng.choice(members)
            if _upline_chain(target.pk, parent_map()) & {mover.pk} or target.pk == mover.pk:
                with pytest.raises(BindingCycle):
                    member_move(member=mover, new_parent=target, operator=None, reason="test")
            elif parent_map()[mover.pk] != target.pk:
                member_move(member=mover, new_parent=target, operator=None, reason="test")
        for tree_id in set(Member.objects.filter(lft=0).values_list("tree_id", flat=True)):
            respaced += len(place(tree_id).respaced)
        assert_forest_exact()
    assert respaced > 0


def _upline_chain(member_id: int, parents: dict[int, int | None]) -> set[int]:
    chain, node = set(), parents[member_id]
    while node is not None:
        chain.add(node)
        node = parents[node]
    return chain
