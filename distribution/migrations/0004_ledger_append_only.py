"""Ledger entries are never updated or deleted: enforced by the database itself.

PostgreSQL: a row trigger raises ``restrict_violation`` (an IntegrityError to Django) on
UPDATE or DELETE. TRUNCATE is left to a DBA (and to the test suite's flush).
SQLite (embedded mode): the same with ``RAISE(ABORT)`` triggers.
"""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION quanzi_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are append-only: % refused on entry %', TG_OP, OLD.id
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER distribution_ledgerentry_append_only
    BEFORE UPDATE OR DELETE ON distribution_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION quanzi_ledger_append_only();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS distribution_ledgerentry_append_only ON distribution_ledgerentry;
DROP FUNCTION IF EXISTS quanzi_ledger_append_only();
"""
SQLITE_UP = [
    "CREATE TRIGGER distribution_ledgerentry_no_update BEFORE UPDATE ON distribution_ledgerentry"
    " BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only: UPDATE refused'); END;",
    "CREATE TRIGGER distribution_ledgerentry_no_delete BEFORE DELETE ON distribution_ledgerentry"
    " BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only: DELETE refused'); END;",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS distribution_ledgerentry_no_update;",
    "DROP TRIGGER IF EXISTS distribution_ledgerentry_no_delete;",
]


def _run(schema_editor, postgres: list[str] | str, sqlite: list[str]) -> None:
    vendor = schema_editor.connection.vendor
    statements = [postgres] if isinstance(postgres, str) else postgres
    for sql in statements if vendor == "postgresql" else sqlite if vendor == "sqlite" else []:
        schema_editor.execute(sql, params=None)  # None: the SQL has literal % signs


def forwards(apps, schema_editor) -> None:
    _run(schema_editor, PG_UP, SQLITE_UP)


def backwards(apps, schema_editor) -> None:
    _run(schema_editor, PG_DOWN, SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("distribution", "0003_commission_and_wallet")]

    operations = [migrations.RunPython(forwards, backwards)]
