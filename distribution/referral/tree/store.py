"""The SQL of the tree engine. PostgreSQL gets set-based statements (arrays, ``unnest``,
one round trip per step); SQLite, the single-writer embedded mode where batches are a
sign-up or two, gets the plain portable form of each step.

Raw SQL here formats only table and column names taken from the models (hence the
``noqa: S608``); every value is a bound parameter."""

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from django.db import connection

from common.db import is_postgres
from distribution.models import Member

TABLE = Member._meta.db_table
CHUNK = 500  # ids per IN (...) on SQLite


class Node(NamedTuple):
    id: int
    parent_id: int | None
    tree_id: int
    lft: int
    rght: int
    depth: int


NODE_COLUMNS = "id, parent_id, tree_id, lft, rght, depth"


def _fetchall(sql: str, params: Sequence) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _chunks(values: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def pending_rows(tree_id: int) -> dict[int, int | None]:
    """``{id: parent_id}`` of the tree's pending members (served by the partial index)."""
    rows = _fetchall(f"SELECT id, parent_id FROM {TABLE} WHERE tree_id = %s AND lft = 0", [tree_id])  # noqa: S608
    return dict(rows)


def nodes(ids: Iterable[int]) -> dict[int, Node]:
    ids = list(ids)
    if not ids:
        return {}
    if is_postgres():
        rows = _fetchall(f"SELECT {NODE_COLUMNS} FROM {TABLE} WHERE id = ANY(%s)", [ids])  # noqa: S608
    else:
        rows = []
        for chunk in _chunks(ids):
            marks = ", ".join(["%s"] * len(chunk))
            rows += _fetchall(f"SELECT {NODE_COLUMNS} FROM {TABLE} WHERE id IN ({marks})", chunk)  # noqa: S608
    return {row[0]: Node(*row) for row in rows}


def root(tree_id: int) -> Node:
    row = _fetchall(f"SELECT {NODE_COLUMNS} FROM {TABLE} WHERE tree_id = %s AND parent_id IS NULL",  # noqa: S608
                    [tree_id])
    return Node(*row[0])


def node(member_id: int) -> Node | None:
    return nodes([member_id]).get(member_id)


_BOUNDS_PREV = (f"SELECT s.rght FROM {TABLE} s WHERE s.parent_id = {{pid}} AND s.id < {{rid}}"  # noqa: S608
                " AND s.lft > 0 ORDER BY s.id DESC LIMIT 1")
_BOUNDS_NEXT = (f"SELECT s.lft FROM {TABLE} s WHERE s.parent_id = {{pid}} AND s.id > {{rid}}"  # noqa: S608
                " AND s.lft > 0 ORDER BY s.id LIMIT 1")


def sibling_bounds(roots: Sequence[tuple[int, int]]) -> dict[int, tuple[int | None, int | None]]:
    """For each ``(pending root id, parent id)``: the ``rght`` of the placed sibling just
    before it in id order and the ``lft`` of the placed sibling just after it (or None).
    Walks the (parent_id, id) index from the root's id in both directions."""
    if not roots:
        return {}
    if is_postgres():
        prev_sql = _BOUNDS_PREV.format(pid="r.pid", rid="r.id")
        next_sql = _BOUNDS_NEXT.format(pid="r.pid", rid="r.id")
        rows = _fetchall(
            f"SELECT r.id, ({prev_sql}), ({next_sql})"  # noqa: S608
            " FROM unnest(%s::bigint[], %s::bigint[]) AS r(id, pid)",
            [[r for r, _ in roots], [p for _, p in roots]],
        )
        return {row[0]: (row[1], row[2]) for row in rows}
    prev_sql = _BOUNDS_PREV.format(pid="%s", rid="%s")
    next_sql = _BOUNDS_NEXT.format(pid="%s", rid="%s")
    result = {}
    for root_id, parent_id in roots:
        row = _fetchall(f"SELECT ({prev_sql}), ({next_sql})", [parent_id, root_id, parent_id, root_id])[0]
        result[root_id] = (row[0], row[1])
    return result


def count_descendants(anchor: Node) -> int:
    return int(_fetchall(f"SELECT count(*) FROM {TABLE} WHERE tree_id = %s AND lft > %s AND lft < %s",  # noqa: S608
                         [anchor.tree_id, anchor.lft, anchor.rght])[0][0])


def subtree_rows(anchor: Node) -> list[tuple[int, int]]:
    """``(id, parent_id)`` of the placed descendants of ``anchor``."""
    return _fetchall(f"SELECT id, parent_id FROM {TABLE} WHERE tree_id = %s AND lft > %s AND lft < %s",  # noqa: S608
                     [anchor.tree_id, anchor.lft, anchor.rght])


def write_labels(rows: Sequence[tuple[int, int, int, int]]) -> None:
    """Set ``(lft, rght, depth)`` of each ``(id, lft, rght, depth)`` row."""
    if not rows:
        return
    if is_postgres():
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {TABLE} AS m SET lft = v.lft, rght = v.rght, depth = v.depth"  # noqa: S608
                " FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::int[]) AS v(id, lft, rght, depth)"
                " WHERE m.id = v.id",
                [[r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows]],
            )
        return
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {TABLE} SET lft = %s, rght = %s, depth = %s WHERE id = %s",  # noqa: S608
                           [(r[1], r[2], r[3], r[0]) for r in rows])


def trees_with_pending() -> list[int]:
    return [row[0] for row in _fetchall(
        f"SELECT DISTINCT tree_id FROM {TABLE} WHERE lft = 0 ORDER BY tree_id", [])]  # noqa: S608


def next_tree_id() -> int:
    """Callers hold the global roots lock."""
    return int(_fetchall(f"SELECT COALESCE(MAX(tree_id), 0) + 1 FROM {TABLE}", [])[0][0])  # noqa: S608
