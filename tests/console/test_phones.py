"""PIPL: staff lists show masked mobile numbers; the full number is one logged step away, with a
reason (SensitiveAccessLog, as for payout accounts), and only for staff allowed to reveal."""

import pytest
from django.urls import reverse

from config.roles import FINANCE, OPS, SERVICE
from distribution.models import SensitiveAccessLog
from tests.console.roles_helpers import desk_user
from tests.distribution.factories import MemberFactory
from tests.mall.factories import UserFactory
from tests.orders.factories import AddressFactory, place_order

pytestmark = pytest.mark.django_db
PHONE, MASKED = "13912345678", "139****5678"


def _order_to(phone: str):
    user = UserFactory()
    return place_order(user=user, address=AddressFactory(user=user, phone=phone))


def test_user_member_and_order_lists_show_masked_numbers(client):
    user = UserFactory(phone=PHONE, nickname="")
    MemberFactory(user=user)
    place_order(user=user, address=AddressFactory(user=user, phone=PHONE))
    client.force_login(desk_user(None))

    for name in ("mall_user", "distribution_member", "orders_order"):
        page = client.get(reverse(f"admin:{name}_changelist")).content.decode()
        assert MASKED in page, name
        assert PHONE not in page, name
    change = client.get(reverse("admin:orders_order_change", args=[user.orders.get().pk])).content.decode()
    assert PHONE not in change


def test_view_only_staff_see_the_account_page_masked(client):
    user = UserFactory(phone=PHONE)
    client.force_login(desk_user(SERVICE))

    page = client.get(reverse("admin:mall_user_change", args=[user.pk])).content.decode()

    assert MASKED in page and PHONE not in page


def test_reveal_needs_a_reason_and_is_logged(client):
    user = UserFactory(phone=PHONE)
    staff = desk_user(SERVICE)
    client.force_login(staff)
    url = reverse("admin:distribution_sensitiveaccesslog_reveal_phone", args=["mall", "user", user.pk])

    form = client.get(url)
    refused = client.post(url, {"reason": "  "})
    shown = client.post(url, {"reason": "客户来电核实订单"})

    assert PHONE not in form.content.decode() and MASKED in form.content.decode()
    assert PHONE not in refused.content.decode()
    assert PHONE in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]
    log = SensitiveAccessLog.objects.get()
    assert (log.staff_id, log.reason, log.field) == (staff.pk, "客户来电核实订单", "mall.user.phone")


def test_an_order_receiver_number_is_revealed_the_same_way(client):
    order = _order_to(PHONE)
    client.force_login(desk_user(SERVICE))

    shown = client.post(reverse("admin:distribution_sensitiveaccesslog_reveal_phone",
                                args=["orders", "order", order.pk]), {"reason": "联系收件人"})

    assert PHONE in shown.content.decode()
    assert SensitiveAccessLog.objects.get().field == "orders.order.phone"


@pytest.mark.parametrize("group", [FINANCE, OPS])
def test_staff_without_the_right_cannot_reveal(client, group):
    """财务 may not reveal at all; 运营 may not look at orders, so not at their numbers either."""
    order = _order_to(PHONE)
    client.force_login(desk_user(group))

    response = client.post(reverse("admin:distribution_sensitiveaccesslog_reveal_phone",
                                   args=["orders", "order", order.pk]), {"reason": "看看"})

    assert response.status_code == 403
    assert not SensitiveAccessLog.objects.exists()


def test_a_field_outside_the_list_cannot_be_revealed(client):
    client.force_login(desk_user(None))
    response = client.get(reverse("admin:distribution_sensitiveaccesslog_reveal_phone",
                                  args=["distribution", "payoutaccount", 1]))
    assert response.status_code == 404
