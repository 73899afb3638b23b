"""Partner ledger entries are never updated or deleted: enforced by the database itself,
as the wallet ledger's (``distribution/migrations/0004_ledger_append_only.py``)."""

from django.db import migrations

TABLE = "promotions_partnerledgerentry"
PG_UP = f"""
CREATE OR REPLACE FUNCTION quanzi_partner_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'partner ledger entries are append-only: % refused on entry %', TG_OP, OLD.id
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {TABLE}_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION quanzi_partner_ledger_append_only();
"""
PG_DOWN = f"""
DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};
DROP FUNCTION IF EXISTS quanzi_partner_ledger_append_only();
"""
SQLITE_UP = [
    f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE}"
    " BEGIN SELECT RAISE(ABORT, 'partner ledger entries are append-only: UPDATE refused'); END;",
    f"CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE}"
    " BEGIN SELECT RAISE(ABORT, 'partner ledger entries are append-only: DELETE refused'); END;",
]
SQLITE_DOWN = [f"DROP TRIGGER IF EXISTS {TABLE}_no_update;", f"DROP TRIGGER IF EXISTS {TABLE}_no_delete;"]


def _run(schema_editor, postgres: str, sqlite: list[str]) -> None:
    vendor = schema_editor.connection.vendor
    for sql in [postgres] if vendor == "postgresql" else sqlite if vendor == "sqlite" else []:
        schema_editor.execute(sql, params=None)


def forwards(apps, schema_editor) -> None:
    _run(schema_editor, PG_UP, SQLITE_UP)


def backwards(apps, schema_editor) -> None:
    _run(schema_editor, PG_DOWN, SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("promotions", "0002_partners")]

    operations = [migrations.RunPython(forwards, backwards)]
