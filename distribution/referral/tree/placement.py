"""Placement: give every pending member of one tree its ``lft``/``rght``/``depth``.

The caller holds the tree's exclusive advisory lock and the transaction.

1. Read the tree's pending rows (partial index ``lft = 0``) and group them into pending
   subtrees hanging under placed parents.
2. For each pending subtree root r under placed parent p, its gap in the Euler tour lies
   between the placed sibling just before r in id order (its ``rght``; else ``p.lft``)
   and the placed sibling just after r (its ``lft``; else ``p.rght``). Roots falling in the
   same gap are siblings with no placed sibling between them: they form one block, in id
   order.
3. Each block gets numbers inside its gap (``layout.place_block``). A block that does not
   fit marks a *respace*: the lowest ancestor A of p (p first) whose interval can hold
   its whole subtree at ``RESPACE_MIN_STEP`` per unit of weight, if need be after growing
   into up to half of the free gaps beside it among its siblings, gets the numbers of all
   its descendants, placed and pending, spread again. The root always can (2**62).
   Growing first matters: a new member under a brand's root who recruits a campaign of
   20,000 outgrows its first interval once, and then only its own subtree is respaced
   (~1 s), not the million-member tree (~50 s). Nested regions merge.
4. One ``UPDATE ... FROM unnest(...)`` writes every new ``(lft, rght, depth)``.

Rows written: the pending rows, plus the descendants of respaced regions (rare: a tail
gap of 2**28 values absorbs ~25 halvings, and respaced tails are sized by their number of
children). Nothing else in the tree is touched, so a batch costs the same in a tree of
10,000 as of 1,000,000 members.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from distribution.referral.tree import layout, store
from distribution.referral.tree.store import Node


class TreeInconsistent(RuntimeError):
    """The parent links and the tree columns disagree: a bug, never user input."""


@dataclass
class PlacementResult:
    tree_id: int
    placed: int = 0  # pending members that got their numbers
    rewritten: int = 0  # rows written, respaced rows included
    respaced: list[int] = field(default_factory=list)  # ids of respaced subtree tops
    placed_ids: list[int] = field(default_factory=list)


@dataclass
class _Region:
    node: Node  # the subtree whose descendants get new numbers
    lft: int  # its interval afterwards: the same, or grown into free room beside it
    rght: int


@dataclass
class _Block:
    parent: Node
    lo: int
    hi: int
    is_tail: bool
    roots: list[int]


def place_tree(tree_id: int) -> PlacementResult:
    result = PlacementResult(tree_id=tree_id)
    pending = store.pending_rows(tree_id)
    if not pending:
        return result
    kids: dict[int, list[int]] = defaultdict(list)
    for member_id in sorted(pending):
        kids[pending[member_id]].append(member_id)
    roots = sorted(m for m, p in pending.items() if p not in pending)
    anchors = _anchors(tree_id, {pending[r] for r in roots})
    blocks = _blocks(roots, pending, anchors)
    sizes = {id(b): _block_size(b.roots, kids) for b in blocks}

    tentative = {}
    failing = []
    for block in blocks:
        tokens = layout.euler_tokens(block.roots, kids)
        labels = layout.place_block(tokens, kids, block.lo, block.hi, is_tail=block.is_tail)
        if labels is None:
            failing.append(block)
        else:
            tentative[id(block)] = (tokens, labels)
    regions = _respace_regions(failing, blocks, sizes)

    rows: list[tuple[int, int, int, int]] = []
    for block in blocks:
        if id(block) in tentative and not any(_inside(block.parent, r.node) for r in regions):
            tokens, labels = tentative[id(block)]
            rows += layout.assignments(tokens, labels, block.parent.depth + 1)
    for region in regions:
        inside = [b for b in blocks if _inside(b.parent, region.node)]
        rows += _respace(region, inside, kids)
        result.respaced.append(region.node.id)
    store.write_labels(rows)
    result.placed_ids = sorted(pending)
    result.placed = len(pending)
    result.rewritten = len(rows)
    if len({r[0] for r in rows} & pending.keys()) != len(pending):
        raise TreeInconsistent(f"tree {tree_id}: some pending members are not under a placed member")
    return result


def respace_tree(tree_id: int) -> int:
    """Spread every number of the tree again (placing its pending members too); returns
    the rows written. Never needed for correctness: for operations and the benchmark's
    worst case. The caller holds the tree's lock."""
    place_tree(tree_id)
    root = store.root(tree_id)
    rows = _respace(_Region(root, root.lft, max(root.rght, layout.ROOT_RGHT)), [], {})
    store.write_labels(rows)
    return len(rows)


def _anchors(tree_id: int, parent_ids: set[int | None]) -> dict[int, Node]:
    if None in parent_ids:
        raise TreeInconsistent(f"tree {tree_id}: a pending member has no parent")
    anchors = store.nodes(parent_ids)
    for parent_id in parent_ids:
        anchor = anchors.get(parent_id)
        if anchor is None or anchor.tree_id != tree_id or anchor.lft == 0:
            raise TreeInconsistent(f"tree {tree_id}: the parent {parent_id} of a pending member "
                                   "is missing, in another tree, or pending while its child is not")
    return anchors


