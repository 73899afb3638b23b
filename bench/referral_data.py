"""Build a referral forest fast: a preferential-attachment tree generated in Python,
numbered in Python with the engine's own layout, loaded with COPY."""

import io
import random
import time
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from bench.common import say

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
COPY_CHUNK = 100_000


@dataclass
class Forest:
    """Member ``i`` (0-based) has id ``i + 1``; ``parents[i]`` is a 0-based index, -1 for the root."""

    n: int
    parents: array
    pool: array  # preferential-attachment draw pool: each member once, plus once per child
    sizes: array  # team size + 1 (the member itself)
    codes: list[str]

    def draw_parent(self, rng: random.Random) -> int:
        return self.pool[int(rng.random() * len(self.pool))]


def generate(n: int, seed: int = 42) -> Forest:
    """New members join busy members more often (weight = 1 + number of downlines)."""
    rng = random.Random(seed)
    parents = array("l", [-1]) * n
    pool = array("l", [0])
    for i in range(1, n):
        parent = pool[int(rng.random() * len(pool))]
        parents[i] = parent
        pool.append(parent)
        pool.append(i)
    sizes = array("l", [1]) * n
    for i in range(n - 1, 0, -1):  # parents come before children
        sizes[parents[i]] += sizes[i]
    codes, seen = [], set()
    while len(codes) < n:
        code = "".join(rng.choices(ALPHABET, k=10))
        if code not in seen:
            seen.add(code)
            codes.append(code)
    return Forest(n=n, parents=parents, pool=pool, sizes=sizes, codes=codes)


def number(forest: Forest) -> list[tuple[int, int, int, int]]:
    """``(id, lft, rght, depth)`` for every member: the layout a respace of the root gives."""
    from distribution.referral.tree import layout

    children: dict[int, list[int]] = {}
    for i in range(1, forest.n):
        children.setdefault(forest.parents[i] + 1, []).append(i + 1)
    top = children.get(1, [])
    tokens = layout.euler_tokens(top, children)
    weights = layout.gap_weights(tokens, children, last_weight=1 + len(top))
    labels = layout.spread(tokens, layout.ROOT_LFT, layout.ROOT_RGHT, weights)
    rows = layout.assignments(tokens, labels, 1)
    rows.append((1, layout.ROOT_LFT, layout.ROOT_RGHT, 0))
    return rows


def _text(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _column_value(field, value):
    """What the column stores: amounts are integer fen (common.fields.MoneyField)."""
    from common.fields import MoneyField  # after django.setup()

    return field.get_prep_value(value) if isinstance(field, MoneyField) else value


def copy_model(model, rows: Iterable[dict]) -> int:
    """COPY rows (attname → value) into the model's table; other columns get their model
    default, so fields other apps add later with defaults do not break the loader."""
    from django.db import connection

    fields = model._meta.concrete_fields
    defaults = {f.attname: f.get_default() for f in fields}
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    total = 0
    for chunk in _chunks(rows):
        buffer = io.StringIO()
        for row in chunk:
            buffer.write("\t".join(_text(_column_value(f, row.get(f.attname, defaults[f.attname])))
                                    for f in fields))
            buffer.write("\n")
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.copy_expert(sql, buffer)
        total += len(chunk)
    return total


def _chunks(rows: Iterable[dict]) -> Iterator[list[dict]]:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == COPY_CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def phone(user_id: int) -> str:
    return f"1{3_000_000_000 + user_id}"


def load(forest: Forest, numbers: list[tuple[int, int, int, int]], *, extra_users: int,
         seed: int = 7) -> dict[str, float]:
    """Empty the tables, then COPY users (members + ``extra_users`` without a member yet),
    members and the adjacency floor table. FK triggers are off during the load (the data
    is consistent by construction); the secondary indexes are rebuilt after it."""
    from django.db import connection
    from django.utils import timezone

    from distribution.models import Member
    from mall.models import User

    timings = {}
    clock = time.perf_counter()
    rng = random.Random(seed)
    now = timezone.now()
    member_table = Member._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {User._meta.db_table}, {member_table}, bench_adjacency"
                       " RESTART IDENTITY CASCADE")
        cursor.execute("SELECT indexdef, indexname FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                       "(SELECT conname FROM pg_constraint)", [member_table])
        index_defs = cursor.fetchall()
        for _, name in index_defs:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET session_replication_role = replica")
    try:
        total_users = forest.n + extra_users
        copy_model(User, ({"id": uid, "password": "!bench", "phone": phone(uid), "date_joined": now}
                          for uid in range(1, total_users + 1)))
        timings["users"] = time.perf_counter() - clock
        clock = time.perf_counter()
        copy_model(Member, _member_rows(forest, numbers, rng, now))
        timings["members"] = time.perf_counter() - clock
        clock = time.perf_counter()
        with connection.cursor() as cursor:
            buffer = io.StringIO("".join(
                f"{i + 1}\t{_text(forest.parents[i] + 1 if forest.parents[i] >= 0 else None)}\n"
                for i in range(forest.n)))
            cursor.copy_expert("COPY bench_adjacency (id, parent_id) FROM STDIN", buffer)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET session_replication_role")
    with connection.cursor() as cursor:
        for indexdef, _ in index_defs:
            cursor.execute(indexdef)
        for table, top in ((User._meta.db_table, total_users), (member_table, forest.n),
                           ("bench_adjacency", forest.n)):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [top])
    timings["adjacency+indexes"] = time.perf_counter() - clock
    clock = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {User._meta.db_table}, {member_table}, bench_adjacency")
    timings["vacuum"] = time.perf_counter() - clock
    return timings


def _member_rows(forest: Forest, numbers, rng: random.Random, now) -> Iterator[dict]:
    by_id = {row[0]: row for row in numbers}
    for i in range(forest.n):
        member_id = i + 1
        _, lft, rght, depth = by_id[member_id]
        parent = forest.parents[i]
        sales = Decimal(rng.randint(100, 50_000)) / 100 if rng.random() < 0.3 else Decimal("0.00")
        yield {"id": member_id, "user_id": member_id, "parent_id": parent + 1 if parent >= 0 else None,
               "invite_code": forest.codes[i], "joined_at": now, "bound_at": now if parent >= 0 else None,
               "bind_source": "link" if parent >= 0 else "", "own_paid_sales": sales,
               "tree_id": 1, "lft": lft, "rght": rght, "depth": depth}


def build(n: int, *, extra_users: int) -> Forest:
    clock = time.perf_counter()
    forest = generate(n)
    generated = time.perf_counter() - clock
    clock = time.perf_counter()
    numbers = number(forest)
    numbered = time.perf_counter() - clock
    timings = load(forest, numbers, extra_users=extra_users)
    say(f"  built {n:,} members: generate {generated:.1f} s, number {numbered:.1f} s, "
        + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
    return forest
