from decimal import Decimal

import pytest

from orders.models import Order, Payment, Refund
from orders.payments.sandbox.models import SandboxTrade
from orders.services.aftersale import aftersale_approve, aftersale_request
from orders.services.fulfilment import order_cancel
from orders.services.payment import payment_start
from orders.services.refund import aftersale_refund
from tests.orders.factories import place_order


def _token(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


@pytest.mark.django_db
def test_payment_start_returns_the_cashier_which_shows_amount_and_both_buttons(client):
    order = place_order()

    start = payment_start(order=order, return_url=f"/orders/{order.pk}/")
    page = client.get(start.cashier_url)

    assert start.cashier_url.startswith("/pay/sandbox/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "¥20.00" in html
    assert order.number in html
    assert 'name="pay"' in html and 'name="fail"' in html
    trade = SandboxTrade.objects.get()
    assert (trade.out_trade_no, trade.amount_fen, trade.state, trade.notify_url) == (
        order.number,
        2000,
        "NOTPAY",
        "http://127.0.0.1:9/pay/notify/sandbox/",
    )
    assert payment_start(order=order).cashier_url == start.cashier_url  # re-opening is idempotent


@pytest.mark.django_db
def test_a_failed_payment_can_be_retried(client):
    order = place_order()
    token = _token(payment_start(order=order).cashier_url)

    client.post(f"/pay/sandbox/{token}/fail/")
    assert SandboxTrade.objects.get().state == "PAYERROR"
    payment_start(order=order)

    assert SandboxTrade.objects.get().state == "NOTPAY"


@pytest.mark.django_db
def test_a_closed_trade_cannot_be_paid_at_the_cashier(client):
    order = place_order()
    token = _token(payment_start(order=order).cashier_url)
    order_cancel(order=order, actor=order.user)

    response = client.post(f"/pay/sandbox/{token}/pay/")

    assert response.status_code == 200
    assert SandboxTrade.objects.get().state == "CLOSED"
    assert Order.objects.get(pk=order.pk).state == "cancelled"
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_the_cashier_of_an_unknown_token_is_not_found_and_pays_nothing(client):
    order = place_order()
    payment_start(order=order)

    assert client.get("/pay/sandbox/nope/").status_code == 404
    assert client.post("/pay/sandbox/nope/pay/").status_code == 404

    assert SandboxTrade.objects.values_list("state", "transaction_id").get() == ("NOTPAY", None)
    assert Order.objects.get(pk=order.pk).state == "pending_payment"
    assert not Payment.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_paying_at_the_cashier_sends_a_signed_notice_that_marks_the_order_paid(
    client, live_server, settings, hook_calls
):
    settings.PAYMENT_NOTIFY_BASE_URL = live_server.url
    order = place_order()
    token = _token(payment_start(order=order, return_url=f"/orders/{order.pk}/").cashier_url)

    response = client.post(f"/pay/sandbox/{token}/pay/")

    assert (response.status_code, response["Location"]) == (302, f"/orders/{order.pk}/")
    order.refresh_from_db()
    trade = SandboxTrade.objects.get()
    assert order.state == "paid"
    assert Payment.objects.get().transaction_id == trade.transaction_id
    assert (trade.notice_attempts, trade.notice_delivered_at is not None) == (1, True)
    assert len(hook_calls["order_paid"]) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_refund_goes_through_the_gateway_and_its_signed_notice_applies_it(
    client, live_server, settings, hook_calls
):
    settings.PAYMENT_NOTIFY_BASE_URL = live_server.url
    order = place_order()
    client.post(f"/pay/sandbox/{_token(payment_start(order=order).cashier_url)}/pay/")
    item = order.items.get()
    aftersale = aftersale_request(
        user=order.user, order_item_id=item.pk, kind="refund_only", quantity=1, reason="拍错了"
    )
    aftersale_approve(aftersale=aftersale, actor=None)

    refund = aftersale_refund(aftersale=aftersale, actor=None)

    refund.refresh_from_db()
    item.refresh_from_db()
    assert (refund.state, refund.provider_refund_id is not None) == ("succeeded", True)
    assert (item.refunded_quantity, item.refunded_amount) == (1, Decimal("10.00"))
    assert [c["refund_amount"] for c in hook_calls["item_refunded"]] == [Decimal("10.00")]
    assert Refund.objects.count() == 1
    order.refresh_from_db()
    assert order.state == "cancelled"  # its only item was refunded in full


@pytest.mark.django_db
def test_an_undelivered_notice_is_scheduled_again_with_backoff():
    from orders.payments.sandbox import notices
    from tests.orders.factories import open_and_pay_at_cashier

    trade = open_and_pay_at_cashier(place_order())

    assert notices.trade_notice_deliver(trade_id=trade.pk) is False  # nothing listens on :9

    trade.refresh_from_db()
    assert trade.notice_attempts == 1
    assert trade.notice_delivered_at is None
    assert 14 <= (trade.next_notice_at - trade.success_time).total_seconds() <= 20