def _blocks(roots: list[int], pending: dict[int, int | None], anchors: dict[int, Node]) -> list[_Block]:
    bounds = store.sibling_bounds([(r, pending[r]) for r in roots])
    by_gap: dict[tuple[int, int, int], _Block] = {}
    for root in roots:  # ascending ids: each block's roots stay in id order
        parent = anchors[pending[root]]
        prev_rght, next_lft = bounds[root]
        lo = parent.lft if prev_rght is None else prev_rght
        hi = parent.rght if next_lft is None else next_lft
        key = (parent.id, lo, hi)
        if key not in by_gap:
            by_gap[key] = _Block(parent=parent, lo=lo, hi=hi, is_tail=next_lft is None, roots=[])
        by_gap[key].roots.append(root)
    return list(by_gap.values())


def _block_size(roots: list[int], kids: dict[int, list[int]]) -> int:
    size, stack = 0, list(roots)
    while stack:
        node = stack.pop()
        size += 1
        stack.extend(kids.get(node, ()))
    return size


def _inside(node: Node, region: Node) -> bool:
    return region.lft <= node.lft <= region.rght


def _respace_regions(failing: list[_Block], blocks: list[_Block], sizes: dict[int, int]) -> list[_Region]:
    """For each failing block: the lowest ancestor (or self) of its parent that can hold
    its whole subtree spread again, growing into the free room beside it if needed.
    Nested regions are merged into the outer one."""
    chosen: list[_Region] = []
    for block in failing:
        if any(_inside(block.parent, region.node) for region in chosen):
            continue
        region = _region_for(block.parent, blocks, sizes)
        chosen = [r for r in chosen if not _inside(r.node, region.node)] + [region]
    return chosen


def _region_for(candidate: Node, blocks: list[_Block], sizes: dict[int, int]) -> _Region:
    while True:
        incoming = sum(sizes[id(b)] for b in blocks if _inside(b.parent, candidate))
        need = layout.RESPACE_MIN_STEP * layout.respace_weight(store.count_descendants(candidate) + incoming)
        if candidate.parent_id is None:  # a root can always widen: nothing lies outside it
            return _Region(candidate, candidate.lft, max(candidate.rght, layout.ROOT_RGHT))
        span = candidate.rght - candidate.lft
        left_free, right_free = _free_beside(candidate, blocks)
        room = span + left_free // 2 + right_free // 2
        if room >= need:
            # Take at most half of each neighbouring gap (a sibling growing from the other
            # side takes at most the other half), aiming at 4x what is needed right now.
            grow = max(0, min(4 * need, room) - span)
            right = min(right_free // 2, grow)
            left = min(left_free // 2, grow - right)
            return _Region(candidate, candidate.lft - left, candidate.rght + right)
        candidate = store.node(candidate.parent_id)


def _free_beside(node: Node, blocks: list[_Block]) -> tuple[int, int]:
    """Free values in the gaps just left and right of ``node`` among its siblings; a gap a
    block of this batch is going into counts as full."""
    parent = store.node(node.parent_id)
    prev_rght, next_lft = store.sibling_bounds([(node.id, node.parent_id)])[node.id]
    lo = parent.lft if prev_rght is None else prev_rght
    hi = parent.rght if next_lft is None else next_lft
    taken = {(b.lo, b.hi) for b in blocks if b.parent.id == parent.id}
    left_free = 0 if any(h == node.lft for _, h in taken) else node.lft - lo - 1
    right_free = 0 if any(lo_ == node.rght for lo_, _ in taken) else hi - node.rght - 1
    return left_free, right_free


def _respace(region: _Region, inside: list[_Block], pending_kids: dict[int, list[int]]) -> list[tuple]:
    """Spread the numbers of every descendant of ``region.node`` over its (possibly grown)
    interval, with the pending blocks inside it joining their parents."""
    node = region.node
    children: dict[int, list[int]] = defaultdict(list)
    for member_id, parent_id in store.subtree_rows(node):
        children[parent_id].append(member_id)
    for block in inside:
        children[block.parent.id].extend(block.roots)
        stack = list(block.roots)
        while stack:
            pending_id = stack.pop()
            if pending_id in pending_kids:
                children[pending_id] = list(pending_kids[pending_id])
                stack.extend(pending_kids[pending_id])
    for child_list in children.values():
        child_list.sort()
    tokens = layout.euler_tokens(children.get(node.id, ()), children)
    weights = layout.gap_weights(tokens, children, last_weight=1 + len(children.get(node.id, ())))
    labels = layout.spread(tokens, region.lft, region.rght, weights)
    if labels is None:
        raise TreeInconsistent(f"tree {node.tree_id}: no room left to number {len(tokens) // 2} members")
    rows = layout.assignments(tokens, labels, node.depth + 1)
    if (region.lft, region.rght) != (node.lft, node.rght):
        rows.append((node.id, region.lft, region.rght, node.depth))
    return rows
