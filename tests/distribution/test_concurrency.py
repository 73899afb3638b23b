"""Who waits for whom, with real parallel connections (threads, one connection each)."""

import threading
import time

import pytest
from django.db import transaction

from distribution import lock_objects
from distribution.models import Member
from distribution.referral.services.members import member_create_for_user
from distribution.referral.services.moves import member_move
from distribution.referral.services.placement import referral_tree_place_pending
from tests.concurrency import in_thread, run_parallel
from tests.distribution.factories import MemberFactory
from tests.distribution.trees import assert_forest_exact
from tests.mall.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_roots_get_distinct_tree_ids():
    users = [UserFactory() for _ in range(16)]

    tree_ids = run_parallel(16, lambda i: member_create_for_user(user=users[i]).tree_id)

    assert all(isinstance(t, int) for t in tree_ids), tree_ids
    assert len(set(tree_ids)) == 16
    assert_forest_exact()


def test_a_move_waits_for_a_signup_in_flight_under_the_moved_team():
    # given: a sign-up under x has locked x and not committed yet
    root, other = MemberFactory(), MemberFactory()
    a = MemberFactory(parent=root)
    x = MemberFactory(parent=a)
    joining = UserFactory()
    signed_up, release = threading.Event(), threading.Event()

    def slow_signup():
        with transaction.atomic():
            member = member_create_for_user(user=joining, invite_code=x.invite_code)
            signed_up.set()
            release.wait(10)
        return member

    signup = in_thread(slow_signup)
    assert signed_up.wait(10)

    # when: staff move a (with x) into the other tree
    move = in_thread(lambda: member_move(member=a, new_parent=other, operator=None, reason="x"))
    move_was_waiting = move.wait_until_blocked()  # PostgreSQL says it waits for a lock
    release.set()
    signup.result()
    move.result()

    # then: the move waited, and the new member followed x into the other tree
    assert move_was_waiting
    newcomer = Member.objects.get(user=joining)
    assert (newcomer.parent_id, newcomer.tree_id, newcomer.depth) == (x.pk, other.tree_id, 3)
    assert_forest_exact()


def test_a_signup_does_not_wait_for_a_placement_in_progress():
    # given: a placement holds the tree's exclusive lock and has rewritten the inviter's row
    root = MemberFactory()
    inviter = MemberFactory(parent=root)
    locked, release = threading.Event(), threading.Event()

    def placement_in_progress():
        with transaction.atomic():
            lock_objects.tree_lock(root.tree_id)
            Member.objects.filter(pk=inviter.pk).update(lft=inviter.lft, rght=inviter.rght)
            locked.set()
            release.wait(10)

    placement = in_thread(placement_in_progress)
    assert locked.wait(10)

    # when
    started = time.monotonic()
    member = member_create_for_user(user=UserFactory(), invite_code=inviter.invite_code)
    took = time.monotonic() - started
    skipped = referral_tree_place_pending(tree_id=root.tree_id)  # a second placement does not queue
    release.set()
    placement.result()

    # then
    assert took < 1.0
    assert skipped is None
    assert Member.objects.get(pk=member.pk).lft == 0
    referral_tree_place_pending(tree_id=root.tree_id)
    assert_forest_exact()


def test_a_member_committed_after_a_younger_sibling_was_placed_lands_before_it():
    root = MemberFactory()
    first_user = UserFactory()
    inserted, release = threading.Event(), threading.Event()

    def early_but_slow():
        with transaction.atomic():
            member = member_create_for_user(user=first_user, invite_code=root.invite_code)
            inserted.set()
            release.wait(10)
        return member

    slow = in_thread(early_but_slow)
    assert inserted.wait(10)
    younger = member_create_for_user(user=UserFactory(), invite_code=root.invite_code)
    referral_tree_place_pending(tree_id=root.tree_id)  # places the younger one only
    assert Member.objects.get(pk=younger.pk).lft > 0
    release.set()
    older_member = slow.result()

    referral_tree_place_pending(tree_id=root.tree_id)

    older = Member.objects.get(pk=older_member.pk)
    assert older.pk < younger.pk
    assert older.rght < Member.objects.get(pk=younger.pk).lft
    assert_forest_exact()
