from orders.models.address import Address
from orders.models.aftersale import (
    AFTERSALE_TRANSITIONS,
    OPEN_AFTERSALE_STATES,
    REFUND_IN_FLIGHT_STATES,
    AfterSale,
    AfterSaleKind,
    AfterSaleState,
    Refund,
    RefundKind,
    RefundState,
)
from orders.models.cart import CartItem
from orders.models.order import ORDER_TRANSITIONS, Order, OrderEvent, OrderItem, OrderState
from orders.models.payment import Payment
from orders.models.sandbox import SandboxRefund, SandboxTrade
from orders.models.shipping import ShippingRule

__all__ = [
    "AFTERSALE_TRANSITIONS",
    "OPEN_AFTERSALE_STATES",
    "ORDER_TRANSITIONS",
    "REFUND_IN_FLIGHT_STATES",
    "Address",
    "AfterSale",
    "AfterSaleKind",
    "AfterSaleState",
    "CartItem",
    "Order",
    "OrderEvent",
    "OrderItem",
    "OrderState",
    "Payment",
    "Refund",
    "RefundKind",
    "RefundState",
    "SandboxRefund",
    "SandboxTrade",
    "ShippingRule",
]
