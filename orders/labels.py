"""The shopper's words for order and after-sales states (待付款, 待发货 …), shared by the
H5 pages and the API. The models' own labels are the staff's (``paid, to be shipped``)."""

from django.utils.translation import gettext_lazy as _

from orders.models import AfterSale, AfterSaleKind, AfterSaleState, Order, OrderState

ORDER_STATE_LABELS = {
    OrderState.PENDING_PAYMENT: _("To pay"),
    OrderState.PAID: _("To ship"),
    OrderState.SHIPPED: _("To receive"),
    OrderState.RECEIVED: _("Received"),
    OrderState.COMPLETED: _("Completed"),
    OrderState.CANCELLED: _("Cancelled"),
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
    if order.state == OrderState.CANCELLED and order.paid_at is not None:
        return str(_("Closed"))  # paid, then refunded in full
    return str(ORDER_STATE_LABELS.get(order.state, order.state))


def order_state_hint(order: Order) -> str:
    if order.state == OrderState.CANCELLED:
        return order.cancel_reason
    return str(ORDER_STATE_HINTS.get(order.state, ""))


def aftersale_state_label(aftersale: AfterSale) -> str:
    if aftersale.state == AfterSaleState.APPROVED:
        if aftersale.kind == AfterSaleKind.RETURN_AND_REFUND:
            return str(_("Approved: please send the goods back"))
        return str(_("Approved, refund in progress"))
    return str(AFTERSALE_STATE_LABELS.get(aftersale.state, aftersale.state))
