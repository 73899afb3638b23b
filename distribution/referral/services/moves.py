"""Structural changes after sign-up: staff moves, later binding, handover (离职交接).

Every one of them, in one transaction:
1. locks the trees involved EXCLUSIVELY in ascending ``tree_id`` order (and, to make a new
   root, the global roots lock last), then re-reads which trees the members are in and
   starts over if a concurrent move changed that;
2. places the pending members of those trees, and RE-READS the nodes (cached tree columns
   are stale by now, and stale columns corrupt trees);
3. refuses self-binding and cycles with the fresh numbers;
4. locks the moved subtree ``FOR UPDATE`` until no sign-up under it is in flight (see
   ``_lock_team``), so no sign-up copies a ``tree_id``/``depth`` that is about to change;
5. marks the moved rows pending under their new parent and places them: O(moved rows).
Deadlocks (e.g. with a payment updating ``own_paid_sales`` of two members) are retried.
"""

import random
import time
from collections.abc import Callable

from django.db import OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from psycopg2 import errors as pg_errors

from distribution import lock_objects
from distribution.models import BindingHistory, BindSource, Member
from distribution.referral.errors import (
    BindingCycle,
    HandoverScopeInvalid,
    MemberNotFound,
    NothingToHandOver,
    ReasonRequired,
    SameUpline,
    TreeBusy,
)
from distribution.referral.tree import layout, store
from distribution.referral.tree.placement import place_tree
from distribution.referral.tree.store import Node
from mall.models import User

MAX_ATTEMPTS = 4
HANDOVER_SCOPES = ("direct", "team")
RETRYABLE = (pg_errors.DeadlockDetected, pg_errors.SerializationFailure)
BindCheck = Callable[[Member], None]


class _TreeChanged(Exception):
    """A concurrent move put a member in another tree between the read and the lock."""


def member_move(*, member: Member, new_parent: Member | None, operator: User | None, reason: str,
                source: str = BindSource.STAFF) -> Member:
    """Staff: move ``member`` (with its team) under ``new_parent``, or make it a root."""
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    new_parent_id = new_parent.pk if new_parent is not None else None
    return _retrying(lambda: _move(member.pk, new_parent_id, source=source, operator=operator,
                                   reason=reason[:200], check=None))


def member_rebind(*, member: Member, inviter: Member, source: str, reason: str, check: BindCheck) -> Member:
    """A member binding through an invite after sign-up (``services.binding``)."""
    return _retrying(lambda: _move(member.pk, inviter.pk, source=source, operator=None,
                                   reason=reason, check=check))


