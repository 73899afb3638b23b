"""The SHOP side of the sandbox gateway: a client that behaves like a WeChat Pay APIv3 one.

It verifies every notice with the platform public key the site is configured with
(``PAYMENT_SANDBOX_PLATFORM_PUBLIC_KEY_PATH``), checks the timestamp window and decrypts
the resource with the APIv3 key. The "HTTPS calls" are plain calls into ``provider``,
which stands in for the provider's servers. Named in ``settings.PAYMENT_GATEWAYS``.
"""

import json
import time
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.urls import reverse

from orders.payments import crypto
from orders.payments.base import (
    Gateway,
    GatewayUnavailable,
    NoticeInvalid,
    PaymentNotice,
    PaymentStart,
    RefundStatus,
    TradeStatus,
)
from orders.payments.sandbox import keys, notices, provider
from orders.payments.sandbox.errors import SandboxApiError


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class SandboxGateway(Gateway):
    name = "sandbox"

    @property
    def merchant_id(self) -> str:
        return settings.PAYMENT_SANDBOX_MCHID

    def _public_key(self) -> rsa.RSAPublicKey:
        configured = settings.PAYMENT_SANDBOX_PLATFORM_PUBLIC_KEY_PATH
        if not configured:
            keys.ensure_keys()
        path = Path(configured) if configured else keys.key_dir() / crypto.PUBLIC_KEY_FILE
        return crypto.load_public_key(path)

    # --- payments -----------------------------------------------------------------
    def create_payment(
        self,
        *,
        out_trade_no: str,
        amount_fen: int,
        description: str,
        notify_url: str,
        return_url: str,
        expires_at: datetime,
    ) -> PaymentStart:
        try:
            trade = provider.api_create_trade(
                mchid=self.merchant_id,
                appid=settings.PAYMENT_SANDBOX_APPID,
                out_trade_no=out_trade_no,
                description=description,
                amount_fen=amount_fen,
                notify_url=notify_url,
                return_url=return_url,
                time_expire=expires_at,
            )
        except SandboxApiError as exc:
            raise GatewayUnavailable(exc.code) from exc
        return PaymentStart(
            cashier_url=reverse("sandbox:cashier", kwargs={"token": trade.token}),
            prepay_id=f"sandbox_{trade.pk}",
        )

    def _status(self, out_trade_no: str, trade: object) -> TradeStatus:
        if trade is None:
            return TradeStatus(out_trade_no=out_trade_no, state="NOT_FOUND")
        resource = notices.transaction_resource(trade)  # the query answer's JSON
        return TradeStatus(
            out_trade_no=out_trade_no,
            state=resource["trade_state"],
            mchid=resource["mchid"],
            transaction_id=resource["transaction_id"] or "",
            amount_fen=resource["amount"]["total"],
            success_time=_parse_time(resource["success_time"]),
            raw=resource,
        )

    def query_payment(self, *, out_trade_no: str) -> TradeStatus:
        trade = provider.api_query_trade(mchid=self.merchant_id, out_trade_no=out_trade_no)
        return self._status(out_trade_no, trade)

    def close_payment(self, *, out_trade_no: str) -> TradeStatus:
        trade = provider.api_close_trade(mchid=self.merchant_id, out_trade_no=out_trade_no)
        return self._status(out_trade_no, trade)

    # --- refunds ------------------------------------------------------------------
    def _refund_status(self, out_refund_no: str, refund: object) -> RefundStatus:
        if refund is None:
            return RefundStatus(
                mchid=self.merchant_id, out_refund_no=out_refund_no, refund_id="", status="NOT_FOUND"
            )
        resource = notices.refund_resource(refund)
        return _refund_from_resource(resource)

    def create_refund(
        self, *, out_trade_no: str, out_refund_no: str, amount_fen: int, notify_url: str
    ) -> RefundStatus:
        try:
            refund = provider.api_create_refund(
                mchid=self.merchant_id,
                out_trade_no=out_trade_no,
                out_refund_no=out_refund_no,
                amount_fen=amount_fen,
                notify_url=notify_url,
            )
        except SandboxApiError as exc:
            raise GatewayUnavailable(exc.code) from exc
        # Like WeChat, the answer to the request says PROCESSING; the outcome comes by notice.
        status = self._refund_status(out_refund_no, refund)
        return RefundStatus(
            mchid=status.mchid,
            out_refund_no=status.out_refund_no,
            refund_id=status.refund_id,
            status="PROCESSING",
            amount_fen=status.amount_fen,
            raw=status.raw,
        )

    def query_refund(self, *, out_trade_no: str, out_refund_no: str) -> RefundStatus:
        refund = provider.api_query_refund(
            mchid=self.merchant_id, out_trade_no=out_trade_no, out_refund_no=out_refund_no
        )
        return self._refund_status(out_refund_no, refund)

    # --- notices ------------------------------------------------------------------
    def parse_notice(self, *, headers: Mapping[str, str], body: bytes) -> PaymentNotice | RefundStatus:
        lowered = {k.lower(): v for k, v in headers.items()}
        stamp, nonce = lowered.get("wechatpay-timestamp", ""), lowered.get("wechatpay-nonce", "")
        signature, serial = lowered.get("wechatpay-signature", ""), lowered.get("wechatpay-serial", "")
        if not (stamp and nonce and signature and serial):
            raise NoticeInvalid("missing_signature_headers")
        public_key = self._public_key()
        if serial != crypto.key_serial(public_key):
            raise NoticeInvalid("unknown_serial", serial)
        if not crypto.verify(public_key, crypto.message_to_sign(stamp, nonce, body), signature):
            raise NoticeInvalid("bad_signature")
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > settings.PAYMENT_NOTICE_MAX_AGE_SECONDS:
            raise NoticeInvalid("stale_timestamp", stamp)
        envelope, resource = _decode(body)
        event_type = envelope.get("event_type", "")
        if event_type == "TRANSACTION.SUCCESS" and resource.get("trade_state") == "SUCCESS":
            return _payment_from_resource(resource)
        if event_type.startswith("REFUND."):
            return _refund_from_resource(resource)
        raise NoticeInvalid("unsupported_event", event_type)


