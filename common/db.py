"""Database helpers that know which backend they run on, and the project's advisory locks.

Every PostgreSQL advisory lock the project takes is keyed ``(namespace, key)``, and every
namespace is listed once in ``LockNamespace`` below, so two features can never pick the
same one by accident (they would serialize each other, or worse, think they hold a lock
another feature holds). Add a namespace here, never as a constant in an app.
"""

import enum

from django.db import connection


@enum.unique
class LockNamespace(enum.IntEnum):
    """The first half of an advisory-lock key: four ASCII letters, "QZ" and two more."""

    REFERRAL_TREE = 0x515A5452  # "QZTR": key = tree_id; placement and moves of one tree
    REFERRAL_ROOTS = 0x515A5247  # "QZRG": key 0; a new root takes max(tree_id) + 1
    PAYOUT_ACCOUNT = 0x515A5041  # "QZPA": key = member id; count and insert of payout accounts
    RETURN_ADDRESS_DEFAULT = 0x515A5241  # "QZRA": key 0; moves of the platform default return address
    SHARE_FUNNEL_ROLLUP = 0x515A5346  # "QZSF": key 0; one share-funnel roll-up at a time
    CONSOLE_ROLLUP = 0x515A5255  # "QZRU": key = the day's ordinal; one rollup of a day at a time
    CRM_TAG_LIMIT = 0x515A5447  # "QZTG": key 0; count and insert of crm tags (at most 3,000)


class AdvisoryLockOutsideTransaction(RuntimeError):
    """A transaction-scoped lock taken in autocommit mode is released by the same statement:
    it would protect nothing, so asking for one there is a bug, refused on every backend."""


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _checked(namespace: int) -> LockNamespace:
    if not connection.in_atomic_block:
        raise AdvisoryLockOutsideTransaction(
            "advisory_xact_lock needs transaction.atomic: outside it the lock ends with its statement"
        )
    return LockNamespace(namespace)  # ValueError for a namespace nobody registered


def advisory_xact_lock(key: int, namespace: int) -> None:
    """Take the transaction-scoped PostgreSQL advisory lock ``(namespace, key)``, waiting for it.

    Must be called inside ``transaction.atomic`` (else ``AdvisoryLockOutsideTransaction``);
    ``namespace`` must be one of ``LockNamespace``. The lock is released at commit or
    rollback. On SQLite the embedded mode runs every write transaction with
    ``BEGIN IMMEDIATE`` (see settings), which already serializes all writers, so there
    is nothing more to take.
    """
    checked = _checked(namespace)
    if not is_postgres():
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [int(checked), key])


def advisory_xact_try_lock(key: int, namespace: int) -> bool:
    """Take the lock if nobody holds it; False (at once, without waiting) if someone does.
    Same rules as ``advisory_xact_lock``; always True on SQLite."""
    checked = _checked(namespace)
    if not is_postgres():
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [int(checked), key])
        return bool(cursor.fetchone()[0])


def insert_rows(table: str, columns: tuple[str, ...], rows: list[tuple], *,
                ignore_conflicts: bool = False, update_on: tuple[str, ...] = ()) -> int:
    """One multi-row ``INSERT`` of ``rows`` (values in ``columns`` order, bound as
    parameters) into ``table``: for hot paths where building model instances costs more than
    the statement. Names come from the models (``Model._meta``), never from input. Values
    must already be what the columns store (amounts in fen, adapted datetimes).
    ``ignore_conflicts``: ``ON CONFLICT DO NOTHING`` (PostgreSQL and SQLite ≥ 3.24), for
    idempotent inserts keyed by a unique column; the count is then of rows offered.
    ``update_on`` (unique columns): an upsert, ``ON CONFLICT (…) DO UPDATE`` setting every
    other column to the offered value (both backends; SQLite binds at most 32,766
    parameters a statement, so keep ``len(rows) * len(columns)`` below that)."""
    if not rows:
        return 0
    marks = "(" + ", ".join(["%s"] * len(columns)) + ")"
    conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    if update_on:
        sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c not in update_on)
        conflict = f" ON CONFLICT ({', '.join(update_on)}) DO UPDATE SET {sets}"
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([marks] * len(rows))}"  # noqa: S608
                       f"{conflict}", [value for row in rows for value in row])
    return len(rows)
