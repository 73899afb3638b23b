"""Refunds after the after-sales window (staff, no after-sale) and the refund anomaly state.

Existing refunds all belong to an after-sale: their new ``quantity`` is the after-sale's.
"""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def copy_quantity_from_aftersale(apps, schema_editor):
    Refund = apps.get_model("orders", "Refund")
    AfterSale = apps.get_model("orders", "AfterSale")
    Refund.objects.update(
        quantity=models.Subquery(
            AfterSale.objects.filter(pk=models.OuterRef("aftersale_id")).values("quantity")[:1]
        )
    )


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0005_return_addresses_and_aftersale_photos'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='refund',
            options={'ordering': ['-created_at', '-id'], 'permissions': [('refund_after_window', 'Can refund after the after-sales window'), ('retry_refund', 'Can retry a refund anomaly')], 'verbose_name': 'refund', 'verbose_name_plural': 'refunds'},
        ),
        migrations.RemoveConstraint(
            model_name='refund',
            name='refund_one_live_per_aftersale',
        ),
        migrations.AddField(
            model_name='refund',
            name='apply_error',
            field=models.TextField(blank=True, help_text='Why the refund the gateway confirmed could not be recorded (refund anomaly).', verbose_name='error when applying'),
        ),
        migrations.AddField(
            model_name='refund',
            name='kind',
            field=models.CharField(choices=[('aftersale', 'after-sales refund'), ('after_window', 'refund after the after-sales window')], default='aftersale', max_length=12, verbose_name='type'),
        ),
        migrations.AddField(
            model_name='refund',
            name='quantity',
            field=models.PositiveIntegerField(default=1, validators=[django.core.validators.MinValueValidator(1)], verbose_name='quantity'),
            preserve_default=False,
        ),
        migrations.RunPython(copy_quantity_from_aftersale, migrations.RunPython.noop),
        migrations.AddField(
            model_name='refund',
            name='reason',
            field=models.CharField(blank=True, max_length=200, verbose_name='reason'),
        ),
        migrations.AddField(
            model_name='refund',
            name='requested_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by'),
        ),
        migrations.AlterField(
            model_name='orderevent',
            name='kind',
            field=models.CharField(choices=[('created', 'Order placed'), ('payment_started', 'Payment started'), ('paid', 'Paid'), ('cancelled', 'Cancelled'), ('shipped', 'Shipped'), ('received', 'Receipt confirmed'), ('completed', 'Completed'), ('item_window_closed', 'After-sales window closed'), ('aftersale_requested', 'After-sales requested'), ('aftersale_approved', 'After-sales approved'), ('aftersale_rejected', 'After-sales rejected'), ('aftersale_withdrawn', 'After-sales withdrawn'), ('aftersale_buyer_shipped', 'Goods sent back'), ('aftersale_received_back', 'Returned goods received'), ('refund_requested', 'Refund submitted'), ('refunded', 'Refunded'), ('refund_failed', 'Refund failed'), ('after_window_refund', 'After-window refund submitted'), ('refund_apply_failed', 'Refund anomaly'), ('refund_retried', 'Refund anomaly retried')], max_length=32, verbose_name='event'),
        ),
        migrations.AlterField(
            model_name='refund',
            name='aftersale',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='refunds', to='orders.aftersale', verbose_name='after-sales request'),
        ),
        migrations.AlterField(
            model_name='refund',
            name='state',
            field=models.CharField(choices=[('pending', 'pending'), ('succeeded', 'succeeded'), ('failed', 'failed'), ('apply_failed', 'refund anomaly')], default='pending', max_length=12, verbose_name='state'),
        ),
        migrations.AddConstraint(
            model_name='refund',
            constraint=models.UniqueConstraint(condition=models.Q(('state__in', ('pending', 'succeeded', 'apply_failed'))), fields=('aftersale',), name='refund_one_live_per_aftersale'),
        ),
        migrations.AddConstraint(
            model_name='refund',
            constraint=models.UniqueConstraint(condition=models.Q(('state__in', ('pending', 'apply_failed'))), fields=('order_item',), name='refund_one_in_flight_per_item'),
        ),
        migrations.AddConstraint(
            model_name='refund',
            constraint=models.CheckConstraint(condition=models.Q(('quantity__gte', 1)), name='refund_quantity_positive'),
        ),
        migrations.AddConstraint(
            model_name='refund',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('aftersale__isnull', False), ('kind', 'aftersale')), models.Q(('aftersale__isnull', True), ('kind', 'after_window'), models.Q(('reason', ''), _negated=True)), _connector='OR'), name='refund_kind_matches_source'),
        ),
    ]
