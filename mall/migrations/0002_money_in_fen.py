"""Amounts as integer fen (common/fields.py says why); stored values converted exactly."""

from decimal import Decimal
import django.core.validators
from django.db import migrations

import common.fields
from common.migration_ops import ConvertToFen


class Migration(migrations.Migration):
    dependencies = [('mall', '0001_initial')]

    operations = [
        ConvertToFen(
            model_name='sku',
            fields=[
                ('cost_price', common.fields.MoneyField(validators=[django.core.validators.MinValueValidator(Decimal('0.00'))], verbose_name='cost price')),
                ('price', common.fields.MoneyField(validators=[django.core.validators.MinValueValidator(Decimal('0.01'))], verbose_name='price')),
            ],
        ),
    ]
