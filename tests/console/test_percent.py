"""Rates are typed and shown as percentages; the stored value is the same fraction as before."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from common.forms import PercentField, rate_as_percent
from distribution.commission.services.rules import rules_get
from distribution.models import LevelRate, RuleChange
from tests.console.roles_helpers import desk_user
from tests.distribution.factories import ResellerLevelFactory


@pytest.mark.parametrize(("typed", "stored"), [
    ("8", Decimal("0.0800")), ("8%", Decimal("0.0800")), (" 8 ％", Decimal("0.0800")),
    ("0.6", Decimal("0.0060")), ("12.25", Decimal("0.1225")), ("100", Decimal("1.0000")), ("0", Decimal(0)),
])
def test_a_percentage_is_stored_as_the_exact_fraction(typed, stored):
    value = PercentField().clean(typed)
    assert value == stored and value.as_tuple().exponent == -4


@pytest.mark.parametrize(("typed", "message"), [
    ("120", "请输入 0 到 100 之间的百分比。"), ("-1", "请输入 0 到 100 之间的百分比。"),
    ("abc", "请输入百分比，例如 8 表示 8%。"), ("NaN", "请输入百分比，例如 8 表示 8%。"),
    ("8.125", "百分比最多两位小数，例如 8.25。"),
])
def test_bad_percentages_are_refused_in_chinese(typed, message):
    with translation.override("zh-hans"), pytest.raises(Exception) as refused:
        PercentField().clean(typed)
    assert refused.value.messages == [message]


def test_rates_are_shown_as_percentages():
    assert [rate_as_percent(Decimal(v)) for v in ("0.0800", "0.0060", "0.5000", "1.0000", "0.1225")] == [
        "8", "0.6", "50", "100", "12.25"]


@pytest.mark.django_db
def test_level_rate_page_stores_8_as_0_08_and_refuses_120(client):
    level = ResellerLevelFactory()
    client.force_login(desk_user(None))
    add = reverse("admin:distribution_levelrate_add")

    refused = client.post(add, {"level": level.pk, "tier": 1, "rate": "120"})
    assert "请输入 0 到 100 之间的百分比。" in refused.content.decode()
    assert not LevelRate.objects.filter(level=level).exists()
    client.post(add, {"level": level.pk, "tier": 1, "rate": "8"})

    rate = LevelRate.objects.get(level=level, tier=1)
    assert rate.rate == Decimal("0.0800")
    page = client.get(reverse("admin:distribution_levelrate_change", args=[rate.pk])).content.decode()
    assert 'value="8"' in page
    assert "8%" in client.get(reverse("admin:distribution_levelrate_changelist")).content.decode()
    change = RuleChange.objects.get(field="tier1")
    log = client.get(reverse("admin:distribution_rulechange_changelist")).content.decode()
    assert change.new_value == "0.0800"  # stored as before
    assert "第 1 级佣金比例" in log and "8%" in log
    assert "tier1" not in log and "None" not in log and "level:" not in log


@pytest.mark.django_db
def test_commission_rules_page_refuses_abc_and_changes_nothing(client):
    client.force_login(desk_user(None))
    rules = rules_get()
    data = {"tiers": rules.tiers, "global_cap_rate": "abc", "attribution_policy": rules.attribution_policy,
            "withdrawal_min_amount": rules.withdrawal_min_amount, "withdrawal_fee_rate": "0.6",
            "withdrawal_daily_limit": rules.withdrawal_daily_limit,
            "withdrawal_channels": rules.withdrawal_channels}

    response = client.post(reverse("admin:distribution_commissionrules_change", args=[rules.pk]), data)

    assert "请输入百分比，例如 8 表示 8%。" in response.content.decode()
    after = rules_get()
    assert (after.global_cap_rate, after.withdrawal_fee_rate) == (
        rules.global_cap_rate, rules.withdrawal_fee_rate)
    assert not RuleChange.objects.exists()


@pytest.mark.django_db
def test_a_product_rate_is_typed_as_a_percentage_and_a_fixed_amount_in_yuan(client):
    from distribution.models import ProductCommission
    from tests.mall.factories import SKUFactory

    rate_product, fixed_product = SKUFactory().product, SKUFactory().product
    client.force_login(desk_user(None))
    add = reverse("admin:distribution_productcommission_add")

    client.post(add, {"product": rate_product.pk, "mode": "rate", "tier1": "8", "tier2": "2.5", "tier3": "0"})
    client.post(add, {"product": fixed_product.pk, "mode": "fixed", "tier1": "8", "tier2": "0", "tier3": "0"})

    rate = ProductCommission.objects.get(product=rate_product)
    assert (rate.tier1, rate.tier2) == (Decimal("0.0800"), Decimal("0.0250"))
    assert ProductCommission.objects.get(product=fixed_product).tier1 == Decimal("8.00")
    page = client.get(reverse("admin:distribution_productcommission_change", args=[rate.pk])).content.decode()
    assert 'value="8"' in page and 'value="2.5"' in page
    listing = client.get(reverse("admin:distribution_productcommission_changelist")).content.decode()
    assert "8%" in listing and "¥8.00" in listing
