"""Input and output shapes of ``/api/v1/earnings/…``.

Input serializers check shape only; the rules live in the services. Money is a string with 2
decimals, rates with 4. Account numbers only ever leave masked.
"""

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from distribution import labels
from distribution.earnings import selectors
from distribution.models import (
    CommissionRecord,
    CommissionState,
    LedgerEntry,
    PayoutAccount,
    Withdrawal,
    WithdrawalChannel,
)
from orders import labels as order_labels
from orders.models import Order, OrderState


def money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=12, decimal_places=2, **kwargs)


def rate(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=5, decimal_places=4, **kwargs)


# --- serializers -----------------------------------------------------------------------------


class EarningsOverviewSerializer(serializers.Serializer):
    today = money(help_text="Commission on orders paid today (Asia/Shanghai), after refunds.")
    this_month = money(help_text="Commission on orders paid this month, after refunds.")
    total = money(help_text="Settled + pending commission, after refunds.")
    pending = money(help_text="Waiting for the after-sales window to close.")
    available = money(help_text="May be withdrawn now (0 while in debt).")
    held = money(help_text="Requested withdrawals under review or being paid.")
    withdrawn = money(help_text="Paid out so far.")
    debt = money(help_text="Taken back by refunds after it was settled; repaid by the next earnings. "
                           "Withdrawals are blocked while it is above 0.")


class WithdrawOptionsSerializer(serializers.Serializer):
    available = money()
    debt = money(source="balances.debt")
    minimum = money()
    fee_rate = rate(help_text="Share of the amount kept as a fee: 0.0060 is 0.6 %.")
    daily_limit = serializers.IntegerField()
    remaining_today = serializers.IntegerField()
    channels = serializers.ListField(child=serializers.ChoiceField(choices=WithdrawalChannel.choices))
    can_withdraw = serializers.BooleanField()


class CommissionRecordSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number")
    product_title = serializers.CharField(source="order_item.product_title")
    spec_text = serializers.CharField(source="order_item.sku_spec_text")
    quantity = serializers.IntegerField(source="order_item.quantity")
    tier_label = serializers.SerializerMethodField()
    state = serializers.ChoiceField(choices=CommissionState.choices)
    state_label = serializers.SerializerMethodField()
    clawed_back = money(source="reversed_amount", help_text="Taken back after settlement by refunds.")
    is_reversed = serializers.BooleanField()

    class Meta:
        model = CommissionRecord
        fields = ["id", "order_number", "product_title", "spec_text", "quantity", "tier", "tier_label",
                  "level_name", "base_amount", "rate", "fixed_per_unit", "original_amount", "amount",
                  "clawed_back", "is_reversed", "state", "state_label", "created_at", "settled_at",
                  "cancelled_at"]
        extra_kwargs = {"amount": {"help_text": "What the record is worth now, after refunds."},
                        "original_amount": {"help_text": "What it was worth when the order was paid."},
                        "rate": {"help_text": "Share of the base (null when a fixed amount per unit)."},
                        "fixed_per_unit": {"help_text": "Fixed amount per unit (null when a rate)."}}

    def get_tier_label(self, record: CommissionRecord) -> str:
        return labels.tier_label(record.tier)

    def get_state_label(self, record: CommissionRecord) -> str:
        return labels.record_state_label(record)


class CommissionListQuerySerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=selectors.RECORD_FILTERS, required=False,
                                    help_text="A record state, or `reversed` (money clawed back).")
    month = serializers.RegexField(selectors.MONTH_RE, required=False, help_text="`YYYY-MM`.")


class PromotedItemSerializer(serializers.Serializer):
    product_title = serializers.CharField()
    spec_text = serializers.CharField(source="sku_spec_text")
    quantity = serializers.IntegerField()


class PromotedOrderSerializer(serializers.ModelSerializer):
    buyer = serializers.CharField(source="user.display_name", help_text="Nickname or masked phone.")
    state = serializers.ChoiceField(choices=OrderState.choices)
    state_label = serializers.SerializerMethodField()
    goods_amount = money(help_text="What the goods were paid (the commission base), no shipping.")
    my_commission = money(help_text="My commission on this order, after refunds.")
    items = PromotedItemSerializer(many=True)

    class Meta:
        model = Order
        fields = ["number", "buyer", "state", "state_label", "paid_at", "goods_amount", "my_commission",
                  "items"]

    def get_state_label(self, order: Order) -> str:
        return order_labels.order_state_label(order)


class WithdrawalSerializer(serializers.ModelSerializer):
    payout_account_id = serializers.IntegerField(read_only=True)
    account_masked = serializers.CharField(source="payout_account.account_masked")
    state_label = serializers.SerializerMethodField()

    class Meta:
        model = Withdrawal
        fields = ["id", "amount", "fee", "net_amount", "channel", "payout_account_id", "account_masked",
                  "state", "state_label", "requested_at", "reviewed_at", "paid_at", "reject_reason",
                  "payout_reference"]

    def get_state_label(self, withdrawal: Withdrawal) -> str:
        return labels.withdrawal_state_label(withdrawal)


class WithdrawalCreateSerializer(serializers.Serializer):
    amount = money(min_value=Decimal("0.01"))
    payout_account_id = serializers.IntegerField(min_value=1)
    idempotency_key = serializers.CharField(required=False, max_length=64, help_text=(
        "Used when there is no `Idempotency-Key` header: 8–64 letters, digits, `-_:.`; a new one "
        "per withdrawal."))


class PayoutAccountSerializer(serializers.ModelSerializer):
    channel_label = serializers.CharField(source="get_channel_display")

    class Meta:
        model = PayoutAccount
        fields = ["id", "channel", "channel_label", "holder_name", "bank_name", "account_masked",
                  "created_at"]


class PayoutAccountCreateSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=WithdrawalChannel.choices)
    holder_name = serializers.CharField(max_length=40)
    account = serializers.CharField(max_length=64, help_text=(
        "Bank card: 12–19 digits; Alipay: mobile number or email; WeChat: WeChat ID."))
    bank_name = serializers.CharField(max_length=60, required=False, default="", allow_blank=True,
                                      help_text="Required for bank cards.")


class LedgerEntrySerializer(serializers.ModelSerializer):
    kind_label = serializers.SerializerMethodField()
    order_number = serializers.CharField(source="commission_record.order.number", allow_null=True,
                                         default=None, help_text="The order of a commission entry.")
    withdrawal_id = serializers.IntegerField(allow_null=True, read_only=True)

    class Meta:
        model = LedgerEntry
        fields = ["id", "kind", "kind_label", "available_delta", "held_delta", "withdrawn_delta",
                  "available_after", "order_number", "withdrawal_id", "reason", "created_at"]

    def get_kind_label(self, entry: LedgerEntry) -> str:
        return labels.ledger_kind_label(entry)


class SharePreviewSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    amount = money(allow_null=True, help_text=(
        "What I earn at tier 1 when a shopper buys one unit of the cheapest SKU through me; null "
        "when nothing (not an active reseller, no rate, no margin)."))
