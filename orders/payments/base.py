"""The payment gateway interface the orders services talk to.

A gateway is the merchant-side client of one provider (WeChat Pay, Alipay, the sandbox).
Amounts cross this boundary in integer fen, as the providers take them.
"""

import abc
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class NoticeInvalid(Exception):
    """A notice that does not verify. ``reason`` is a short machine code for the log."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        super().__init__(f"{reason}: {detail}" if detail else reason)


class GatewayUnavailable(Exception):
    """The provider could not be reached or answered with an error; safe to retry."""


@dataclass(frozen=True)
class PaymentStart:
    cashier_url: str
    prepay_id: str


@dataclass(frozen=True)
class TradeStatus:
    """What the provider knows about one merchant order (``out_trade_no``)."""

    out_trade_no: str
    state: str  # SUCCESS | NOTPAY | PAYERROR | CLOSED | NOT_FOUND
    mchid: str = ""
    transaction_id: str = ""
    amount_fen: int = 0
    success_time: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_paid(self) -> bool:
        return self.state == "SUCCESS"


@dataclass(frozen=True)
class PaymentNotice:
    """A verified and decrypted "transaction succeeded" notice."""

    mchid: str
    out_trade_no: str
    transaction_id: str
    amount_fen: int
    success_time: datetime
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RefundStatus:
    """A refund as the provider reports it, in a query answer or a verified notice."""

    mchid: str
    out_refund_no: str
    refund_id: str
    status: str  # SUCCESS | PROCESSING | ABNORMAL | NOT_FOUND
    amount_fen: int = 0
    success_time: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)


class Gateway(abc.ABC):
    name: str = ""

    @property
    @abc.abstractmethod
    def merchant_id(self) -> str:
        """Our merchant id at this provider; a notice for another merchant is refused."""

    @abc.abstractmethod
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
        """Open (or re-open) a payment; idempotent per ``out_trade_no``."""

    @abc.abstractmethod
    def query_payment(self, *, out_trade_no: str) -> TradeStatus: ...

    @abc.abstractmethod
    def close_payment(self, *, out_trade_no: str) -> TradeStatus:
        """Close an unpaid trade so it can no longer be paid. Returns the trade's state
        after the attempt: ``SUCCESS`` means it was paid before it could be closed."""

    @abc.abstractmethod
    def create_refund(
        self, *, out_trade_no: str, out_refund_no: str, amount_fen: int, notify_url: str
    ) -> RefundStatus:
        """Ask for a refund; idempotent per ``out_refund_no``."""

    @abc.abstractmethod
    def query_refund(self, *, out_trade_no: str, out_refund_no: str) -> RefundStatus: ...

    @abc.abstractmethod
    def parse_notice(self, *, headers: Mapping[str, str], body: bytes) -> PaymentNotice | RefundStatus:
        """Verify and decode a notice; raise ``NoticeInvalid`` for anything not genuine and fresh."""
