"""Finance exports for any date range: orders, order items, commission records, ledger entries,
withdrawals. Rows are read with ``values_list().iterator()`` (a server-side cursor on
PostgreSQL), so a million rows never sit in memory. Phone numbers are masked."""

import datetime
from collections.abc import Callable, Iterator

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from common.phone import mask_phone
from console.dates import day_bounds
from console.exports.writers import ExportTable
from distribution.models import CommissionRecord, CommissionState, LedgerEntry, Withdrawal, WithdrawalChannel
from orders.models import Order, OrderItem, OrderState

CHUNK = 2000


def _rows(qs: QuerySet, fields: list[str], fix: Callable[[list], None] | None = None) -> Iterator[tuple]:
    for values in qs.values_list(*fields).iterator(chunk_size=CHUNK):
        if fix:
            row = list(values)
            fix(row)
            yield tuple(row)
        else:
            yield values


def _range(qs: QuerySet, field: str, first: datetime.date, last: datetime.date) -> QuerySet:
    start, end = day_bounds(first)[0], day_bounds(last)[1]
    return qs.filter(**{f"{field}__gte": start, f"{field}__lt": end}).order_by(field, "pk")


def orders_table(first: datetime.date, last: datetime.date) -> ExportTable:
    """Orders placed in the range (by ``created_at``)."""
    labels = dict(OrderState.choices)
    fields = ["number", "created_at", "paid_at", "state", "shop_id", "shop__name", "user_id", "user__phone",
              "subtotal", "discount_amount", "shipping_fee", "total_amount", "shipped_at", "completed_at",
              "cancelled_at"]

    def fix(row: list) -> None:
        row[3] = str(labels.get(row[3], row[3]))
        row[7] = mask_phone(row[7])

    headers = [_("order number"), _("created at"), _("paid at"), _("state"), _("shop id"), _("shop"),
               _("member id"), _("mobile number"), _("items subtotal"), _("discount"), _("shipping fee"),
               _("amount paid"), _("shipped at"), _("completed at"), _("cancelled at")]
    qs = _range(Order.objects, "created_at", first, last)
    return ExportTable("orders", headers, _rows(qs, fields, fix))


def order_items_table(first: datetime.date, last: datetime.date) -> ExportTable:
    """Items of the orders placed in the range."""
    fields = ["order__number", "order__created_at", "order__paid_at", "id", "product_id", "product_title",
              "sku_spec_text", "unit_price", "cost_price", "quantity", "line_amount", "discount_amount",
              "paid_amount", "refunded_quantity", "refunded_amount"]
    headers = [_("order number"), _("created at"), _("paid at"), _("item id"), _("product id"),
               _("product"), _("spec"), _("unit price"), _("unit cost"), _("quantity"), _("line amount"),
               _("discount"), _("paid amount"), _("refunded quantity"), _("refunded amount")]
    qs = _range(OrderItem.objects, "order__created_at", first, last)
    return ExportTable("order-items", headers, _rows(qs, fields))


def commission_table(first: datetime.date, last: datetime.date) -> ExportTable:
    """Commission records created in the range."""
    labels = dict(CommissionState.choices)
    fields = ["id", "created_at", "order__number", "order_item_id", "beneficiary_id",
              "beneficiary__invite_code", "tier", "level_name", "base_amount", "rate", "fixed_per_unit",
              "original_amount", "amount", "reversed_amount", "state", "settled_at", "cancelled_at"]

    def fix(row: list) -> None:
        row[14] = str(labels.get(row[14], row[14]))

    headers = [_("record id"), _("created at"), _("order number"), _("item id"), _("member id"),
               _("invite code"), _("tier"), _("level"), _("base"), _("rate"), _("fixed per unit"),
               _("amount at payment"), _("amount"), _("clawed back after settlement"), _("state"),
               _("settled at"), _("cancelled at")]
    qs = _range(CommissionRecord.objects, "created_at", first, last)
    return ExportTable("commission", headers, _rows(qs, fields, fix))


def ledger_table(first: datetime.date, last: datetime.date) -> ExportTable:
    """Ledger entries posted in the range."""
    labels = dict(LedgerEntry.Kind.choices)
    fields = ["id", "created_at", "wallet_id", "wallet__member_id", "kind", "available_delta", "held_delta",
              "withdrawn_delta", "available_after", "commission_record_id", "withdrawal_id", "operator_id",
              "reason"]

    def fix(row: list) -> None:
        row[4] = str(labels.get(row[4], row[4]))

    headers = [_("entry id"), _("created at"), _("wallet id"), _("member id"), _("kind"),
               _("available change"), _("held change"), _("withdrawn change"), _("available after"),
               _("record id"), _("withdrawal id"), _("operator id"), _("reason")]
    qs = _range(LedgerEntry.objects, "created_at", first, last)
    return ExportTable("ledger", headers, _rows(qs, fields, fix))


def withdrawals_table(first: datetime.date, last: datetime.date) -> ExportTable:
    """Withdrawals requested in the range."""
    labels, channels = dict(Withdrawal.State.choices), dict(WithdrawalChannel.choices)
    fields = ["id", "requested_at", "wallet__member_id", "amount", "fee", "net_amount", "channel", "state",
              "reviewed_by_id", "reviewed_at", "paid_by_id", "paid_at", "payout_reference"]

    def fix(row: list) -> None:
        row[6] = str(channels.get(row[6], row[6]))
        row[7] = str(labels.get(row[7], row[7]))

    headers = [_("withdrawal id"), _("requested at"), _("member id"), _("amount"), _("fee"),
               _("amount paid out"), _("channel"), _("state"), _("reviewed by"), _("reviewed at"),
               _("paid by"), _("paid out at"), _("payout reference")]
    qs = _range(Withdrawal.objects, "requested_at", first, last)
    return ExportTable("withdrawals", headers, _rows(qs, fields, fix))


FINANCE_EXPORTS: dict[str, tuple] = {
    "orders": (_("Orders"), orders_table),
    "order-items": (_("Order items"), order_items_table),
    "commission": (_("Commission records"), commission_table),
    "ledger": (_("Ledger entries"), ledger_table),
    "withdrawals": (_("Withdrawals"), withdrawals_table),
}
