"""Database helpers that know which backend they run on, and the project's advisory locks.

Every PostgreSQL advisory lock the project takes is keyed ``(namespace, key)``, and every
namespace is listed once in ``LockNamespace`` below, so two features can never pick the
same one by accident (they would serialize each other, or worse, think they hold a lock
another feature holds). Add a namespace here, never as a constant in an app.
"""

import enum
import threading

from django.db import connection
from django.db.transaction import TransactionManagementError


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


class ModelSelect:
    """A hot-path read of one model's rows (each with the rows its ``related`` foreign keys
    point to, cached on it as ``select_related`` does), as one SQL statement built once from
    the models' ``_meta``; the rows become instances the way Django's raw querysets make
    them (every field's and the backend's converters, then ``Model.from_db``).

    Only for the few reads of checkout and payment where building the ORM query costs
    several times more than running it (a wide row compiles in ~1,800 Python calls, this
    in ~300); everything else uses the ORM. The caller's ``where`` is written against the
    aliases ``t0`` (the model) and ``t1``, ``t2``… (``related``, in order); its values are
    always bound parameters. Reads and locks go to the default (primary) database: these
    reads decide money. ``for_update`` locks the model's rows only (``FOR UPDATE OF t0``)
    and, like ``select_for_update``, is refused outside a transaction; SQLite has no row
    locks and needs none (its writers are serialized, see settings).
    """

    def __init__(self, model: type, *, related: tuple[str, ...] = ()) -> None:
        self.model = model
        self.related = related
        self._local = threading.local()  # per thread: the converters belong to its connection

    def _build(self) -> tuple:
        q = connection.ops.quote_name
        models, joins = [(self.model, None)], []
        for i, name in enumerate(self.related, start=1):
            fk = self.model._meta.get_field(name)
            target = fk.related_model
            kind = "LEFT JOIN" if fk.null else "JOIN"
            table, key = q(target._meta.db_table), q(target._meta.pk.column)
            joins.append(f" {kind} {table} t{i} ON t{i}.{key} = t0.{q(fk.column)}")
            models.append((target, fk))
        columns, parts, compiler = [], [], connection.ops.compiler("SQLCompiler")(None, connection, "default")
        for i, (model, fk) in enumerate(models):
            fields = model._meta.concrete_fields
            start = len(columns)
            columns += [f"t{i}.{q(f.column)}" for f in fields]
            cols = [f.get_col(f"t{i}") for f in fields]
            converters = compiler.get_converters(cols)  # {position: (converters, expression)}
            parts.append((model, fk, start, len(fields), [f.attname for f in fields],
                          fields.index(model._meta.pk),
                          {start + pos: conv for pos, conv in converters.items()}))
        sql = f"SELECT {', '.join(columns)} FROM {q(self.model._meta.db_table)} t0{''.join(joins)}"  # noqa: S608
        return sql, parts

    def fetch(self, where: str, params: list | tuple, *, for_update: bool = False, prefix: str = "",
              join: str = "", order_by: str = "") -> list:
        """The instances of the rows matching ``where`` (SQL over ``t0``…, with ``%s``).
        ``prefix`` (e.g. a ``WITH RECURSIVE`` clause), ``join`` and ``order_by`` are SQL
        written by the caller from model names, never from input; ``params`` bind them all,
        in the order they appear."""
        if for_update and connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        built = getattr(self._local, "built", None)
        if built is None:
            built = self._local.built = self._build()
        sql, parts = built
        lock = " FOR UPDATE OF t0" if for_update and connection.features.has_select_for_update else ""
        with connection.cursor() as cursor:
            order = f" ORDER BY {order_by}" if order_by else ""
            cursor.execute(f"{prefix}{sql}{join} WHERE {where}{order}{lock}", params)
            rows = cursor.fetchall()
        result = []
        for row in rows:
            values = list(row)
            instances = []
            for model, _fk, start, count, names, pk_at, converters in parts:
                for position, (funcs, expression) in converters.items():
                    for func in funcs:
                        values[position] = func(values[position], expression, connection)
                own = values[start:start + count]
                instances.append(None if own[pk_at] is None else model.from_db("default", names, own))
            head = instances[0]
            for (_model, fk, *_rest), instance in zip(parts[1:], instances[1:], strict=True):
                fk.set_cached_value(head, instance)
            result.append(head)
        return result


