"""Who waits for whom, with real parallel connections (threads, one connection each)."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections, transaction

from distribution import lock_objects
from distribution.models import Member
from distribution.referral.services.members import member_create_for_user
from distribution.referral.services.moves import member_move
from distribution.referral.services.placement import referral_tree_place_pending
from tests.distribution.factories import MemberFactory
from tests.distribution.trees import assert_forest_exact
from tests.mall.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def in_thread(fn):
    """Run ``fn`` on its own connection; returns (thread, result dict)."""
    result = {}

    def run():
        try:
            result["value"] = fn()
        except Exception as exc:  # reported to the test, which asserts on it
            result["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def test_concurrent_roots_get_distinct_tree_ids():
    users = [UserFactory() for _ in range(16)]
    barrier = threading.Barrier(16)

    def signup(user):
        barrier.wait()
        try:
            return member_create_for_user(user=user).tree_id
        finally:
            connections.close_all()

    with ThreadPoolExecutor(16) as pool:
        tree_ids = list(pool.map(signup, users))

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

    signup_thread, _ = in_thread(slow_signup)
    assert signed_up.wait(10)

    # when: staff move a (with x) into the other tree
    move_thread, move = in_thread(lambda: member_move(member=a, new_parent=other, operator=None, reason="x"))
    time.sleep(0.7)
    move_was_waiting = move_thread.is_alive()
    release.set()
    signup_thread.join(10)
    move_thread.join(20)

    # then: the move waited, and the new member followed x into the other tree
    assert move_was_waiting
    assert "error" not in move, move.get("error")
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

    placement_thread, _ = in_thread(placement_in_progress)
    assert locked.wait(10)

    # when
    started = time.monotonic()
    member = member_create_for_user(user=UserFactory(), invite_code=inviter.invite_code)
    took = time.monotonic() - started
    skipped = referral_tree_place_pending(tree_id=root.tree_id)  # a second placement does not queue
    release.set()
    placement_thread.join(10)

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

    slow_thread, slow = in_thread(early_but_slow)
    assert inserted.wait(10)
    younger = member_create_for_user(user=UserFactory(), invite_code=root.invite_code)
    referral_tree_place_pending(tree_id=root.tree_id)  # places the younger one only
    assert Member.objects.get(pk=younger.pk).lft > 0
    release.set()
    slow_thread.join(10)

    referral_tree_place_pending(tree_id=root.tree_id)

    older = Member.objects.get(pk=slow["value"].pk)
    assert older.pk < younger.pk
    assert older.rght < Member.objects.get(pk=younger.pk).lft
    assert_forest_exact()
