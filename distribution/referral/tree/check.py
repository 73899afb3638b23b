"""Compare the forest with what a rebuild from the parent links gives (invariant I1).

For every tree: exactly one root; every member's parent is in the same tree; no cycles;
placed members only under placed parents; and, for the placed members, walking the tree
in rebuild order (children by id) meets their ``lft``/``rght`` values in strictly
increasing order with the rebuild's depths. That is the exact gapped form of "equal to a
rebuild": ranking the values reproduces ``partial_rebuild()``'s numbers one for one.
Pending members must have ``depth = parent + 1``; those pending for longer than the
freshness bound are reported as stale.

Rows are streamed ordered by (tree_id, id) through a server-side cursor, one tree in memory
at a time (a 1M-member tree takes a few seconds).
"""

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from distribution.models import Member
from distribution.referral.tree import layout

MAX_DETAILS = 50

# (id, parent_id, tree_id, lft, rght, depth, joined_at)
Row = tuple[int, int | None, int, int, int, int, datetime]


@dataclass
class CheckReport:
    trees: int = 0
    members: int = 0
    placed: int = 0
    pending: int = 0
    stale_pending: int = 0
    problems: int = 0
    details: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problems == 0 and self.stale_pending == 0

    def problem(self, tree_id: int, text: str) -> None:
        self.problems += 1
        if len(self.details) < MAX_DETAILS:
            self.details.append(f"tree {tree_id}: {text}")

    def summary(self) -> str:
        verdict = "OK" if self.ok else "DRIFT" if self.problems else "STALE"
        return (f"{verdict}: {self.trees} trees, {self.members} members ({self.placed} placed, "
                f"{self.pending} pending, {self.stale_pending} pending beyond the bound), "
                f"{self.problems} problems")


def check_forest(*, tree_id: int | None = None, stale_before: datetime) -> CheckReport:
    rows = Member.objects.order_by("tree_id", "id").values_list(
        "id", "parent_id", "tree_id", "lft", "rght", "depth", "joined_at")
    if tree_id is not None:
        rows = rows.filter(tree_id=tree_id)
    report = CheckReport()
    for current_tree, tree_rows in itertools.groupby(rows.iterator(chunk_size=20_000), key=lambda r: r[2]):
        check_tree(current_tree, list(tree_rows), stale_before=stale_before, report=report)
    return report


def check_tree(tree_id: int, rows: Sequence[Row], *, stale_before: datetime, report: CheckReport) -> None:
    report.trees += 1
    report.members += len(rows)
    by_id = {row[0]: row for row in rows}
    roots = [row for row in rows if row[1] is None]
    if len(roots) != 1:
        report.problem(tree_id, f"{len(roots)} roots (every tree has exactly one)")
    children: dict[int, list[int]] = defaultdict(list)
    pending = []
    for member_id, parent_id, _, lft, _, depth, joined_at in rows:
        if parent_id is None:
            continue
        parent = by_id.get(parent_id)
        if parent is None:
            report.problem(tree_id, f"member {member_id}: its parent {parent_id} is not in this tree")
        elif lft == 0:
            pending.append(member_id)
            if depth != parent[5] + 1:
                report.problem(tree_id, f"pending member {member_id}: depth {depth}, parent's {parent[5]}")
            if joined_at < stale_before:
                report.stale_pending += 1
        elif parent[3] == 0:
            report.problem(tree_id, f"member {member_id} is placed but its parent {parent_id} is pending")
        else:
            children[parent_id].append(member_id)  # rows come in id order
    report.pending += len(pending)
    _check_pending_chains(tree_id, pending, by_id, report)
    placed = sum(1 for row in rows if row[3] > 0)
    report.placed += placed
    if len(roots) == 1:
        visited = _check_tour(tree_id, roots[0], children, by_id, report)
        if visited != placed:
            report.problem(tree_id, f"{placed - visited} placed members are not reachable from the root"
                                    " (cycle)")


def _check_tour(tree_id: int, root: Row, children: dict[int, list[int]], by_id: dict[int, Row],
                report: CheckReport) -> int:
    tokens = layout.euler_tokens([root[0]], children)
    expected_depth = layout.depths(tokens, 0)
    previous = 0
    for node, closing in tokens:
        value = by_id[node][4] if closing else by_id[node][3]
        if value <= previous:
            end = "rght" if closing else "lft"
            report.problem(tree_id, f"member {node}: {end} {value} is out of rebuild order"
                                    f" (after {previous})")
        previous = value
        if not closing and by_id[node][5] != expected_depth[node]:
            report.problem(tree_id, f"member {node}: depth {by_id[node][5]},"
                                    f" rebuild gives {expected_depth[node]}")
    return len(tokens) // 2


def _check_pending_chains(tree_id: int, pending: Iterable[int], by_id: dict[int, Row],
                          report: CheckReport) -> None:
    """Every pending member's parent chain must reach a placed member (no cycle)."""
    reaches_placed: set[int] = set()
    for start in pending:
        chain, node = [], start
        while node not in reaches_placed:
            row = by_id.get(node)
            if row is None or row[3] > 0:
                break
            if node in chain:
                report.problem(tree_id, f"pending members {sorted(chain)} form a cycle")
                break
            chain.append(node)
            node = row[1]
        reaches_placed.update(chain)
