"""The PROVIDER side of the sandbox: what WeChat Pay's servers would do.

It keeps its own trade and refund tables, serves the cashier page, and posts signed,
encrypted notices to the merchant's notify URL asynchronously (a Celery task queued on
commit, re-sent on a back-off schedule until the merchant answers 2xx). The shop side
(``sandbox.SandboxGateway``) calls the ``api_*`` functions as it would call the HTTPS API.
"""

import json
import logging
import secrets
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from orders.errors import CashierTradeInvalid
from orders.lock_objects import sandbox_trade_lock
from orders.models import SandboxRefund, SandboxTrade
from orders.payments import crypto

logger = logging.getLogger(__name__)
SHANGHAI = ZoneInfo("Asia/Shanghai")
# WeChat Pay's re-delivery schedule after a failed notice.
NOTICE_BACKOFF = [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600]


class SandboxApiError(Exception):
    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds")


# --- keys ------------------------------------------------------------------------


def key_dir() -> Path:
    return Path(settings.PAYMENT_SANDBOX_KEY_DIR)


def keys_may_autogenerate() -> bool:
    return bool(settings.DEBUG or settings.PAYMENT_SANDBOX_AUTOGENERATE_KEYS)


def ensure_keys() -> None:
    if (key_dir() / crypto.PRIVATE_KEY_FILE).exists():
        return
    if not keys_may_autogenerate():
        raise ImproperlyConfigured(
            f"No sandbox payment keys in {key_dir()}: run `manage.py payment_sandbox_keys`."
        )
    crypto.generate_key_pair(key_dir())


def _private_key() -> rsa.RSAPrivateKey:
    ensure_keys()
    return crypto.load_private_key(key_dir() / crypto.PRIVATE_KEY_FILE)


def platform_serial() -> str:
    return crypto.key_serial(_private_key().public_key())


# --- the API the merchant calls ------------------------------------------------


def api_create_trade(
    *,
    mchid: str,
    appid: str,
    out_trade_no: str,
    description: str,
    amount_fen: int,
    notify_url: str,
    return_url: str,
    time_expire: datetime,
) -> SandboxTrade:
    """Like ``POST /v3/pay/transactions/h5``: idempotent per (mchid, out_trade_no)."""
    if amount_fen <= 0:
        raise SandboxApiError("PARAM_ERROR")
    fields = {
        "appid": appid,
        "description": description[:127],
        "amount_fen": amount_fen,
        "notify_url": notify_url,
        "return_url": return_url,
        "time_expire": time_expire,
        "token": secrets.token_urlsafe(32),
    }
    try:
        with transaction.atomic():
            return SandboxTrade.objects.create(mchid=mchid, out_trade_no=out_trade_no, **fields)
    except IntegrityError:
        pass
    with transaction.atomic():
        trade = sandbox_trade_lock(mchid=mchid, out_trade_no=out_trade_no)
        if trade is None or trade.amount_fen != amount_fen:
            raise SandboxApiError("OUT_TRADE_NO_USED")
        if trade.state == SandboxTrade.State.PAYERROR:  # the shopper tries again
            trade.state = SandboxTrade.State.NOTPAY
            trade.save(update_fields=["state"])
        return trade


def api_query_trade(*, mchid: str, out_trade_no: str) -> SandboxTrade | None:
    return SandboxTrade.objects.filter(mchid=mchid, out_trade_no=out_trade_no).first()


def api_close_trade(*, mchid: str, out_trade_no: str) -> SandboxTrade | None:
    """Like ``POST .../close``: an unpaid trade becomes CLOSED; a paid one stays paid."""
    SandboxTrade.objects.filter(
        mchid=mchid,
        out_trade_no=out_trade_no,
        state__in=[SandboxTrade.State.NOTPAY, SandboxTrade.State.PAYERROR],
    ).update(state=SandboxTrade.State.CLOSED)
    return api_query_trade(mchid=mchid, out_trade_no=out_trade_no)


@transaction.atomic
def api_create_refund(
    *, mchid: str, out_trade_no: str, out_refund_no: str, amount_fen: int, notify_url: str
) -> SandboxRefund:
    """Like ``POST /v3/refund/domestic/refunds``: idempotent per out_refund_no; never refunds
    more than the trade took. The sandbox settles at once and notifies asynchronously."""
    trade = sandbox_trade_lock(mchid=mchid, out_trade_no=out_trade_no)
    if trade is None or trade.state != SandboxTrade.State.SUCCESS:
        raise SandboxApiError("TRADE_NOT_PAID")
    existing = trade.refunds.filter(out_refund_no=out_refund_no).first()
    if existing is not None:
        return existing
    refunded = (
        trade.refunds.exclude(state=SandboxRefund.State.ABNORMAL).aggregate(s=Sum("amount_fen"))["s"] or 0
    )
    if amount_fen <= 0 or refunded + amount_fen > trade.amount_fen:
        raise SandboxApiError("NOT_ENOUGH")
    now = timezone.now()
    refund = SandboxRefund.objects.create(
        trade=trade,
        out_refund_no=out_refund_no,
        refund_id=_new_id("5030"),
        amount_fen=amount_fen,
        notify_url=notify_url,
        state=SandboxRefund.State.SUCCESS,
        success_time=now,
        next_notice_at=now,
    )
    transaction.on_commit(lambda: _queue("sandbox_deliver_refund_notice", refund.pk), robust=True)
    return refund


def api_query_refund(*, mchid: str, out_trade_no: str, out_refund_no: str) -> SandboxRefund | None:
    return (
        SandboxRefund.objects.select_related("trade")
        .filter(trade__mchid=mchid, trade__out_trade_no=out_trade_no, out_refund_no=out_refund_no)
        .first()
    )


# --- the cashier (what the shopper does on the provider's page) -------------------


def _new_id(prefix: str) -> str:
    return f"{prefix}{timezone.localdate():%Y%m%d}{secrets.randbelow(10**14):014d}"


@transaction.atomic
def cashier_pay(*, token: str) -> SandboxTrade:
    now = timezone.now()
    updated = SandboxTrade.objects.filter(
        token=token,
        time_expire__gt=now,
        state__in=[SandboxTrade.State.NOTPAY, SandboxTrade.State.PAYERROR],
    ).update(
        state=SandboxTrade.State.SUCCESS, transaction_id=_new_id("4200"), success_time=now, next_notice_at=now
    )
    if not updated:
        raise CashierTradeInvalid()
    trade = SandboxTrade.objects.get(token=token)
    transaction.on_commit(lambda: _queue("sandbox_deliver_trade_notice", trade.pk), robust=True)
    return trade


def cashier_fail(*, token: str) -> SandboxTrade:
    """The shopper's payment failed (no notice is sent, as with WeChat); they may retry."""
    updated = SandboxTrade.objects.filter(token=token, state=SandboxTrade.State.NOTPAY).update(
        state=SandboxTrade.State.PAYERROR
    )
    if not updated:
        raise CashierTradeInvalid()
    return SandboxTrade.objects.get(token=token)


# --- notices -----------------------------------------------------------------------


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
    signature = crypto.sign(_private_key(), crypto.message_to_sign(stamp, header_nonce, body))
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


def _queue(task_name: str, pk: int) -> None:
    from orders import tasks

    getattr(tasks, task_name).delay(pk)
