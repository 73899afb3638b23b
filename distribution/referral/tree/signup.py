"""The sign-up's tree work on PostgreSQL, in ONE statement (one round trip):

    WITH p AS (SELECT ... FROM member WHERE invite_code = %s FOR KEY SHARE),   -- the inviter
         m AS (INSERT INTO member (...) SELECT ... FROM p                     -- pending member
               ON CONFLICT DO NOTHING RETURNING id, parent_id),
         h AS (INSERT INTO bindinghistory (...) SELECT ... FROM m)            -- its history
    SELECT p.*, m.id FROM p LEFT JOIN m ON true

Three statements through the ORM cost ~3x a plain insert (measured in ``bench/``), mostly
round trips and SQL compilation; this one costs about one insert. The column lists are
built from the models once per process, and every column the statement does not set gets
its model default per call, so fields added to ``Member`` later need no change here.
No row back: unknown code. A row without ``m.id``: the random invite code collided
(or the user already has a node): the caller draws another code.

Raw SQL here formats only table and column names taken from the models (hence the
``noqa: S608``); every value is a bound parameter.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.db import connection

from distribution.models import BindingHistory, Member


@dataclass(frozen=True)
class SignupRow:
    inviter_id: int
    inviter_user_id: int
    tree_id: int
    depth: int  # the new member's
    member_id: int | None


class _InsertTemplate:
    """``INSERT INTO t (every column) SELECT <exprs or %s>``: ``exprs`` are SQL over the
    CTE row; every other column is a parameter, given or the field's default."""

    def __init__(self, model, exprs: dict[str, str]) -> None:
        self.fields = []
        columns, select = [], []
        for field in model._meta.concrete_fields:
            if field.primary_key:
                continue
            columns.append(connection.ops.quote_name(field.column))
            if field.attname in exprs:
                select.append(exprs[field.attname])
            else:
                select.append("%s")
                self.fields.append(field)
        self.table = connection.ops.quote_name(model._meta.db_table)
        self.columns = ", ".join(columns)
        self.select = ", ".join(select)

    def params(self, values: dict[str, object]) -> list:
        prepared = []
        for field in self.fields:
            value = values[field.attname] if field.attname in values else field.get_default()
            prepared.append(field.get_db_prep_save(value, connection))
        return prepared


@cache
def _templates() -> tuple[_InsertTemplate, _InsertTemplate, str]:
    member = _InsertTemplate(Member, {"parent_id": "p.id", "tree_id": "p.tree_id", "depth": "p.depth + 1",
                                      "lft": "0", "rght": "0"})
    history = _InsertTemplate(BindingHistory, {"member_id": "m.id", "old_parent_id": "NULL",
                                               "new_parent_id": "m.parent_id", "operator_id": "NULL"})
    sql = (
        f"WITH p AS (SELECT id, user_id, tree_id, depth FROM {member.table} WHERE invite_code = %s"  # noqa: S608
        f" FOR KEY SHARE),"
        f" m AS (INSERT INTO {member.table} ({member.columns}) SELECT {member.select} FROM p"
        f" ON CONFLICT DO NOTHING RETURNING id, parent_id),"
        f" h AS (INSERT INTO {history.table} ({history.columns}) SELECT {history.select} FROM m)"
        f" SELECT p.id, p.user_id, p.tree_id, p.depth + 1, m.id FROM p LEFT JOIN m ON true"
    )
    return member, history, sql


def insert_pending_member(*, user_id: int, inviter_code: str, new_code: str, source: str,
                          now: datetime) -> SignupRow | None:
    member, history, sql = _templates()
    params = [inviter_code,
              *member.params({"user_id": user_id, "invite_code": new_code, "joined_at": now, "bound_at": now,
                              "bind_source": source}),
              *history.params({"source": source, "reason": "sign-up", "created_at": now})]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return SignupRow(*row) if row else None
