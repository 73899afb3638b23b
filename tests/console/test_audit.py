"""Every kind of staff write leaves one audit row: who, what, which object, before and after,
client address, time. The kinds: add, change (plain settings pages too, and inlines), delete,
list action, custom page step (ship, withdrawal review, wallet adjustment), bulk shipping; a
refused save leaves none. The log itself is read-only and exports as CSV."""

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from audit.models import StaffAction
from config.roles import FINANCE, OPS, SERVICE
from distribution.commission.services.rules import rules_get
from distribution.models import CommissionRules, Member, ReferralSettings, Wallet
from distribution.wallet.services.withdrawals import withdrawal_request
from mall.models import Supplier
from orders.models import Order, ReturnAddress, ShippingRule
from tests.console.roles_helpers import desk_user
from tests.distribution.earnings_helpers import funded_reseller, low_minimum
from tests.distribution.factories import MemberFactory
from tests.mall.factories import SupplierFactory
from tests.orders.factories import ReturnAddressFactory, pay, place_order

pytestmark = pytest.mark.django_db
IP = "203.0.113.7"
SHIP = {"carrier": "顺丰速运", "tracking_no": "SF1"}


def _only(**filters) -> StaffAction:
    return StaffAction.objects.get(**filters)


def _desk(client, group):
    user = desk_user(group)
    client.force_login(user)
    return user


def test_add_through_a_form(client):
    user = _desk(client, OPS)

    client.post(reverse("admin:mall_supplier_add"), {
        "name": "杭州丝绸厂", "is_active": "on", "contact_name": "王经理", "contact_phone": "13812345678",
        "settlement_account_name": "杭州丝绸厂", "settlement_bank": "工商银行",
        "settlement_account_no": "6222000011112222"}, REMOTE_ADDR=IP)

    supplier = Supplier.objects.get(name="杭州丝绸厂")
    row = _only(kind="add")
    assert (row.actor_id, row.actor_repr, row.ip, row.object_id) == (
        user.pk, user.phone, IP, str(supplier.pk))
    assert row.content_type == ContentType.objects.get_for_model(Supplier)
    assert row.before is None
    assert row.after["name"] == "杭州丝绸厂"
    assert row.after["contact_phone"] == "138****5678"  # masked in the log too
    assert row.created_at is not None


def test_change_of_a_singleton_setting_through_a_plain_page(client):
    """The after-sales window (the shipping rule's page) was an unaudited model form."""
    _desk(client, OPS)
    ShippingRule.get_solo()

    client.post(reverse("admin:orders_shippingrule_change", args=[1]),
                {"flat_fee": "10.00", "free_over": "99.00", "aftersale_window_days": "10"}, REMOTE_ADDR=IP)

    assert ShippingRule.get_solo().aftersale_window_days == 10
    row = _only(kind="change", content_type=ContentType.objects.get_for_model(ShippingRule))
    assert row.changed_fields == ["aftersale_window_days", "updated_at"]
    assert (row.before["aftersale_window_days"], row.after["aftersale_window_days"]) == (7, 10)


def test_change_of_the_bind_mode(client):
    _desk(client, OPS)
    settings = ReferralSettings.get_solo()
    data = {f.name: getattr(settings, f.name) for f in settings._meta.concrete_fields
            if f.editable and f.name != "id"}
    data["bind_mode"] = "override"

    response = client.post(reverse("admin:distribution_referralsettings_change", args=[settings.pk]), data)

    assert response.status_code == 302
    row = _only(kind="change", content_type=ContentType.objects.get_for_model(ReferralSettings))
    assert "bind_mode" in row.changed_fields
    assert (row.before["bind_mode"], row.after["bind_mode"]) == ("permanent", "override")


def test_commission_rules_saved_through_their_service_with_a_percent(client):
    _desk(client, OPS)
    rules = rules_get()
    data = {"tiers": rules.tiers, "global_cap_rate": "40", "attribution_policy": rules.attribution_policy,
            "withdrawal_min_amount": rules.withdrawal_min_amount, "withdrawal_fee_rate": "0",
            "withdrawal_daily_limit": rules.withdrawal_daily_limit,
            "withdrawal_channels": rules.withdrawal_channels}

    client.post(reverse("admin:distribution_commissionrules_change", args=[rules.pk]), data)

    assert rules_get().global_cap_rate == Decimal("0.4000")
    row = _only(kind="change", content_type=ContentType.objects.get_for_model(CommissionRules))
    assert (row.before["global_cap_rate"], row.after["global_cap_rate"]) == ("0.5000", "0.4000")


def test_a_refused_save_leaves_no_row(client):
    _desk(client, OPS)
    rules = rules_get()

    client.post(reverse("admin:distribution_commissionrules_change", args=[rules.pk]),
                {"tiers": 5, "global_cap_rate": "abc"})

    assert rules_get().tiers == rules.tiers
    assert not StaffAction.objects.exists()