class ModelInsert:
    """A hot-path INSERT of model instances, its SQL built once from ``_meta``: every concrete
    field's ``pre_save`` (``auto_now_add`` and the like) and ``get_db_prep_save`` (fen for
    money, adapted times) as ``Model.save`` does, then the new primary keys from
    ``RETURNING`` (PostgreSQL, SQLite ≥ 3.35); ``save_all`` writes several rows in one
    statement. For the few rows every checkout and payment writes. The model must have no
    ``save`` override and no database-computed column (refused at build), and, as everywhere
    in this project, no signal listens to it."""

    def __init__(self, model: type) -> None:
        self.model = model
        self._local = threading.local()

    def _build(self) -> tuple:
        model = self.model
        if "save" in model.__dict__:
            raise TypeError(f"{model.__name__} overrides save(): insert it with the ORM")
        q = connection.ops.quote_name
        pk = model._meta.pk
        fields = [f for f in model._meta.concrete_fields if not (f is pk and f.db_returning)]
        if any(f.db_returning and f is not pk for f in fields) or any(f.generated for f in fields):
            raise TypeError(f"{model.__name__} has database-computed columns: insert it with the ORM")
        columns = ", ".join(q(f.column) for f in fields)
        head = f"INSERT INTO {q(model._meta.db_table)} ({columns}) VALUES "  # noqa: S608
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        return head, row, f" RETURNING {q(pk.column)}", fields, pk

    def save(self, instance: object) -> object:
        return self.save_all([instance])[0]

    def save_all(self, instances: list) -> list:
        """One multi-row INSERT; each instance gets its key (RETURNING gives them in order)."""
        if not instances:
            return instances
        built = getattr(self._local, "built", None)
        if built is None:
            built = self._local.built = self._build()
        head, row, returning, fields, pk = built
        values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in instances for f in fields]
        with connection.cursor() as cursor:
            cursor.execute(f"{head}{', '.join([row] * len(instances))}{returning}", values)
            keys = cursor.fetchall()
        for instance, (key,) in zip(instances, keys, strict=True):
            setattr(instance, pk.attname, key)
            instance._state.adding = False
            instance._state.db = "default"
        return instances


_UPDATES: dict[tuple, str] = {}


def update_rows(model: type, *, where: dict[str, object], values: dict[str, object]) -> int:
    """One guarded ``UPDATE`` on a hot path, its SQL built once per shape from ``_meta``:
    set each ``values`` column (by attname, e.g. ``order_id``) to its value, prepared as
    ``Model.save`` prepares it (fen for money, adapted times), where every ``where`` column
    equals its value (``IS NULL`` for ``None``). Returns the row count: the caller checks it,
    as it checks a queryset's ``update``. Plain values only, no expressions."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    unknown = (values.keys() | where.keys()) - fields.keys()
    if unknown:
        raise ValueError(f"{model.__name__} has no column attnames {sorted(unknown)}")
    shape = (connection.vendor, model, tuple(values), tuple((k, v is None) for k, v in where.items()))
    sql = _UPDATES.get(shape)
    if sql is None:
        q = connection.ops.quote_name
        sets = ", ".join(f"{q(fields[name].column)} = %s" for name in values)
        tests = " AND ".join(f"{q(fields[name].column)} IS NULL" if value is None
                             else f"{q(fields[name].column)} = %s" for name, value in where.items())
        sql = _UPDATES[shape] = f"UPDATE {q(model._meta.db_table)} SET {sets} WHERE {tests}"  # noqa: S608
    params = [fields[name].get_db_prep_save(value, connection) for name, value in values.items()]
    params += [fields[name].get_db_prep_value(value, connection) for name, value in where.items()
               if value is not None]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
