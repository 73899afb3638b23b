"""The staff groups 运营 / 财务 / 客服 and their permissions (declared in ``config/roles.py``)."""

from django.db import migrations

from config.roles import roles_migrate


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("mall", "0003_phonecode_signin_purpose"),
        ("orders", "0006_refund_after_window_and_anomaly"),
        ("distribution", "0013_reveal_phone_permission"),
        ("project", "0001_alerts"),
        ("audit", "0001_initial"),
    ]

    operations = [migrations.RunPython(roles_migrate, migrations.RunPython.noop)]
