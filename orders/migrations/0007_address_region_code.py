from django.db import migrations, models


def backfill_region_codes(apps, schema_editor):
    """Existing addresses keep working: those whose names form a real chain get its code;
    the others keep their text (orders and checkout use the text) and a blank code."""
    from orders.regions import region_code

    Address = apps.get_model("orders", "Address")
    for address in Address.objects.filter(region_code="").iterator():
        code = region_code(
            province=address.province.strip(), city=address.city.strip(), district=address.district.strip()
        )
        if code:
            Address.objects.filter(pk=address.pk).update(region_code=code)


class Migration(migrations.Migration):

    dependencies = [
        ("orders", "0006_refund_after_window_and_anomaly"),
    ]

    operations = [
        migrations.AddField(
            model_name="address",
            name="region_code",
            field=models.CharField(blank=True, default="", max_length=6, verbose_name="region code"),
        ),
        migrations.RunPython(backfill_region_codes, migrations.RunPython.noop),
    ]
