"""``ConvertToFen``: turn a model's ``DecimalField(12, 2)`` amounts into ``MoneyField`` (fen).

The stock ``AlterField`` would cast ``69.90`` to ``70`` (PostgreSQL) or leave ``69.9`` as a
float in an integer column (SQLite). This operation converts the stored values exactly,
both ways:

- PostgreSQL: one ``ALTER TABLE`` for all the model's columns, ``USING round(col * 100)``
  in exact ``numeric``; the CHECK constraints are re-checked once, on the finished row
  (converting ``amount`` before ``original_amount`` would break ``amount <= original``).
- SQLite: the table is rebuilt per column as Django does, then one ``UPDATE`` scales every
  column of the row at once. Triggers (the ledger's append-only guard) are dropped for the
  rebuild and re-created afterwards, exactly as they were.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import ProjectState


class ConvertToFen(migrations.operations.base.Operation):
    reversible = True

    def __init__(self, model_name: str, fields: list[tuple[str, models.Field]]) -> None:
        self.model_name = model_name
        self.fields = fields

    def deconstruct(self) -> tuple:
        return self.__class__.__qualname__, [], {"model_name": self.model_name, "fields": self.fields}

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        for name, field in self.fields:
            state.alter_field(app_label, self.model_name.lower(), name, field, True)

    def describe(self) -> str:
        return f"Store {self.model_name} amounts as integer fen: {', '.join(n for n, _f in self.fields)}"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.model_name.lower()}_fen"

    def database_forwards(self, app_label: str, schema_editor: BaseDatabaseSchemaEditor,
                          from_state: ProjectState, to_state: ProjectState) -> None:
        self._convert(app_label, schema_editor, from_state, to_state, to_fen=True)

    def database_backwards(self, app_label: str, schema_editor: BaseDatabaseSchemaEditor,
                           from_state: ProjectState, to_state: ProjectState) -> None:
        self._convert(app_label, schema_editor, from_state, to_state, to_fen=False)

    def _convert(self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, from_state: ProjectState,
                 to_state: ProjectState, *, to_fen: bool) -> None:
        old_model = from_state.apps.get_model(app_label, self.model_name)
        new_model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, new_model):
            return
        table = schema_editor.quote_name(new_model._meta.db_table)
        columns = [schema_editor.quote_name(new_model._meta.get_field(n).column) for n, _f in self.fields]
        if schema_editor.connection.vendor == "postgresql":
            target = "bigint" if to_fen else "numeric(12, 2)"
            scale = "round({c} * 100)::bigint" if to_fen else "{c}::numeric / 100"
            clauses = ", ".join(f"ALTER COLUMN {c} TYPE {target} USING {scale.format(c=c)}" for c in columns)
            schema_editor.execute(f"ALTER TABLE {table} {clauses}")
            return
        triggers = sqlite_triggers(schema_editor.connection, new_model._meta.db_table)
        for name, _sql in triggers:
            schema_editor.execute(f"DROP TRIGGER {schema_editor.quote_name(name)}")
        if not to_fen:
            _scale(schema_editor, table, columns, "{c} / 100.0")
        for name, _f in self.fields:  # old_model is the state before this step, either way
            schema_editor.alter_field(old_model, old_model._meta.get_field(name),
                                      new_model._meta.get_field(name))
        if to_fen:
            _scale(schema_editor, table, columns, "CAST(ROUND({c} * 100) AS INTEGER)")
        for _name, sql in triggers:
            schema_editor.execute(sql)


def _scale(schema_editor: BaseDatabaseSchemaEditor, table: str, columns: list[str], expr: str) -> None:
    assignments = ", ".join(f"{c} = {expr.format(c=c)}" for c in columns)
    # Quoted identifiers from the model state, no user input; NULL stays NULL.
    schema_editor.execute(f"UPDATE {table} SET {assignments}")  # noqa: S608


def sqlite_triggers(connection: Any, table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of each trigger on ``table`` in a SQLite database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                       [table])
        return list(cursor.fetchall())


__all__ = ["ConvertToFen", "sqlite_triggers"]
