"""The sandbox provider's own row lock (its side of the fence, not the shop's)."""

from orders.payments.sandbox.models import SandboxTrade


def sandbox_trade_lock(*, mchid: str, out_trade_no: str) -> SandboxTrade | None:
    return (
        SandboxTrade.objects.select_for_update(of=("self",))
        .filter(mchid=mchid, out_trade_no=out_trade_no)
        .order_by("pk")
        .first()
    )
