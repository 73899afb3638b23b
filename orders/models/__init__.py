from orders.models.address import Address
from orders.models.aftersale import (
    AFTERSALE_TRANSITIONS,
    MAX_AFTERSALE_PHOTOS,
    OPEN_AFTERSALE_STATES,
    REFUND_IN_FLIGHT_STATES,
    AfterSale,
    AfterSaleKind,
    AfterSalePhoto,
    AfterSaleState,
    Refund,
    RefundKind,
    RefundState,
)
from orders.models.cart import CartItem
from orders.models.order import ORDER_TRANSITIONS, Order, OrderEvent, OrderItem, OrderState
from orders.models.payment import Payment
from orders.models.return_address import ReturnAddress
from orders.models.review import MAX_REVIEW_PHOTOS, MAX_REVIEW_TEXT, Review, ReviewModeration, ReviewPhoto
from orders.models.shipping import ShippingRule

# The payment sandbox's own tables (a stand-in third party) live in its package; importing
# them here registers them in this app, as Django loads an app's models from here only.
# Everything else reaches them through orders.payments.sandbox, never through this module.
from orders.payments.sandbox import models as _sandbox_models  # noqa: F401 isort: skip

__all__ = [
    "AFTERSALE_TRANSITIONS",
    "MAX_AFTERSALE_PHOTOS",
    "MAX_REVIEW_PHOTOS",
    "MAX_REVIEW_TEXT",
    "OPEN_AFTERSALE_STATES",
    "ORDER_TRANSITIONS",
    "REFUND_IN_FLIGHT_STATES",
    "Address",
    "AfterSale",
    "AfterSaleKind",
    "AfterSalePhoto",
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
    "ReturnAddress",
    "Review",
    "ReviewModeration",
    "ReviewPhoto",
    "ShippingRule",
]
