"""Every staff page in zh-hans: each admin list and each change page (of a world holding a row of
most kinds) is rendered as the superuser, and none shows a known English or raw leftover."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import NoReverseMatch, reverse

from config.roles import FINANCE
from distribution.commission.services.rules import level_rate_set, rules_update
from distribution.models import ResellerLevel
from distribution.wallet.services.withdrawals import withdrawal_request
from tests.console.roles_helpers import desk_user
from tests.distribution.commission_world import buy, make_world, receive, sku
from tests.distribution.earnings_helpers import funded_reseller, low_minimum
from tests.distribution.factories import MemberFactory

pytestmark = pytest.mark.django_db

# What the browser walk found, and the raw forms of the same things.
LEFTOVERS = [
    "TREE ID", "Tree id", "Lft", "Rght", "lft", "rght", "T1 ", "T2 ", "sign-up", "Sign-up", "tier1", "tier2",
    "level:", "None →", "→ None", "Can approve or reject withdrawals", "Can record withdrawal payouts",
    "Can add ", "Can change ", "Can delete ", "Can view ", "Can refund after", "Can retry",
    "0.0800", "0.5000", "Select ", "to change", "Action:", "Go", "Save and", "History", "Filter",
]


@pytest.fixture
def world():
    low_minimum()
    w = make_world(tiers=2)
    receive(buy(w.buyer, [(sku("100.00", "40.00"), 1)]))
    level = ResellerLevel.objects.first()
    level_rate_set(level=level, tier=2, rate=Decimal("0.08"), operator=None)
    rules_update(operator=None, global_cap_rate=Decimal("0.45"))
    member, _wallet, account = funded_reseller("100.00")
    withdrawal_request(member=member, amount="10.00", payout_account_id=account.pk,
                       idempotency_key="i18n-test-0001")
    MemberFactory(parent=member)
    desk_user(FINANCE)  # the groups and their permissions exist
    return w


def _text(html: str) -> str:
    body = re.sub(r"(?s)<script.*?</script>|<style.*?</style>", " ", html)
    body = re.sub(r"(?s)<[^>]+>", " ", body)
    return unescape(body)


def _pages():
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        yield reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        obj = model_admin.get_queryset_for_i18n() if hasattr(model_admin, "get_queryset_for_i18n") else (
            model._default_manager.order_by("pk").first())
        if obj is not None:
            try:
                yield reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
            except NoReverseMatch:
                continue


def test_no_english_leftovers_on_staff_pages(client, world):
    client.force_login(desk_user(None))
    found = []
    for url in _pages():
        response = client.get(url, follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200, url
        text = _text(response.content.decode())
        found += [f"{url}: {word!r}" for word in LEFTOVERS
                  if re.search(rf"(?<![\w/]){re.escape(word)}", text)]
    assert found == [], "\n".join(found)


def test_permission_names_are_shown_in_chinese_on_the_group_page(client, world):
    client.force_login(desk_user(None))
    group = Group.objects.get(name=FINANCE)

    page = client.get(reverse("admin:auth_group_change", args=[group.pk]),
                      HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "可审核提现" in page and "可查看提现" in page
    assert "Can approve or reject withdrawals" not in page and "Can view" not in page
    assert Permission.objects.filter(codename="review_withdrawal").exists()


def test_the_new_console_pages_work_in_english_too(client, world):
    client.force_login(desk_user(None))
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}

    bulk = client.get(reverse("admin:orders_order_bulk_ship"), **english).content.decode()
    audit = client.get(reverse("admin:audit_staffaction_changelist"), **english).content.decode()
    rules = client.get(reverse("admin:distribution_rulechange_changelist"), **english).content.decode()

    assert "Bulk shipping" in bulk and "批量发货" not in bulk
    assert "Export CSV" in audit and "导出 CSV" not in audit
    assert "tier 2 rate" in rules and "8%" in rules and "第 2 级" not in rules
