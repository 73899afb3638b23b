"""Database helpers that know which backend they run on."""

from django.db import connection


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def advisory_xact_lock(key: int, namespace: int = 0) -> None:
    """Take a transaction-scoped PostgreSQL advisory lock on ``(namespace, key)``.

    Must be called inside ``transaction.atomic``. The lock is released at commit or
    rollback. On SQLite the embedded mode runs every write transaction with
    ``BEGIN IMMEDIATE`` (see settings), which already serializes all writers, so there
    is nothing more to take.
    """
    if not is_postgres():
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [namespace, key])
