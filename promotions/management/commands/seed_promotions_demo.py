"""``manage.py seed_promotions_demo``: coupons and a partner for the demo (after ``seed_demo``).

Looks before it acts, so running it again creates nothing twice:

- 新人礼 (the sign-up gift): ¥20 off orders over ¥99, valid 7 days, granted at sign-up;
- a claimable 满减 in the claim centre: ¥10 off orders over ¥100 (stock 1,000, 1 per member);
- 老客专享: ¥15 off orders over ¥150, granted daily to members whose last paid order is
  older than 30 days, at most once per member every 30 days (the rule is switched on);
- a partner, 小树苗亲子摄影 (budget ¥500), with a staff account 13600000001 / ``partner123``,
  a voucher offer (全家福套餐 ¥100 抵用券, fee ¥8 per verified voucher) and a partner-funded
  coupon (¥10 off over ¥80) with its link; the demo shopper 13900000001 holds one voucher.
"""

from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from mall.models import User
from promotions.models import (
    CouponTemplate,
    Partner,
    PartnerOffer,
    PartnerStaff,
    PartnerVoucher,
    ReturningCustomerRule,
)
from promotions.services.vouchers import partner_voucher_claim

PARTNER_STAFF = ("13600000001", "partner123")
DEMO_LINK = "xiaoshumiao-demo"  # a public link the partner hands out, not a secret


def _template(name: str, **fields: object) -> CouponTemplate:
    template = CouponTemplate.objects.filter(name=name).first()
    return template or CouponTemplate.objects.create(name=name, **fields)


class Command(BaseCommand):
    help = "Demo coupons (新人礼, 满减, 老客专享) and a partner with a staff account and a voucher offer."

    @transaction.atomic
    def handle(self, *args: object, **options: object) -> None:
        _template(
            "新人礼",
            kind="threshold",
            threshold=Decimal("99.00"),
            amount=Decimal("20.00"),
            valid_days=7,
            stock=100_000,
            in_claim_centre=False,
            is_signup_gift=True,
        )
        _template(
            "全场满100减10",
            kind="threshold",
            threshold=Decimal("100.00"),
            amount=Decimal("10.00"),
            valid_days=14,
            stock=1000,
        )
        returning = _template(
            "老客专享",
            kind="threshold",
            threshold=Decimal("150.00"),
            amount=Decimal("15.00"),
            valid_days=14,
            stock=10_000,
            in_claim_centre=False,
        )
        rule = ReturningCustomerRule.get_solo()
        if rule.template_id is None:
            rule.enabled, rule.template, rule.inactive_days, rule.repeat_days = True, returning, 30, 30
            rule.save()
        partner, _ = Partner.objects.get_or_create(
            name="小树苗亲子摄影",
            defaults={"contact_name": "林店长", "contact_phone": "057188880000", "budget": Decimal("500.00")},
        )
        staff = User.objects.filter(phone=PARTNER_STAFF[0]).first() or User.objects.create_user(
            PARTNER_STAFF[0], PARTNER_STAFF[1], nickname="小树苗店员"
        )
        PartnerStaff.objects.get_or_create(user=staff, defaults={"partner": partner})
        offer = PartnerOffer.objects.filter(partner=partner).first() or PartnerOffer.objects.create(
            partner=partner,
            title="全家福套餐 ¥100 抵用券",
            description="到店拍全家福立减 100 元",
            fee=Decimal("8.00"),
            stock=500,
            valid_until=timezone.now() + timedelta(days=90),
        )
        _template(
            "小树苗会员专享券",
            kind="threshold",
            threshold=Decimal("80.00"),
            amount=Decimal("10.00"),
            valid_days=30,
            stock=1000,
            in_claim_centre=False,
            partner=partner,
            link_token=DEMO_LINK,
        )
        shopper = User.objects.filter(phone="13900000001").first()
        if shopper is not None and not PartnerVoucher.objects.filter(offer=offer, user=shopper).exists():
            partner_voucher_claim(offer_id=offer.pk, user=shopper)
        self.stdout.write(
            f"promotions demo: partner staff {PARTNER_STAFF[0]} / {PARTNER_STAFF[1]} "
            f"→ /partners/{partner.pk}/verify/; partner link /partner-coupon/{DEMO_LINK}/"
        )
