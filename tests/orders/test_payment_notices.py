import json
import time
import urllib.request
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.urls import reverse

from common.money import to_fen
from orders.models import Order, OrderEvent, Payment
from orders.payments import crypto
from orders.payments.sandbox import notices
from orders.payments.sandbox.models import SandboxTrade
from orders.services.fulfilment import order_cancel
from tests.concurrency import run_parallel
from tests.orders.factories import open_and_pay_at_cashier, place_order

NOTIFY_URL = "/pay/notify/sandbox/"


def _post(client, headers: dict[str, str], body: bytes):
    return client.post(
        NOTIFY_URL,
        data=body,
        content_type="application/json",
        headers={k: v for k, v in headers.items() if k != "Content-Type"},
    )


def _snapshot(order: Order) -> tuple:
    order.refresh_from_db()
    return (
        order.state,
        order.paid_at,
        Payment.objects.count(),
        list(OrderEvent.objects.filter(order=order).values_list("kind", flat=True)),
    )


def _paid_trade() -> tuple[Order, SandboxTrade]:
    order = place_order()
    return order, open_and_pay_at_cashier(order)


def test_notify_url_is_the_public_path():
    assert reverse("orders:payment-notify", kwargs={"provider": "sandbox"}) == NOTIFY_URL


@pytest.mark.django_db
def test_a_genuine_notice_marks_the_order_paid_once_and_calls_order_paid_once(client, hook_calls):
    order, trade = _paid_trade()
    headers, body = notices.trade_notice_build(trade)

    first = _post(client, headers, body)
    second = _post(client, headers, body)

    assert (first.status_code, second.status_code) == (204, 204)
    order.refresh_from_db()
    payment = Payment.objects.get()
    assert (order.state, payment.order_id, payment.transaction_id, payment.amount, payment.source) == (
        "paid",
        order.pk,
        trade.transaction_id,
        Decimal("20.00"),
        "notice",
    )  # 10 + shipping 10
    assert order.paid_at == trade.success_time.replace(microsecond=0)  # RFC 3339 seconds, as WeChat
    assert [c["payment"].pk for c in hook_calls["order_paid"]] == [payment.pk]
    assert list(order.events.values_list("kind", flat=True)) == ["created", "payment_started", "paid"]


def _forged(trade: SandboxTrade) -> tuple[dict, bytes]:
    headers, body = notices.trade_notice_build(trade)
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    headers["Wechatpay-Signature"] = crypto.sign(
        impostor, crypto.message_to_sign(headers["Wechatpay-Timestamp"], headers["Wechatpay-Nonce"], body)
    )
    return headers, body


def _modified_body(trade: SandboxTrade) -> tuple[dict, bytes]:
    headers, body = notices.trade_notice_build(trade)
    envelope = json.loads(body)
    envelope["event_type"] = "TRANSACTION.SUCCESS "  # one byte more, signature unchanged
    return headers, json.dumps(envelope).encode()


def _stale(trade: SandboxTrade) -> tuple[dict, bytes]:
    return notices.notice_build(
        event_type="TRANSACTION.SUCCESS",
        original_type="transaction",
        resource=notices.transaction_resource(trade),
        timestamp=int(time.time()) - 301,
    )


def _wrong_merchant(trade: SandboxTrade) -> tuple[dict, bytes]:
    resource = {**notices.transaction_resource(trade), "mchid": "1900000999"}
    return notices.notice_build(
        event_type="TRANSACTION.SUCCESS", original_type="transaction", resource=resource
    )


def _wrong_amount(trade: SandboxTrade) -> tuple[dict, bytes]:
    resource = notices.transaction_resource(trade)
    resource["amount"] = {**resource["amount"], "total": trade.amount_fen - 1}
    return notices.notice_build(
        event_type="TRANSACTION.SUCCESS", original_type="transaction", resource=resource
    )


def _unsigned(trade: SandboxTrade) -> tuple[dict, bytes]:
    headers, body = notices.trade_notice_build(trade)
    del headers["Wechatpay-Signature"]
    return headers, body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("build", "reason"),
    [
        (_forged, "bad_signature"),
        (_modified_body, "bad_signature"),
        (_stale, "stale_timestamp"),
        (_wrong_merchant, "wrong_merchant"),
        (_wrong_amount, "amount_mismatch"),
        (_unsigned, "missing_signature_headers"),
    ],
)
def test_a_notice_that_does_not_check_out_is_refused_and_changes_nothing(
    client, hook_calls, caplog, build, reason
):
    order, trade = _paid_trade()
    before = _snapshot(order)
    headers, body = build(trade)

    response = _post(client, headers, body)

    assert response.status_code == 400
    assert response.json() == {"code": "FAIL", "message": reason}
    assert _snapshot(order) == before == ("pending_payment", None, 0, ["created", "payment_started"])
    assert hook_calls["order_paid"] == []
    assert any(
        "payment notice rejected" in r.getMessage() and reason in r.getMessage() for r in caplog.records
    )


@pytest.mark.django_db
def test_a_notice_for_a_cancelled_order_is_refused_and_changes_nothing(client, hook_calls):
    order = place_order()
    order_cancel(order=order, actor=order.user)
    # The provider's record says paid (e.g. a trade paid elsewhere); the order is cancelled.
    trade = SandboxTrade.objects.create(
        mchid="1900000109",
        appid="wx",
        out_trade_no=order.number,
        description="x",
        amount_fen=to_fen(order.total_amount),
        notify_url="http://127.0.0.1:9/",
        token="t" * 43,
        state="SUCCESS",
        transaction_id="4200000000001",
        success_time=order.created_at,
        time_expire=order.payment_deadline,
    )
    before = _snapshot(order)

    response = _post(client, *notices.trade_notice_build(trade))

    assert response.status_code == 400
    assert response.json()["message"] == "not_payable"
    assert _snapshot(order) == before
    assert before[0] == "cancelled"
    assert hook_calls["order_paid"] == []


@pytest.mark.django_db
def test_a_notice_for_an_unknown_provider_is_not_found_and_changes_nothing(client, hook_calls):
    order, trade = _paid_trade()
    before = _snapshot(order)
    headers, body = notices.trade_notice_build(trade)  # genuine, but posted to a provider we lack

    response = client.post(
        "/pay/notify/nosuch/",
        data=body,
        content_type="application/json",
        headers={k: v for k, v in headers.items() if k != "Content-Type"},
    )

    assert response.status_code == 404
    assert _snapshot(order) == before == ("pending_payment", None, 0, ["created", "payment_started"])
    assert hook_calls["order_paid"] == []


@pytest.mark.django_db
def test_the_notify_endpoint_accepts_only_post(client):
    assert client.get(NOTIFY_URL).status_code == 405


# --- Acceptance 2: 20 concurrent copies of one genuine notice -------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_copies_of_a_genuine_notice_make_one_payment_and_one_hook_call(
    live_server, hook_calls
):
    order, trade = _paid_trade()
    headers, body = notices.trade_notice_build(trade)

    def send(_: int) -> int:
        request = urllib.request.Request(
            live_server.url + NOTIFY_URL, data=body, headers=headers, method="POST"
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status

    statuses = run_parallel(20, send)

    assert statuses == [204] * 20
    order.refresh_from_db()
    assert order.state == "paid"
    assert Payment.objects.filter(order=order).count() == 1
    assert len(hook_calls["order_paid"]) == 1
    assert OrderEvent.objects.filter(order=order, kind="paid").count() == 1
