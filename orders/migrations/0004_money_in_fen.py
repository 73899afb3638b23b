"""Amounts as integer fen (common/fields.py says why); stored values converted exactly."""

from decimal import Decimal
from django.db import migrations

import common.fields
from common.migration_ops import ConvertToFen


class Migration(migrations.Migration):
    dependencies = [('orders', '0003_aftersale_window_rule')]

    operations = [
        ConvertToFen(
            model_name='aftersale',
            fields=[
                ('amount', common.fields.MoneyField(verbose_name='refund amount')),
            ],
        ),
        ConvertToFen(
            model_name='order',
            fields=[
                ('discount_amount', common.fields.MoneyField(default=0, verbose_name='discount')),
                ('shipping_fee', common.fields.MoneyField(verbose_name='shipping fee')),
                ('subtotal', common.fields.MoneyField(verbose_name='items subtotal')),
                ('total_amount', common.fields.MoneyField(help_text='Subtotal − discount + shipping: what the shopper pays.', verbose_name='amount to pay')),
            ],
        ),
        ConvertToFen(
            model_name='orderitem',
            fields=[
                ('cost_price', common.fields.MoneyField(verbose_name='unit cost')),
                ('discount_amount', common.fields.MoneyField(default=0, verbose_name='discount')),
                ('line_amount', common.fields.MoneyField(verbose_name='line amount')),
                ('paid_amount', common.fields.MoneyField(help_text='Line amount − discount: the commission base.', verbose_name='paid amount')),
                ('refunded_amount', common.fields.MoneyField(default=0, verbose_name='refunded amount')),
                ('unit_price', common.fields.MoneyField(verbose_name='unit price')),
            ],
        ),
        ConvertToFen(
            model_name='payment',
            fields=[
                ('amount', common.fields.MoneyField(verbose_name='amount')),
            ],
        ),
        ConvertToFen(
            model_name='refund',
            fields=[
                ('amount', common.fields.MoneyField(verbose_name='amount')),
            ],
        ),
        ConvertToFen(
            model_name='shippingrule',
            fields=[
                ('flat_fee', common.fields.MoneyField(default=Decimal('10.00'), verbose_name='flat shipping fee')),
                ('free_over', common.fields.MoneyField(blank=True, default=Decimal('99.00'), help_text='Orders whose items come to at least this amount ship free. Leave empty to always charge.', null=True, verbose_name='free shipping from')),
            ],
        ),
    ]
