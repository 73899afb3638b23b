"""Per-table autovacuum for the member table (PostgreSQL only).

Team figures are index-only range scans; they stay fast while the visibility map is
fresh. Each placement batch updates its pending rows (non-HOT: lft is indexed) and every
sign-up inserts one, so at the default 20 % a 1M-member table would wait for 200,000
changes before a vacuum. At 2 % it is vacuumed every ~20,000 changes; the bench shows a
burst of 32,000 sign-ups leaves team figures within ~10 % of their vacuumed speed.
Placement itself does not VACUUM: a batch writes only its own rows.
"""

from django.db import migrations

TABLE = "distribution_member"
OPTIONS = ("autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02,"
           " autovacuum_analyze_scale_factor = 0.02")
RESET = "autovacuum_vacuum_scale_factor, autovacuum_vacuum_insert_scale_factor, autovacuum_analyze_scale_factor"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} SET ({OPTIONS})")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} RESET ({RESET})")


class Migration(migrations.Migration):
    dependencies = [("distribution", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
