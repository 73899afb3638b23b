"""The PROVIDER side of the sandbox: what WeChat Pay's servers would do.

It keeps its own trade and refund tables and answers the merchant's API calls; the shop
side (``gateway.SandboxGateway``) calls the ``api_*`` functions as it would call the HTTPS
API. The shopper pays or fails on the cashier page (``cashier_*``). A paid trade or a
refund queues its signed notice to the merchant's notify URL once the transaction commits
(``tasks``; re-sent on a back-off schedule until the merchant answers 2xx, see ``notices``).
"""

import secrets
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from orders.payments.sandbox import tasks
from orders.payments.sandbox.errors import CashierTradeInvalid, SandboxApiError
from orders.payments.sandbox.lock_objects import sandbox_trade_lock
from orders.payments.sandbox.models import SandboxRefund, SandboxTrade

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
    transaction.on_commit(lambda: tasks.deliver_refund_notice.delay(refund.pk), robust=True)
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
    transaction.on_commit(lambda: tasks.deliver_trade_notice.delay(trade.pk), robust=True)
    return trade


def cashier_fail(*, token: str) -> SandboxTrade:
    """The shopper's payment failed (no notice is sent, as with WeChat); they may retry."""
    updated = SandboxTrade.objects.filter(token=token, state=SandboxTrade.State.NOTPAY).update(
        state=SandboxTrade.State.PAYERROR
    )
    if not updated:
        raise CashierTradeInvalid()
    return SandboxTrade.objects.get(token=token)
