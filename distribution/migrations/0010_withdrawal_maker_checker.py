"""Maker-checker on payouts: ``paid_by`` is never ``reviewed_by``.

Rows paid before this rule by the person who approved them are history and stay as they
are: on PostgreSQL the constraint is added ``NOT VALID`` (every new or changed row is
checked, old rows are not re-read), so the migration never fails on them; paid is a final
state, so those rows are never written again. Elsewhere (SQLite, the embedded mode) the
constraint is added as usual.
"""

from django.conf import settings
from django.db import migrations, models


class AddConstraintNotValidOnPostgres(migrations.AddConstraint):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        table = schema_editor.quote_name(model._meta.db_table)
        sql = self.constraint.constraint_sql(model, schema_editor)
        schema_editor.execute(f"ALTER TABLE {table} ADD {sql} NOT VALID")
        return None


class Migration(migrations.Migration):
    dependencies = [
        ("distribution", "0009_invite_lookup_limit_help"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddConstraintNotValidOnPostgres(
            model_name="withdrawal",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("paid_by__isnull", True),
                    ("reviewed_by__isnull", True),
                    models.Q(("paid_by", models.F("reviewed_by")), _negated=True),
                    _connector="OR",
                ),
                name="withdrawal_payer_is_not_reviewer",
            ),
        ),
    ]