def _decode(body: bytes) -> tuple[dict, dict]:
    try:
        envelope = json.loads(body)
        enc = envelope["resource"]
        if enc.get("algorithm") != "AEAD_AES_256_GCM":
            raise NoticeInvalid("unsupported_algorithm")
        plain = crypto.aes_gcm_decrypt(
            settings.PAYMENT_SANDBOX_API_V3_KEY.encode(),
            enc["nonce"],
            enc["ciphertext"],
            enc.get("associated_data", "").encode(),
        )
        return envelope, json.loads(plain)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise NoticeInvalid("malformed_body", str(exc)) from exc


def _payment_from_resource(resource: dict) -> PaymentNotice:
    try:
        return PaymentNotice(
            mchid=str(resource["mchid"]),
            out_trade_no=str(resource["out_trade_no"]),
            transaction_id=str(resource["transaction_id"]),
            amount_fen=int(resource["amount"]["total"]),
            success_time=datetime.fromisoformat(resource["success_time"]),
            raw=resource,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise NoticeInvalid("malformed_resource", str(exc)) from exc


def _refund_from_resource(resource: dict) -> RefundStatus:
    try:
        return RefundStatus(
            mchid=str(resource["mchid"]),
            out_refund_no=str(resource["out_refund_no"]),
            refund_id=str(resource["refund_id"]),
            status=str(resource["refund_status"]),
            amount_fen=int(resource["amount"]["refund"]),
            success_time=_parse_time(resource.get("success_time")),
            raw=resource,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise NoticeInvalid("malformed_resource", str(exc)) from exc
