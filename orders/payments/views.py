"""HTTP endpoints of the payments package: the notify endpoint (the shop's) and the
sandbox cashier (the provider's page, served by this site in development)."""

import contextlib
import logging

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from orders.errors import CashierTradeInvalid, PaymentNoticeRejected, PaymentProviderUnknown
from orders.models import SandboxTrade
from orders.payments import sandbox_provider
from orders.services.payment import payment_notice_handle

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def payment_notify(request: HttpRequest, provider: str) -> HttpResponse:
    """``POST /pay/notify/<provider>/``: 204 when applied (or a duplicate, or a confirmed
    refund recorded as 退款异常 because it cannot be applied), 4xx otherwise.

    A 4xx makes a real provider retry later, which is right for a notice we could not
    verify; everything refused is logged by the service with its reason.
    """
    try:
        payment_notice_handle(provider=provider, headers=request.headers, body=request.body)
    except PaymentProviderUnknown:
        raise Http404 from None
    except PaymentNoticeRejected as exc:
        return JsonResponse({"code": "FAIL", "message": exc.code}, status=400)
    return HttpResponse(status=204)


def _trade(token: str) -> SandboxTrade:
    trade = SandboxTrade.objects.filter(token=token).first()
    if trade is None:
        raise Http404
    return trade


def sandbox_cashier(request: HttpRequest, token: str) -> HttpResponse:
    """The sandbox's cashier page: shows the amount, and 确认支付 / 模拟失败."""
    trade = _trade(token)
    return render(
        request,
        "orders/sandbox_cashier.html",
        {
            "trade": trade,
            "amount": f"{trade.amount_fen / 100:.2f}",
            "payable": trade.state in (SandboxTrade.State.NOTPAY, SandboxTrade.State.PAYERROR),
        },
    )


@require_POST
def sandbox_cashier_pay(request: HttpRequest, token: str) -> HttpResponse:
    try:
        trade = sandbox_provider.cashier_pay(token=token)
    except CashierTradeInvalid:
        return sandbox_cashier(request, token)
    if trade.return_url and trade.return_url.startswith("/") and not trade.return_url.startswith("//"):
        return redirect(trade.return_url)
    return redirect("orders:sandbox-cashier", token=token)


@require_POST
def sandbox_cashier_fail(request: HttpRequest, token: str) -> HttpResponse:
    with contextlib.suppress(CashierTradeInvalid):
        sandbox_provider.cashier_fail(token=token)
    return redirect("orders:sandbox-cashier", token=token)