def test_delete(client):
    _desk(client, SERVICE)
    ReturnAddressFactory()  # the platform default, which cannot be deleted
    address = ReturnAddressFactory(receiver="杭州仓", supplier=SupplierFactory())

    client.post(reverse("admin:orders_returnaddress_delete", args=[address.pk]), {"post": "yes"})

    assert not ReturnAddress.objects.filter(pk=address.pk).exists()
    row = _only(kind="delete")
    assert (row.object_id, row.before["receiver"], row.after) == (str(address.pk), "杭州仓", None)


def test_list_action_with_a_reason(client):
    user = _desk(client, OPS)
    member = MemberFactory()

    client.post(reverse("admin:distribution_member_changelist"), {
        "action": "grant_reseller", "_selected_action": [member.pk], "apply": "1", "reason": "线下签约"})

    assert Member.objects.get(pk=member.pk).is_reseller
    row = _only(kind="action")
    assert (row.what, row.actor_id, row.object_id) == ("grant_reseller", user.pk, str(member.pk))
    assert (row.before["is_reseller"], row.after["is_reseller"]) == (False, True)


def test_custom_page_step_ship(client):
    _desk(client, SERVICE)
    order = pay(place_order())

    client.post(reverse("admin:orders_order_ship", args=[order.pk]),
                {"carrier": "顺丰速运", "tracking_no": "SF100"}, REMOTE_ADDR=IP)

    row = _only(kind="step")
    assert (row.what, row.object_id, row.ip) == ("ship", str(order.pk), IP)
    assert (row.before["state"], row.after["state"]) == ("paid", "shipped")
    assert {"state", "carrier", "tracking_no", "shipped_at"} <= set(row.changed_fields)


def test_withdrawal_review_and_wallet_adjustment_steps(client):
    low_minimum()
    member, wallet, account = funded_reseller("100.00")
    withdrawal, _ = withdrawal_request(member=member, amount="10.00", payout_account_id=account.pk,
                                       idempotency_key="audit-test-0001")
    _desk(client, FINANCE)

    client.post(reverse("admin:distribution_withdrawal_approve", args=[withdrawal.pk]), {})
    client.post(reverse("admin:distribution_wallet_adjust", args=[wallet.pk]),
                {"amount": "-5.00", "reason": "多发退回"})

    approve, adjust = StaffAction.objects.order_by("id")
    assert (approve.what, approve.before["state"], approve.after["state"]) == (
        "approve", "requested", "approved")
    assert (adjust.what, adjust.object_id) == ("adjust", str(wallet.pk))
    assert (adjust.before["available"], adjust.after["available"]) == ("90.00", "85.00")
    assert Wallet.objects.get(pk=wallet.pk).available == Decimal("85.00")


def test_a_step_refused_by_its_service_leaves_no_row(client):
    _desk(client, SERVICE)
    order = place_order()  # unpaid: cannot ship

    client.post(reverse("admin:orders_order_ship", args=[order.pk]), SHIP)

    assert Order.objects.get(pk=order.pk).state == "pending_payment"
    assert not StaffAction.objects.exists()


def test_the_log_is_read_only_filterable_and_exports_csv(client):
    _desk(client, SERVICE)
    order = pay(place_order())
    client.post(reverse("admin:orders_order_ship", args=[order.pk]), SHIP)
    client.force_login(desk_user(None))
    changelist = reverse("admin:audit_staffaction_changelist")

    assert client.get(changelist, {"kind__exact": "step"}).status_code == 200
    assert client.get(reverse("admin:audit_staffaction_add")).status_code == 403
    row = StaffAction.objects.get()
    assert client.post(reverse("admin:audit_staffaction_change", args=[row.pk]), {}).status_code == 403
    delete = reverse("admin:audit_staffaction_delete", args=[row.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    exported = b"".join(client.get(reverse("admin:audit_staffaction_export"), {"kind__exact": "step"})
                        .streaming_content).decode("utf-8-sig")
    empty = b"".join(client.get(reverse("admin:audit_staffaction_export"), {"kind__exact": "delete"})
                     .streaming_content).decode("utf-8-sig")

    lines = list(csv.reader(io.StringIO(exported)))
    assert len(lines) == 2 and lines[1][3] == "ship" and lines[1][5] == str(order.pk)
    assert len(list(csv.reader(io.StringIO(empty)))) == 1  # the header only
    assert StaffAction.objects.count() == 1


def test_a_password_change_is_recorded_without_the_password(client):
    _desk(client, None)
    member = MemberFactory()

    client.post(reverse("admin:auth_user_password_change", args=[member.user_id]),
                {"password1": "Another-pass-456", "password2": "Another-pass-456"})

    row = _only(kind="step")
    assert (row.what, row.object_id, row.changed_fields) == ("auth_user_password_change", str(member.user_id),
                                                            ["password"])
    assert row.before["password"].startswith("***") and "Another" not in str(row.after)
