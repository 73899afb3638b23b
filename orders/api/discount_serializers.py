"""The checkout API's discount fields (one coupon per order; see ``orders/discounts.py``)."""

from rest_framework import serializers

from common.fields import MoneySerializerField


class DiscountOptionSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Send it as `discount_key`, e.g. `coupon:42`.")
    title = serializers.CharField()
    amount = MoneySerializerField()
    usable = serializers.BooleanField()
    problem = serializers.CharField(help_text="Why it cannot be used now; empty when it can.")
    expires_at = serializers.DateTimeField(allow_null=True)


class DiscountPreviewFields(serializers.Serializer):
    """What a checkout preview says about discounts (its serializer's base)."""

    discount_options = DiscountOptionSerializer(many=True, help_text="One coupon per order.")
    discount = DiscountOptionSerializer(allow_null=True, help_text="The coupon applied.")
    discount_problem = serializers.CharField(help_text="Why the coupon asked for is not applied.")


def discount_key_field(*, preview: bool) -> serializers.CharField:
    if preview:
        return serializers.CharField(
            max_length=40, required=False, allow_null=True, default=None,
            help_text="The coupon to apply (a `discount_options[].key`); `none`: none; absent: the best one.")
    return serializers.CharField(
        max_length=40, required=False, allow_blank=True, default="",
        help_text="The coupon to use (a preview's `discount_options[].key`); empty or `none`: none.")
