"""退款异常: a refund the gateway confirmed but that cannot be applied never makes the notify
endpoint answer 500 on every redelivery. It is recorded (state, error, ERROR log, a
staff-only timeline row), the notice is acknowledged, staff see it in the admin and retry
it once the data is fixed; applying twice never refunds twice."""

import logging
import re
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.db import transaction

from mall.models import User
from orders.errors import AfterSaleNotAllowed, RefundRetryForbidden, RefundTransitionInvalid
from orders.lock_objects import refund_lock_with_order
from orders.models import AfterSale, Order, OrderEvent, OrderItem, Refund
from orders.payments.base import RefundStatus
from orders.services.aftersale import aftersale_approve, aftersale_request, aftersale_withdraw
from orders.services.fulfilment import order_confirm_receipt, order_ship
from orders.services.refund import _apply_success, aftersale_refund, refund_retry
from tests.concurrency import run_parallel
from tests.mall.factories import SKUFactory, UserFactory
from tests.orders.factories import pay, place_order, post_refund_notice

pytestmark = pytest.mark.django_db


def staff(*perms: str) -> User:
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=perms))
    return User.objects.get(pk=user.pk)


def text(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def pending_refund(*, price: str = "10.00", quantity: int = 3, refund_units: int = 1) -> Refund:
    """A received order; an approved after-sale for some units; its refund sent to the gateway."""
    order = pay(place_order(lines=[(SKUFactory(price=Decimal(price), stock=10), quantity)]))
    order_ship(order=order, actor=None, carrier="顺丰", tracking_no="SF1")
    order_confirm_receipt(order=order, actor=order.user)
    aftersale = aftersale_request(
        user=order.user,
        order_item_id=order.items.get().pk,
        kind="refund_only",
        quantity=refund_units,
        reason="不想要了",
    )
    aftersale_approve(aftersale=aftersale, actor=None)
    return aftersale_refund(aftersale=aftersale, actor=None)


def corrupt_item(refund: Refund, **fields: object) -> None:
    """What a bad manual data fix (or a float sum on SQLite) leaves behind: the item's
    refunded totals no longer match its refunds, so adding this refund breaks a CHECK."""
    OrderItem.objects.filter(pk=refund.order_item_id).update(**fields)


def item_totals(refund: Refund) -> tuple[int, Decimal]:
    item = OrderItem.objects.get(pk=refund.order_item_id)
    return item.refunded_quantity, item.refunded_amount


def retry_from_admin(client, refund: Refund, user: User):
    client.force_login(user)
    return client.post(
        "/admin/orders/refund/", {"action": "retry", ACTION_CHECKBOX_NAME: [refund.pk]}, follow=True
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_a_notice_that_cannot_be_applied_is_acknowledged_recorded_and_logged_once(client, caplog, hook_calls):
    refund = pending_refund()
    corrupt_item(refund, refunded_amount=Decimal("25.00"))  # + 10.00 > 30.00 paid
    order = refund.order

    with caplog.at_level(logging.INFO):
        first = post_refund_notice(client, refund)
        again = post_refund_notice(client, refund)  # the gateway redelivers

    assert (first.status_code, again.status_code) == (204, 204)
    refund.refresh_from_db()
    assert refund.state == "apply_failed"
    assert "IntegrityError" in refund.apply_error and "item_refund_within_paid" in refund.apply_error
    assert (refund.provider_refund_id, refund.succeeded_at) == (None, None)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert order.number in errors[0].getMessage() and f"id {refund.pk}" in errors[0].getMessage()
    assert refund.refund_no in errors[0].getMessage()
    # No money moved: the item, the after-sale and the hooks are as before the notice.
    assert item_totals(refund) == (0, Decimal("25.00"))
    assert AfterSale.objects.get(pk=refund.aftersale_id).state == "approved"
    assert hook_calls["item_refunded"] == []
    assert not OrderEvent.objects.filter(order=order, kind="refunded").exists()
    assert OrderEvent.objects.filter(order=order, kind="refund_apply_failed").count() == 1


def test_staff_see_the_anomaly_and_the_shopper_sees_no_error_text(client):
    refund = pending_refund()
    corrupt_item(refund, refunded_amount=Decimal("25.00"))
    post_refund_notice(client, refund)
    order = refund.order
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    refunds = client.get("/admin/orders/refund/", {"state__exact": "apply_failed"})
    orders = client.get("/admin/orders/order/", {"refund_anomaly": "yes"})
    detail = client.get(f"/admin/orders/order/{order.pk}/change/")

    assert [r.pk for r in refunds.context["cl"].result_list] == [refund.pk]
    assert "refund-anomaly-badge" in refunds.content.decode() and "退款异常" in text(refunds)
    assert [o.pk for o in orders.context["cl"].result_list] == [order.pk]
    assert "refund-anomaly-badge" in orders.content.decode()
    assert "item_refund_within_paid" in text(detail)
    assert client.get("/admin/orders/order/", {"refund_anomaly": "yes", "q": "nothing"}).status_code == 200
    client.force_login(order.user)
    page = client.get(f"/orders/{order.number}/")
    api = client.get(f"/api/v1/orders/{order.number}/")
    assert page.status_code == 200 and "item_refund_within_paid" not in page.content.decode()
    assert "refund_apply_failed" not in page.content.decode()
    assert "refund_apply_failed" not in [e["kind"] for e in api.json()["timeline"]]


def test_retry_after_fixing_the_data_refunds_once(client, hook_calls):
    refund = pending_refund()
    corrupt_item(refund, refunded_amount=Decimal("25.00"))
    post_refund_notice(client, refund)
    corrupt_item(refund, refunded_amount=Decimal("0.00"))  # staff fix the data
    operator = staff("view_refund", "retry_refund")

    response = retry_from_admin(client, refund, operator)
    twice = retry_from_admin(client, refund, operator)
    post_refund_notice(client, refund)  # a late redelivery

    refund.refresh_from_db()
    assert (refund.state, refund.apply_error) == ("succeeded", "")
    assert refund.provider_refund_id and refund.succeeded_at
    assert item_totals(refund) == (1, Decimal("10.00"))
    assert AfterSale.objects.get(pk=refund.aftersale_id).state == "refunded"
    assert [c["refund_amount"] for c in hook_calls["item_refunded"]] == [Decimal("10.00")]
    assert messages_of(response) == [f"{refund.refund_no}：已退款。"]
    assert messages_of(twice) == [f"{refund.refund_no}：已退款。"]
    retried = OrderEvent.objects.get(order=refund.order, kind="refund_retried")
    assert retried.actor_id == operator.pk
    assert OrderEvent.objects.filter(order=refund.order, kind="refunded").count() == 1


def test_a_retry_that_fails_again_stays_an_anomaly_with_the_new_error(client, caplog, hook_calls):
    refund = pending_refund()
    corrupt_item(refund, refunded_amount=Decimal("25.00"))
    post_refund_notice(client, refund)
    corrupt_item(refund, refunded_amount=Decimal("0.00"), refunded_quantity=3)  # a wrong fix

    caplog.clear()

    response = retry_from_admin(client, refund, staff("view_refund", "retry_refund"))

    refund.refresh_from_db()
    assert refund.state == "apply_failed"
    assert "item_refund_within_quantity" in refund.apply_error
    assert "item_refund_within_paid" not in refund.apply_error
    [message] = messages_of(response)
    assert (
        message.startswith(f"{refund.refund_no}：仍为退款异常：") and "item_refund_within_quantity" in message
    )
    assert item_totals(refund) == (3, Decimal("0.00"))
    assert hook_calls["item_refunded"] == []
    assert len([r for r in caplog.records if r.levelno >= logging.ERROR]) == 1


def test_retrying_needs_the_permission_and_an_anomaly(client, hook_calls):
    refund = pending_refund()
    corrupt_item(refund, refunded_amount=Decimal("25.00"))
    post_refund_notice(client, refund)
    corrupt_item(refund, refunded_amount=Decimal("0.00"))
    viewer = staff("view_refund")

    with pytest.raises(RefundRetryForbidden):
        refund_retry(refund=refund, actor=viewer)
    listing = retry_from_admin(client, refund, viewer)
    with pytest.raises(RefundTransitionInvalid):
        refund_retry(refund=pending_refund(), actor=staff("retry_refund"))

    assert 'value="retry"' not in listing.content.decode()
    refund.refresh_from_db()
    assert refund.state == "apply_failed"
    assert item_totals(refund) == (0, Decimal("0.00"))
    assert hook_calls["item_refunded"] == []


def test_the_shopper_cannot_withdraw_an_after_sale_whose_refund_is_an_anomaly(client):
    refund = pending_refund()
    corrupt_item(refund, refunded_amount=Decimal("25.00"))
    post_refund_notice(client, refund)
    aftersale = AfterSale.objects.get(pk=refund.aftersale_id)

    with pytest.raises(AfterSaleNotAllowed):
        aftersale_withdraw(aftersale=aftersale, user=aftersale.user)

    assert AfterSale.objects.get(pk=aftersale.pk).state == "approved"


def test_applying_a_refund_that_is_no_longer_pending_fails_loudly(client):
    refund = pending_refund()
    post_refund_notice(client, refund)
    status = RefundStatus(mchid="", out_refund_no=refund.refund_no, refund_id="again", status="SUCCESS")

    with pytest.raises(RefundTransitionInvalid), transaction.atomic():
        locked, aftersale = refund_lock_with_order(refund_id=refund.pk)
        locked.state = "pending"  # a stale copy: the guarded UPDATE finds no pending row
        _apply_success(refund=locked, aftersale=aftersale, status=status)

    assert item_totals(refund) == (1, Decimal("10.00"))
    assert Refund.objects.get(pk=refund.pk).provider_refund_id != "again"


def test_refunding_1_then_2_of_3_units_at_69_90_never_answers_500(client, hook_calls):
    """The case seen on SQLite: the second notice met an IntegrityError on every redelivery
    (float sums; the money-column fix cures the cause). Whatever the backend, each notice
    is acknowledged and the refund is either applied or a 退款异常 with no money moved."""
    first = pending_refund(price="69.90", refund_units=1)
    post_refund_notice(client, first)
    order = Order.objects.get(pk=first.order_id)
    aftersale = aftersale_request(
        user=order.user, order_item_id=first.order_item_id, kind="refund_only", quantity=2, reason="不想要了"
    )
    aftersale_approve(aftersale=aftersale, actor=None)
    second = aftersale_refund(aftersale=aftersale, actor=None)

    responses = [post_refund_notice(client, second).status_code for _ in range(3)]

    assert responses == [204, 204, 204]
    second.refresh_from_db()
    assert second.state in ("succeeded", "apply_failed")
    expected = (3, Decimal("209.70")) if second.state == "succeeded" else (1, Decimal("69.90"))
    assert item_totals(second) == expected
    assert len(hook_calls["item_refunded"]) == (2 if second.state == "succeeded" else 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_retries_apply_the_refund_once(client, hook_calls):
    refund = pending_refund()
    corrupt_item(refund, refunded_amount=Decimal("25.00"))
    post_refund_notice(client, refund)
    corrupt_item(refund, refunded_amount=Decimal("0.00"))
    operator = staff("view_refund", "retry_refund")

    results = run_parallel(8, lambda _: refund_retry(refund=refund, actor=operator).state)

    assert results == ["succeeded"] * 8
    assert item_totals(refund) == (1, Decimal("10.00"))
    assert len(hook_calls["item_refunded"]) == 1
    assert OrderEvent.objects.filter(order=refund.order, kind="refunded").count() == 1
    assert OrderEvent.objects.filter(order=refund.order, kind="refund_retried").count() == 1


def test_an_anomaly_raises_an_alert_for_the_staff_console(client, settings,
                                                          django_capture_on_commit_callbacks):
    from django.core import mail

    from config.models import Alert

    settings.ADMINS = [("值班", "ops@example.com")]
    refund = pending_refund()
    corrupt_item(refund, refunded_amount=Decimal("25.00"))
    with django_capture_on_commit_callbacks(execute=True):
        post_refund_notice(client, refund)

    alert = Alert.objects.get()
    assert alert.kind == "refund_anomaly"
    assert refund.refund_no in alert.subject and refund.order.number in alert.subject
    assert "item_refund_within_paid" in alert.details
    assert [m.to for m in mail.outbox] == [["ops@example.com"]]
