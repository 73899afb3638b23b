"""Issuing: claims (stock, per-member limit, dates), idempotent grants, the sign-up gift
inside the sign-up transaction, the returning-customer task (safe to run twice)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from mall.services.accounts import user_register
from orders.models import Order
from promotions.errors import CouponLimitReached, CouponNotClaimable, CouponSoldOut, CouponTemplateNotFound
from promotions.models import Coupon, CouponSource, CouponTemplate, ReturningCustomerRule
from promotions.services.issue import coupon_claim, coupon_grant
from promotions.services.returning import returning_customers_grant
from tests.mall.factories import SKUFactory, UserFactory
from tests.orders.factories import pay
from tests.promotions.factories import CouponTemplateFactory, checkout

pytestmark = pytest.mark.django_db


def test_a_claim_takes_one_from_stock_and_dates_the_coupon_from_claiming():
    template = CouponTemplateFactory(stock=2, valid_days=7)
    user = UserFactory()

    coupon = coupon_claim(template_id=template.pk, user=user)

    template.refresh_from_db()
    assert template.issued == 1
    assert (coupon.source, coupon.claim_seq) == (CouponSource.CLAIM, 1)
    assert coupon.valid_until - coupon.valid_from == timedelta(days=7)


def test_the_per_member_limit_and_the_stock_refuse_and_change_nothing():
    template = CouponTemplateFactory(stock=3, per_member_limit=2)
    user = UserFactory()
    coupon_claim(template_id=template.pk, user=user)
    coupon_claim(template_id=template.pk, user=user)

    with pytest.raises(CouponLimitReached):
        coupon_claim(template_id=template.pk, user=user)
    coupon_claim(template_id=template.pk, user=UserFactory())
    with pytest.raises(CouponSoldOut):
        coupon_claim(template_id=template.pk, user=UserFactory())

    template.refresh_from_db()
    assert (template.issued, Coupon.objects.count()) == (3, 3)


def test_grant_only_expired_or_inactive_templates_cannot_be_claimed():
    user = UserFactory()
    grant_only = CouponTemplateFactory(in_claim_centre=False)
    ended = CouponTemplateFactory(valid_days=None, valid_until=timezone.now() - timedelta(days=1))
    inactive = CouponTemplateFactory(is_active=False)

    with pytest.raises(CouponTemplateNotFound):
        coupon_claim(template_id=grant_only.pk, user=user)
    for template in (ended, inactive):
        with pytest.raises(CouponNotClaimable):
            coupon_claim(template_id=template.pk, user=user)
    assert Coupon.objects.count() == 0
    assert set(CouponTemplate.objects.values_list("issued", flat=True)) == {0}


def test_a_grant_is_idempotent_per_key_and_ignores_the_claim_limit():
    template = CouponTemplateFactory(stock=5, per_member_limit=1)
    user = UserFactory()
    coupon_claim(template_id=template.pk, user=user)

    first = coupon_grant(template=template, user=user, source=CouponSource.MESSAGE, key="crm:1")
    again = coupon_grant(template=template, user=user, source=CouponSource.MESSAGE, key="crm:1")
    other = coupon_grant(template=template, user=user, source=CouponSource.MESSAGE, key="crm:2")

    assert first.pk == again.pk != other.pk
    template.refresh_from_db()
    assert template.issued == 3


@override_settings(SIGNUP_REQUIRES_SMS_CODE=False)
def test_the_signup_gift_is_granted_inside_sign_up_and_a_sold_out_gift_never_refuses_it():
    gift = CouponTemplateFactory(is_signup_gift=True, in_claim_centre=False, stock=1, name="新人礼")

    first = user_register(phone="13911110001", password="Quanzi-test-123")
    second = user_register(phone="13911110002", password="Quanzi-test-123")

    assert list(Coupon.objects.filter(user=first).values_list("template_id", "source")) == [
        (gift.pk, CouponSource.SIGNUP)
    ]
    assert not Coupon.objects.filter(user=second).exists()


def _returning_world():
    template = CouponTemplateFactory(in_claim_centre=False, stock=100, name="老客专享")
    ReturningCustomerRule.objects.create(
        pk=1, enabled=True, template=template, inactive_days=30, repeat_days=14
    )
    old, recent = UserFactory(), UserFactory()
    for user, days_ago in ((old, 45), (recent, 3)):
        order = pay(checkout(user, [(SKUFactory(price=Decimal("20.00")), 1)]))
        Order.objects.filter(pk=order.pk).update(paid_at=timezone.now() - timedelta(days=days_ago))
    return template, old, recent


def test_the_returning_customer_task_grants_once_per_member_per_window_however_often_it_runs():
    template, old, _recent = _returning_world()

    assert returning_customers_grant() == 1
    assert returning_customers_grant() == 0  # a second run the same day (or a retry)
    assert returning_customers_grant(today=timezone.localdate() + timedelta(days=1)) == 0  # within 14 days

    assert list(Coupon.objects.values_list("user_id", "source")) == [(old.pk, CouponSource.RETURNING)]
    Coupon.objects.update(claimed_at=timezone.now() - timedelta(days=15))
    assert returning_customers_grant(today=timezone.localdate() + timedelta(days=15)) == 1
    template.refresh_from_db()
    assert template.issued == 2


def test_a_template_without_what_its_kind_needs_is_refused_with_clear_messages():
    from django.core.exceptions import ValidationError
    from django.utils import translation

    template = CouponTemplate(name="坏券", kind="percent", percent_off=0, scope="shop", stock=10)

    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        template.full_clean()

    errors = refused.value.message_dict
    assert errors["percent_off"] == ["请填写 1 到 99 之间的百分比。"]
    assert errors["shop"] == ["请选择这张券适用的店铺。"]
    assert errors["valid_until"] == ["请设置结束日期，或领取后有效的天数。"]
