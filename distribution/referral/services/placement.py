"""Running placement: now, after a sign-up commits, or from the periodic sweep.

See ``distribution/tree/__init__.py`` for the design and its freshness bound.
"""

import logging
import time
from dataclasses import dataclass

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from distribution import lock_objects
from distribution.referral.services.settings import referral_settings_get
from distribution.referral.tree import store
from distribution.referral.tree.placement import PlacementResult, place_tree

logger = logging.getLogger(__name__)

PLACE_TASK = "distribution.tasks.place_referral_tree"
SCHEDULE_KEY = "distribution:place-tree:{tree_id}"
_INTERVAL_CACHE_SECONDS = 30.0
_interval_cache: tuple[float, int] | None = None
_LOCAL_WINDOWS_MAX = 10_000
_local_windows: dict[int, float] = {}  # tree_id -> end of this process's current window


def referral_tree_place_pending(*, tree_id: int, wait: bool = False) -> PlacementResult | None:
    """Number the tree's pending members, in one transaction under its exclusive lock.

    Returns ``None`` without waiting when another placement or a move holds the tree
    (``wait=False``): that one will see these rows, or the next sweep will.
    """
    with transaction.atomic():
        if wait:
            lock_objects.tree_lock(tree_id)
        elif not lock_objects.tree_try_lock(tree_id):
            return None
        return place_tree(tree_id)


@dataclass
class SweepResult:
    trees: int = 0
    placed: int = 0
    skipped: int = 0


def referral_trees_place_all_pending() -> SweepResult:
    """Place every tree that has pending members (the beat sweep, and the command)."""
    result = SweepResult()
    for tree_id in store.trees_with_pending():
        placed = referral_tree_place_pending(tree_id=tree_id)
        if placed is None:
            result.skipped += 1
            continue
        result.trees += 1
        result.placed += placed.placed
    return result


def _placement_interval() -> int:
    """``placement_interval_seconds``, re-read at most every 30 s: it is read after every
    sign-up, and a scheduling knob does not need to be fresher than that."""
    global _interval_cache  # noqa: PLW0603 - a per-process memo
    now = time.monotonic()
    if _interval_cache is None or _interval_cache[0] < now:
        _interval_cache = (now + _INTERVAL_CACHE_SECONDS, referral_settings_get().placement_interval_seconds)
    return _interval_cache[1]


def placement_schedule(*, tree_id: int) -> None:
    """After the current transaction commits, make sure the tree gets placed soon."""
    transaction.on_commit(lambda: _placement_after_commit(tree_id))


def _placement_after_commit(tree_id: int) -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # Embedded mode: place right now. On SQLite this never waits for a lock (one writer
        # at a time, BEGIN IMMEDIATE). A failure must not turn a committed sign-up into an
        # error page: it is logged, and the member stays pending until the next placement.
        try:
            referral_tree_place_pending(tree_id=tree_id)
        except Exception:
            logger.exception("inline placement of referral tree %s failed", tree_id)
        return
    interval = _placement_interval()
    # Coalescing, in two steps. Within a process: one cache call per tree and window (a
    # round trip to Redis costs a third of a sign-up's tree work). Across processes: the
    # first sign-up of a window adds the key and schedules one run at the window's end;
    # the others find the key and queue nothing. Whatever falls between windows is placed
    # by the beat sweep, which is what the stated freshness bound relies on.
    now = time.monotonic()
    if _local_windows.get(tree_id, 0.0) > now:
        return
    if len(_local_windows) >= _LOCAL_WINDOWS_MAX:
        _local_windows.clear()
    _local_windows[tree_id] = now + interval
    if cache.add(SCHEDULE_KEY.format(tree_id=tree_id), 1, timeout=interval):
        # By name: the task module sits above this service (it calls it), so importing it here
        # would be an import circle; the signature resolves the registered task at call time.
        current_app.signature(PLACE_TASK, args=(tree_id,)).apply_async(countdown=interval)
