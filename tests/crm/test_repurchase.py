from datetime import date, timedelta

import pytest

from crm.models import Message, ProductCycle, RepurchaseSettings, SourceKind
from crm.rules import local
from crm.services.repurchase import cycles_learn, repurchase_remind
from mall.models import Product
from orders.models import OrderState
from promotions.models import ReturningCustomerRule
from tests.crm.audience_world import paid_purchase
from tests.crm.factories import MessageTemplateFactory
from tests.crm.helpers import sh
from tests.mall.factories import ShopFactory, SKUFactory, UserFactory
from tests.promotions.factories import CouponTemplateFactory

pytestmark = pytest.mark.django_db


def _buy(user, sku, *days, month=11, **kw):
    shop = ShopFactory()
    for day in days:
        paid_purchase(user, shop, sku, sh(day, 12, month=month), **kw)


def _settings(min_pairs=20):
    settings = RepurchaseSettings.get_solo()
    settings.min_pairs, settings.template = min_pairs, MessageTemplateFactory(body="{product}快用完了")
    settings.save()
    return settings


def test_the_cycle_is_the_median_gap_once_there_are_enough_pairs():
    sku, other_sku = SKUFactory(), SKUFactory()
    _buy(UserFactory(), sku, 1, 15, 30)           # gaps 14, 15
    _buy(UserFactory(), sku, 2, 2, 17, 28)         # same day is one trip: gaps 15, 11
    _buy(UserFactory(), sku, 3, 20, month=11)      # gap 17
    _buy(UserFactory(), sku, 5, 25, state=OrderState.CANCELLED)  # cancelled: nothing
    _buy(UserFactory(), other_sku, 1, 11)          # gap 10 on another product
    _settings(min_pairs=5)

    assert cycles_learn(today=date(2026, 12, 1)) == 1

    cycle = ProductCycle.objects.get(product=sku.product)
    assert (cycle.learned_days, cycle.sample_pairs, cycle.cycle_days) == (15, 5, 15)  # 11,14,15,15,17
    other = ProductCycle.objects.get(product=other_sku.product)
    assert (other.learned_days, other.sample_pairs, other.cycle_days) == (None, 1, None)

    _settings(min_pairs=6)
    cycles_learn(today=date(2026, 12, 2))
    assert ProductCycle.objects.get(product=sku.product).learned_days is None


def test_an_even_sample_takes_the_mean_of_the_middle_pair_rounded_half_up():
    sku = SKUFactory()
    _buy(UserFactory(), sku, 1, 15)   # 14
    _buy(UserFactory(), sku, 1, 16)   # 15
    _settings(min_pairs=2)

    cycles_learn(today=date(2026, 12, 1))

    assert ProductCycle.objects.get(product=sku.product).learned_days == 15  # 14.5 → 15


def test_staff_override_wins_and_survives_learning():
    sku = SKUFactory()
    _buy(UserFactory(), sku, 1, 15)
    _settings(min_pairs=1)
    ProductCycle.objects.create(product=sku.product, override_days=10)

    cycles_learn(today=date(2026, 12, 1))

    cycle = ProductCycle.objects.get(product=sku.product)
    assert (cycle.learned_days, cycle.override_days, cycle.cycle_days) == (14, 10, 10)


def _reminders():
    return [(local(m.not_before).date(), m.dedupe_key, m.body)
            for m in Message.objects.filter(source_kind=SourceKind.REPURCHASE).order_by("id")]


def _run_days(first: date, last: date, purchases: dict[date, object], user, sku):
    day = first
    while day <= last:
        if day in purchases:
            paid_purchase(user, ShopFactory(), sku, sh(day.day, 8, month=day.month))
        repurchase_remind(today=day)
        repurchase_remind(today=day)  # a second run the same day changes nothing
        day += timedelta(days=1)


def test_a_member_buying_every_15_days_gets_one_reminder_per_cycle_on_day_13():
    sku = SKUFactory(product__title="纯牛奶")
    user = UserFactory()
    _settings()
    ProductCycle.objects.create(product=sku.product, override_days=15)

    _run_days(date(2026, 12, 1), date(2026, 12, 31), {date(2026, 12, 1): 1, date(2026, 12, 16): 1}, user, sku)

    pid = sku.product_id
    assert _reminders() == [
        (date(2026, 12, 14), f"repurchase:{pid}:2026-12-01:{user.pk}", "纯牛奶快用完了"),
        (date(2026, 12, 29), f"repurchase:{pid}:2026-12-16:{user.pk}", "纯牛奶快用完了"),
    ]


def test_a_new_purchase_before_the_reminder_resets_it():
    sku = SKUFactory()
    user = UserFactory()
    _settings()
    ProductCycle.objects.create(product=sku.product, override_days=15)

    _run_days(date(2026, 12, 1), date(2026, 12, 22), {date(2026, 12, 1): 1, date(2026, 12, 10): 1}, user, sku)

    assert _reminders() == []  # day 13 of the first purchase was a day 3 of the second
    repurchase_remind(today=date(2026, 12, 23))
    assert [(day, key.split(":")[2]) for day, key, _b in _reminders()] == [(date(2026, 12, 23), "2026-12-10")]


def test_a_missed_day_is_caught_up_the_next_day_and_no_reminder_without_a_template():
    sku = SKUFactory()
    user = UserFactory()
    _buy(user, sku, 1, month=12)
    ProductCycle.objects.create(product=sku.product, override_days=15)

    assert repurchase_remind(today=date(2026, 12, 14)) == 0  # no template chosen yet
    _settings()
    repurchase_remind(today=date(2026, 12, 15))  # day 14: the day-13 run was missed
    repurchase_remind(today=date(2026, 12, 16))  # day 15: too late, and already sent

    assert [day for day, _k, _b in _reminders()] == [date(2026, 12, 15)]


def test_the_returning_customer_coupon_rides_along_when_staff_ask():
    sku = SKUFactory()
    _buy(UserFactory(), sku, 1, month=12)
    ProductCycle.objects.create(product=sku.product, override_days=15)
    settings = _settings()
    settings.with_returning_coupon = True
    settings.save()
    coupon = CouponTemplateFactory()
    ReturningCustomerRule.objects.update_or_create(pk=1, defaults={"template": coupon})

    repurchase_remind(today=date(2026, 12, 14))

    assert Message.objects.get().coupon_template == str(coupon.pk)


def test_no_reminder_for_a_product_off_the_shelf():
    sku = SKUFactory(product__status=Product.Status.OFF_SHELF)
    _buy(UserFactory(), sku, 1, month=12)
    ProductCycle.objects.create(product=sku.product, override_days=15)
    _settings()

    assert repurchase_remind(today=date(2026, 12, 14)) == 0
    assert _reminders() == []
