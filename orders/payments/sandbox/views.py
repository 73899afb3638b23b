"""The sandbox's cashier page (the provider's page, served by this site in development):
the shopper sees the amount and presses 确认支付 or 模拟失败."""

import contextlib

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from orders.payments.sandbox import provider
from orders.payments.sandbox.errors import CashierTradeInvalid
from orders.payments.sandbox.models import SandboxTrade


def _trade(token: str) -> SandboxTrade:
    trade = SandboxTrade.objects.filter(token=token).first()
    if trade is None:
        raise Http404
    return trade


def cashier(request: HttpRequest, token: str) -> HttpResponse:
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
def cashier_pay(request: HttpRequest, token: str) -> HttpResponse:
    try:
        trade = provider.cashier_pay(token=token)
    except CashierTradeInvalid:
        return cashier(request, token)
    if trade.return_url and trade.return_url.startswith("/") and not trade.return_url.startswith("//"):
        return redirect(trade.return_url)
    return redirect("sandbox:cashier", token=token)


@require_POST
def cashier_fail(request: HttpRequest, token: str) -> HttpResponse:
    with contextlib.suppress(CashierTradeInvalid):
        provider.cashier_fail(token=token)
    return redirect("sandbox:cashier", token=token)
