"""Amounts as integer fen (common/fields.py says why); stored values converted exactly."""

from decimal import Decimal
import django.core.validators
from django.db import migrations

import common.fields
from common.migration_ops import ConvertToFen


class Migration(migrations.Migration):
    dependencies = [('distribution', '0007_state_label_contexts')]

    operations = [
        ConvertToFen(
            model_name='commissionplan',
            fields=[
                ('fixed_per_unit', common.fields.MoneyField(blank=True, null=True, verbose_name='fixed per unit')),
            ],
        ),
        ConvertToFen(
            model_name='commissionrecord',
            fields=[
                ('amount', common.fields.MoneyField(help_text='After refunds: what this record is worth now.', verbose_name='amount')),
                ('base_amount', common.fields.MoneyField(verbose_name='base')),
                ('fixed_per_unit', common.fields.MoneyField(blank=True, null=True, verbose_name='fixed per unit')),
                ('original_amount', common.fields.MoneyField(verbose_name='amount at payment')),
                ('reversed_amount', common.fields.MoneyField(default=0, verbose_name='clawed back after settlement')),
            ],
        ),
        ConvertToFen(
            model_name='commissionrules',
            fields=[
                ('withdrawal_min_amount', common.fields.MoneyField(default=Decimal('10.00'), validators=[django.core.validators.MinValueValidator(Decimal('0.01'))], verbose_name='minimum withdrawal')),
            ],
        ),
        ConvertToFen(
            model_name='ledgerentry',
            fields=[
                ('available_after', common.fields.MoneyField(verbose_name='available after')),
                ('available_delta', common.fields.MoneyField(verbose_name='available change')),
                ('held_delta', common.fields.MoneyField(default=Decimal('0.00'), verbose_name='held change')),
                ('withdrawn_delta', common.fields.MoneyField(default=Decimal('0.00'), verbose_name='withdrawn change')),
            ],
        ),
        ConvertToFen(
            model_name='levelchange',
            fields=[
                ('own_sales', common.fields.MoneyField(default=0, verbose_name='own paid sales')),
                ('settled_commission', common.fields.MoneyField(default=0, verbose_name='settled commission')),
                ('team_sales', common.fields.MoneyField(default=0, verbose_name='team paid sales')),
            ],
        ),
        ConvertToFen(
            model_name='member',
            fields=[
                ('own_paid_sales', common.fields.MoneyField(default=0, verbose_name='own paid sales')),
            ],
        ),
        ConvertToFen(
            model_name='resellerlevel',
            fields=[
                ('min_own_sales', common.fields.MoneyField(default=0, verbose_name='own paid sales at least')),
                ('min_settled_commission', common.fields.MoneyField(default=0, verbose_name='settled commission at least')),
                ('min_team_sales', common.fields.MoneyField(default=0, verbose_name='team paid sales at least')),
            ],
        ),
        ConvertToFen(
            model_name='wallet',
            fields=[
                ('available', common.fields.MoneyField(default=Decimal('0.00'), verbose_name='available')),
                ('held', common.fields.MoneyField(default=Decimal('0.00'), verbose_name='held')),
                ('withdrawn', common.fields.MoneyField(default=Decimal('0.00'), verbose_name='withdrawn')),
            ],
        ),
        ConvertToFen(
            model_name='withdrawal',
            fields=[
                ('amount', common.fields.MoneyField(verbose_name='amount')),
                ('fee', common.fields.MoneyField(default=Decimal('0.00'), verbose_name='fee')),
                ('net_amount', common.fields.MoneyField(verbose_name='amount paid out')),
            ],
        ),
    ]
