from rest_framework import serializers

from common.fields import MoneySerializerField
from promotions.labels import headline, rule_text
from promotions.models import Coupon, CouponTemplate


class CouponTemplateSerializer(serializers.ModelSerializer):
    rule = serializers.SerializerMethodField(help_text="How the rule reads, e.g. 满¥100.00减¥10.00.")
    headline = serializers.SerializerMethodField()
    remaining = serializers.IntegerField(help_text="Coupons left to claim.")
    threshold = MoneySerializerField()
    amount = MoneySerializerField()
    max_discount = MoneySerializerField(allow_null=True)

    class Meta:
        model = CouponTemplate
        fields = [
            "id",
            "name",
            "kind",
            "threshold",
            "amount",
            "percent_off",
            "max_discount",
            "scope",
            "valid_from",
            "valid_until",
            "valid_days",
            "per_member_limit",
            "remaining",
            "rule",
            "headline",
        ]

    def get_rule(self, template: CouponTemplate) -> str:
        return rule_text(template)

    def get_headline(self, template: CouponTemplate) -> str:
        return headline(template)


class CouponSerializer(serializers.ModelSerializer):
    template = CouponTemplateSerializer()
    key = serializers.CharField(help_text="Send it as checkout's `discount_key`.")
    order_number = serializers.CharField(source="order.number", allow_null=True, default=None)
    discount_amount = MoneySerializerField()

    class Meta:
        model = Coupon
        fields = [
            "id",
            "key",
            "template",
            "source",
            "state",
            "valid_from",
            "valid_until",
            "claimed_at",
            "used_at",
            "order_number",
            "discount_amount",
        ]


class MyCouponsQuerySerializer(serializers.Serializer):
    tab = serializers.ChoiceField(choices=["unused", "used", "expired"], default="unused")


class GrantRequestSerializer(serializers.Serializer):
    template_id = serializers.IntegerField(min_value=1)
    phones = serializers.ListField(
        child=serializers.CharField(max_length=20), allow_empty=False, max_length=2000
    )
    batch = serializers.RegexField(
        r"^[A-Za-z0-9_\-:.]{4,40}$",
        help_text="Idempotency key of this list: sending it again grants nobody twice.",
    )


class GrantRowSerializer(serializers.Serializer):
    phone = serializers.CharField()
    ok = serializers.BooleanField()
    message = serializers.CharField()
    coupon_id = serializers.IntegerField(source="coupon.pk", allow_null=True, default=None)
