"""The sandbox provider's notices: what WeChat Pay posts to the merchant's notify URL.

A notice is the trade's (or refund's) resource as JSON, encrypted with the APIv3 key
(AEAD_AES_256_GCM) and signed with the platform key over ``timestamp\\nnonce\\nbody\\n``.
The first delivery is queued when the trade is paid or the refund made (``provider``); an
unanswered one is re-sent on WeChat's back-off schedule by the ``redeliver_notices`` sweep.
"""

import json
import logging
import secrets
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from orders.payments import crypto
from orders.payments.sandbox.keys import platform_serial, private_key
from orders.payments.sandbox.models import SandboxRefund, SandboxTrade

logger = logging.getLogger(__name__)
SHANGHAI = ZoneInfo("Asia/Shanghai")
# WeChat Pay's re-delivery schedule after a failed notice.
NOTICE_BACKOFF = [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600]


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds")


# --- the resources (also the answers to the query API) ------------------------------


def transaction_resource(trade: SandboxTrade) -> dict:
    return {
        "mchid": trade.mchid,
        "appid": trade.appid,
        "out_trade_no": trade.out_trade_no,
        "transaction_id": trade.transaction_id,
        "trade_type": "MWEB",
        "trade_state": trade.state,
        "trade_state_desc": "支付成功",
        "bank_type": "OTHERS",
        "success_time": rfc3339(trade.success_time) if trade.success_time else None,
        "payer": {"openid": "sandbox-openid"},
        "amount": {
            "total": trade.amount_fen,
            "payer_total": trade.amount_fen,
            "currency": "CNY",
            "payer_currency": "CNY",
        },
    }


def refund_resource(refund: SandboxRefund) -> dict:
    trade = refund.trade
    return {
        "mchid": trade.mchid,
        "out_trade_no": trade.out_trade_no,
        "transaction_id": trade.transaction_id,
        "out_refund_no": refund.out_refund_no,
        "refund_id": refund.refund_id,
        "refund_status": refund.state,
        "success_time": rfc3339(refund.success_time) if refund.success_time else None,
        "amount": {
            "total": trade.amount_fen,
            "refund": refund.amount_fen,
            "payer_total": trade.amount_fen,
            "payer_refund": refund.amount_fen,
        },
    }


# --- building a notice --------------------------------------------------------------


def notice_build(
    *, event_type: str, resource: dict, original_type: str, timestamp: int | None = None
) -> tuple[dict[str, str], bytes]:
    """Encrypt ``resource`` into a notice body and sign it; returns (headers, body)."""
    key = settings.PAYMENT_SANDBOX_API_V3_KEY.encode()
    nonce, ciphertext = crypto.aes_gcm_encrypt(key, json.dumps(resource).encode(), original_type.encode())
    body = json.dumps(
        {
            "id": str(uuid.uuid4()),
            "create_time": rfc3339(timezone.now()),
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": event_type,
            "resource": {
                "original_type": original_type,
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": ciphertext,
                "associated_data": original_type,
                "nonce": nonce,
            },
        }
    ).encode()
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    header_nonce = secrets.token_hex(16)
    signature = crypto.sign(private_key(), crypto.message_to_sign(stamp, header_nonce, body))
    headers = {
        "Content-Type": "application/json",
        "Wechatpay-Timestamp": stamp,
        "Wechatpay-Nonce": header_nonce,
        "Wechatpay-Signature": signature,
        "Wechatpay-Serial": platform_serial(),
        "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
    }
    return headers, body


def trade_notice_build(trade: SandboxTrade) -> tuple[dict[str, str], bytes]:
    return notice_build(
        event_type="TRANSACTION.SUCCESS", resource=transaction_resource(trade), original_type="transaction"
    )


def refund_notice_build(refund: SandboxRefund) -> tuple[dict[str, str], bytes]:
    return notice_build(
        event_type=f"REFUND.{refund.state}", resource=refund_resource(refund), original_type="refund"
    )


# --- delivering it ------------------------------------------------------------------


def _post(url: str, headers: dict[str, str], body: bytes) -> bool:
    if not url.startswith(("http://", "https://")):
        return False
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - scheme checked
            return 200 <= response.status < 300
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        logger.info("sandbox notice to %s not delivered: %s", url, exc)
        return False


def _record_attempt(
    model: type[SandboxTrade] | type[SandboxRefund], pk: int, *, delivered: bool, attempts_before: int
) -> None:
    now = timezone.now()
    if delivered:
        model.objects.filter(pk=pk).update(
            notice_delivered_at=now, next_notice_at=None, notice_attempts=F("notice_attempts") + 1
        )
        return
    delay = NOTICE_BACKOFF[attempts_before] if attempts_before < len(NOTICE_BACKOFF) else None
    model.objects.filter(pk=pk, notice_delivered_at__isnull=True).update(
        notice_attempts=F("notice_attempts") + 1,
        next_notice_at=now + timedelta(seconds=delay) if delay is not None else None,
    )


def trade_notice_deliver(*, trade_id: int) -> bool:
    trade = SandboxTrade.objects.get(pk=trade_id)
    if trade.notice_delivered_at is not None or trade.state != SandboxTrade.State.SUCCESS:
        return True
    headers, body = trade_notice_build(trade)
    delivered = _post(trade.notify_url, headers, body)
    _record_attempt(SandboxTrade, trade.pk, delivered=delivered, attempts_before=trade.notice_attempts)
    return delivered


def refund_notice_deliver(*, refund_id: int) -> bool:
    refund = SandboxRefund.objects.select_related("trade").get(pk=refund_id)
    if refund.notice_delivered_at is not None:
        return True
    headers, body = refund_notice_build(refund)
    delivered = _post(refund.notify_url, headers, body)
    _record_attempt(SandboxRefund, refund.pk, delivered=delivered, attempts_before=refund.notice_attempts)
    return delivered


def notices_redeliver_due(*, limit: int = 200) -> int:
    """Re-send the notices whose merchant has not answered 2xx yet and whose turn has come."""
    now = timezone.now()
    sent = 0
    for trade_id in SandboxTrade.objects.filter(
        notice_delivered_at__isnull=True, next_notice_at__lte=now, state=SandboxTrade.State.SUCCESS
    ).values_list("pk", flat=True)[:limit]:
        sent += trade_notice_deliver(trade_id=trade_id)
    due_refunds = SandboxRefund.objects.filter(notice_delivered_at__isnull=True, next_notice_at__lte=now)
    for refund_id in due_refunds.values_list("pk", flat=True)[:limit]:
        sent += refund_notice_deliver(refund_id=refund_id)
    return sent