def member_handover(*, departing: Member, to: Member, scope: str, operator: User | None,
                    reason: str) -> int:
    """Staff: hand a departing reseller's downlines to ``to``; returns how many re-bound.

    - ``direct``: each direct downline is re-bound under ``to`` and keeps its own team
      (in a referral tree a downline's team follows it);
    - ``team``: every member of the departing reseller's team becomes a direct downline of
      ``to`` (the team's internal links are dropped; each change is in the history).
    The departing member stays where they are, with no team. Members who join under them
    while the handover runs stay theirs.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    if scope not in HANDOVER_SCOPES:
        raise HandoverScopeInvalid()
    return _retrying(lambda: _handover(departing.pk, to.pk, scope=scope, operator=operator,
                                       reason=reason[:200]))


def _retrying(run: Callable[[], object]):
    if connection.in_atomic_block:  # the caller's transaction: a savepoint, no retry
        try:
            with transaction.atomic():
                return run()
        except _TreeChanged:
            raise TreeBusy() from None
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                return run()
        except _TreeChanged:
            if attempt == MAX_ATTEMPTS:
                raise TreeBusy() from None
        except OperationalError as exc:
            if attempt == MAX_ATTEMPTS or not isinstance(exc.__cause__, RETRYABLE):
                raise
        time.sleep(random.uniform(0.01, 0.05) * attempt)  # noqa: S311 - jitter, not secrecy
    raise AssertionError("unreachable")


def _lock_trees_and_place(member_ids: list[int], *, make_root: bool) -> dict[int, Node]:
    before = store.nodes(member_ids)
    if len(before) != len(set(member_ids)):
        raise MemberNotFound()
    trees = {n.tree_id for n in before.values()}
    lock_objects.trees_lock(trees)
    if make_root:
        lock_objects.roots_lock()
    if {n.tree_id for n in store.nodes(member_ids).values()} != trees:
        raise _TreeChanged()
    for tree_id in sorted(trees):
        place_tree(tree_id)
    return store.nodes(member_ids)


def _lock_team(member_id: int) -> Node:
    """``FOR UPDATE`` on every descendant, until a placement adds none.

    Each lock waits for the sign-ups holding ``FOR KEY SHARE`` on a locked row; the
    placement after it numbers what they committed; when a round adds no row, every
    descendant is locked and no sign-up under one of them is in flight or can start.
    """
    node = store.node(member_id)
    count = lock_objects.members_lock_range(tree_id=node.tree_id, lft_above=node.lft, lft_below=node.rght)
    while True:
        place_tree(node.tree_id)
        node = store.node(member_id)  # a respace may have renumbered it
        again = lock_objects.members_lock_range(tree_id=node.tree_id, lft_above=node.lft,
                                                lft_below=node.rght)
        if again == count:
            return node
        count = again


def _refuse_cycle(member: Node, target: Node) -> None:
    if target.id == member.id or (target.tree_id == member.tree_id and member.lft < target.lft < member.rght):
        raise BindingCycle()


def _move(member_id: int, new_parent_id: int | None, *, source: str, operator: User | None,
          reason: str, check: BindCheck | None) -> Member:
    ids = [member_id] if new_parent_id is None else [member_id, new_parent_id]
    nodes = _lock_trees_and_place(ids, make_root=new_parent_id is None)
    member = nodes[member_id]
    if new_parent_id is not None:
        _refuse_cycle(member, nodes[new_parent_id])
    if member.parent_id == new_parent_id:
        raise SameUpline()
    if check is not None:
        check(Member.objects.get(pk=member_id))
    member = _lock_team(member_id)
    team = Member.objects.filter(tree_id=member.tree_id, lft__gt=member.lft, lft__lt=member.rght)
    now = timezone.now()
    if new_parent_id is None:
        new_tree = store.next_tree_id()
        # Its team's numbers already lie inside (1, 2**62): only tree_id and depth change.
        team.update(tree_id=new_tree, depth=F("depth") - member.depth)
        Member.objects.filter(pk=member_id).update(
            parent=None, tree_id=new_tree, depth=0, lft=layout.ROOT_LFT, rght=layout.ROOT_RGHT,
            bound_at=None, bind_source="")
    else:
        parent = store.node(new_parent_id)
        delta = parent.depth + 1 - member.depth
        Member.objects.filter(pk=member_id).update(
            parent_id=parent.id, tree_id=parent.tree_id, depth=parent.depth + 1, lft=0, rght=0,
            bound_at=now, bind_source=source)
        team.update(tree_id=parent.tree_id, depth=F("depth") + delta, lft=0, rght=0)
        place_tree(parent.tree_id)
    BindingHistory.objects.create(member_id=member_id, old_parent_id=member.parent_id,
                                  new_parent_id=new_parent_id, source=source, operator=operator,
                                  reason=reason)
    return Member.objects.get(pk=member_id)


def _handover(departing_id: int, to_id: int, *, scope: str, operator: User | None, reason: str) -> int:
    nodes = _lock_trees_and_place([departing_id, to_id], make_root=False)
    departing, target = nodes[departing_id], nodes[to_id]
    _refuse_cycle(departing, target)
    departing = _lock_team(departing_id)
    target = store.node(to_id)
    team = Member.objects.filter(tree_id=departing.tree_id, lft__gt=departing.lft, lft__lt=departing.rght)
    if scope == "direct":
        moved = list(team.filter(parent_id=departing_id).order_by("id").values_list("id", "parent_id"))
    else:
        moved = list(team.order_by("id").values_list("id", "parent_id"))
    if not moved:
        raise NothingToHandOver()
    now = timezone.now()
    moved_ids = [member_id for member_id, _ in moved]
    if scope == "direct":
        team.update(tree_id=target.tree_id, depth=F("depth") + target.depth - departing.depth,
                    lft=0, rght=0)
        Member.objects.filter(pk__in=moved_ids).update(parent_id=to_id, bound_at=now,
                                                      bind_source=BindSource.HANDOVER)
    else:
        team.update(parent_id=to_id, tree_id=target.tree_id, depth=target.depth + 1, lft=0, rght=0,
                    bound_at=now, bind_source=BindSource.HANDOVER)
    place_tree(target.tree_id)
    BindingHistory.objects.bulk_create(
        [BindingHistory(member_id=member_id, old_parent_id=old_parent, new_parent_id=to_id,
                        source=BindSource.HANDOVER, operator=operator, reason=reason)
         for member_id, old_parent in moved],
        batch_size=2000,
    )
    return len(moved)
