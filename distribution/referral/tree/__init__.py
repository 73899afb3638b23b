"""The referral-forest engine: django-mptt trees kept correct under concurrency and with a
sign-up cost that does not grow with the tree.

Why not django-mptt's own insert
    ``Member.objects.create(parent=p)`` rewrites every row to the right of ``p``: ~40 % of
    the tree per sign-up (4.8 s at 1M members), and concurrent inserts corrupt it.

Design: deferred placement + gapped numbering
    *Sign-up* (``services.members.member_create_for_user``) writes the parent link only:
    the member row with ``parent_id``, the parent's ``tree_id``, ``depth = parent + 1`` and
    ``lft = rght = 0`` (pending), plus its binding-history row, in the sign-up
    transaction. It locks the inviter's row ``FOR KEY SHARE`` and nothing else (see
    ``lock_objects``), so sign-ups into one tree run in parallel and never wait for a
    placement. Cost: two index-backed INSERTs and one index lookup, whatever the tree size.
    The commission engine needs only the parent chain, which is complete at once.

    *Placement* (``placement.place_tree``, run by ``services.placement``) takes the tree's
    exclusive advisory lock with ``pg_try_advisory_xact_lock`` (a second run never queues
    behind the first) and numbers all pending rows of the tree in one batch.

    *Gapped numbering.* The brief's first design was dense numbering with one set-based
    shift per batch (``lft = lft + cum[width_bucket(lft, xs) + 1]``). Measured on this
    2-core machine, that shift rewrites every row right of the leftmost insertion point,
    ~the whole tree for any batch of a preferential-attachment campaign: 25.7 s per batch
    at 1M members with this table's indexes (measured in ``bench/``), holding row locks on
    the whole tree for that long (the orders hook's ``own_paid_sales`` updates would wait) and
    leaving 1M dead tuples per batch (team figures read 3-7x slower until vacuum). So
    numbers are 64-bit and gapped instead: a new block of members gets values inside the
    gap where the rebuild order puts it, and only the pending rows are written. When a gap
    is exhausted, the smallest enclosing subtree with room is spread again (a respace; the
    root spans 2**62, so it always has room). A placement batch therefore costs
    O(batch + respaced subtree), usually O(batch).

    What stays true (I1): read in increasing order, a tree's ``lft``/``rght`` values are
    exactly the Euler tour a rebuild produces (children by id), so ranking them gives
    ``partial_rebuild()``'s numbers; ``depth`` and ``tree_id`` are exact.
    ``check_referral_tree`` verifies exactly that. What changes: ``rght - lft`` no longer
    counts descendants, so ``Member`` overrides django-mptt's ``get_descendant_count`` /
    ``is_leaf_node`` / ``get_leafnodes``, and team figures are range COUNT/SUM queries.

    *Freshness.* A committed sign-up schedules placement of its tree (Celery, coalesced
    through a cache key, ``ReferralSettings.placement_interval_seconds``, default 5 s), and
    a beat sweep every 10 s places every tree with pending rows. Team figures are fresh
    within the sweep interval + a batch, + one cycle skipped behind a running batch: stated
    bound 30 s (``bench/``: max lag 6.6 s at 1,550 sign-ups/s into a 1M tree).
    In the embedded mode (SQLite, eager Celery) placement runs inline right after the
    sign-up commits.

    *Moves* (staff moves, later binding, handover) lock both trees exclusively in
    ``tree_id`` order, place their pending rows, re-read the nodes, refuse cycles, lock the
    moved subtree ``FOR UPDATE`` (waiting out sign-ups under it), then mark the subtree
    pending under its new parent and place it: O(moved subtree). Making a member a root
    keeps its subtree's numbers (they already lie inside (1, 2**62)).
"""
