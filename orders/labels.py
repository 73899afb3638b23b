"""The shopper's words for order and after-sales states (待付款, 待发货 …), shared by the
H5 pages, the API and other apps' pages. The models' own labels are the staff's
(``paid, to be shipped``).

This module is the one source of truth for what an order is *called*: the order-list tabs,
the state word on a card or the detail banner, and the word before the amount. An order's
state word is the label of the tab it is listed under, so a card in 已完成 never says
something else (a received order, still in its after-sales window, is 已完成 with a hint
saying after-sales stay open). Cancelled orders are in no tab but 全部.
"""

from django.utils.translation import gettext_lazy as _

from orders.models import AfterSale, AfterSaleKind, AfterSaleState, Order, OrderState

# The order-list tabs, in display order: key → label. ``all`` and ``aftersales`` are not
# states; the others hold the states listed in ``TAB_STATES``.
ORDER_TABS = {
    "all": _("All"),
    "pending_payment": _("To pay"),
    "to_ship": _("To ship"),
    "to_receive": _("To receive"),
    "completed": _("Completed"),
    "aftersales": _("After-sales"),
}
# Every state but ``cancelled`` is listed under exactly one tab.
STATE_TAB: dict[str, str] = {
    OrderState.PENDING_PAYMENT: "pending_payment",
    OrderState.PAID: "to_ship",
    OrderState.SHIPPED: "to_receive",
    OrderState.RECEIVED: "completed",
    OrderState.COMPLETED: "completed",
}
TAB_STATES: dict[str, tuple[str, ...]] = {
    tab: tuple(state for state, state_tab in STATE_TAB.items() if state_tab == tab)
    for tab in ORDER_TABS
    if tab in STATE_TAB.values()
}

ORDER_STATE_HINTS = {
    OrderState.PAID: _("Paid. The warehouse is preparing your parcel."),
    OrderState.SHIPPED: _("Your parcel is on its way."),
    OrderState.RECEIVED: _("Receipt confirmed. After-sales stay open for a few days."),
    OrderState.COMPLETED: _("The order is complete. Thank you for shopping with us."),
}
AFTERSALE_STATE_LABELS = {
    AfterSaleState.REQUESTED: _("Waiting for review"),
    AfterSaleState.BUYER_SHIPPED: _("Goods sent back, waiting for the warehouse"),
    AfterSaleState.RECEIVED_BACK: _("Goods received back, refund in progress"),
    AfterSaleState.REFUNDED: _("Refunded"),
    AfterSaleState.REJECTED: _("Rejected"),
    AfterSaleState.WITHDRAWN: _("Withdrawn"),
}


def order_state_label(order: Order) -> str:
    """待付款 / 待发货 / 待收货 / 已完成 (the tab's own word), 已取消 or 交易关闭."""
    if order.state == OrderState.CANCELLED:
        if order.paid_at is not None:
            return str(_("Closed"))  # paid, then refunded in full
        return str(_("Cancelled"))
    return str(ORDER_TABS[STATE_TAB[order.state]])


def order_state_muted(order: Order) -> bool:
    """Whether the state word is shown greyed out (nothing more will happen)."""
    return order.state in (OrderState.CANCELLED, OrderState.COMPLETED, OrderState.RECEIVED)


def order_state_hint(order: Order) -> str:
    if order.state == OrderState.CANCELLED:
        return order.cancel_reason
    return str(ORDER_STATE_HINTS.get(order.state, ""))


def order_amount_label(order: Order) -> str:
    """The word before the total: 需付款 only while it can still be paid, 实付款 once it was
    paid, 订单金额 for an order cancelled unpaid (nothing is owed and nothing was paid)."""
    if order.state == OrderState.PENDING_PAYMENT:
        return str(_("To pay:"))
    if order.paid_at is not None:
        return str(_("Paid:"))
    return str(_("Order total:"))


def aftersale_state_label(aftersale: AfterSale) -> str:
    if aftersale.state == AfterSaleState.APPROVED:
        if aftersale.kind == AfterSaleKind.RETURN_AND_REFUND:
            return str(_("Approved: please send the goods back"))
        return str(_("Approved, refund in progress"))
    return str(AFTERSALE_STATE_LABELS.get(aftersale.state, aftersale.state))
