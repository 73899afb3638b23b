"""Errors a shopper, a staff member or a payment notice can cause. Raising one changes nothing."""

import logging
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from common.errors import DomainError, InvalidTransition, NotFound, PermissionDenied
from common.metrics import PAYMENT_NOTICES_REJECTED
from mall.errors import InsufficientStock

logger = logging.getLogger(__name__)


def format_lazy_message(message: Any, **params: Any) -> str:
    """Interpolate when the message is shown, so it follows the reader's language."""
    return lazy(lambda: str(message) % params, str)()


class OrderNotFound(NotFound):
    code = "order_not_found"
    default_message = _("This order does not exist.")


class OrderItemNotFound(NotFound):
    code = "order_item_not_found"
    default_message = _("This item is not in the order.")


class AfterSaleNotFound(NotFound):
    code = "aftersale_not_found"
    default_message = _("This after-sales request does not exist.")


class AddressNotFound(NotFound):
    code = "address_not_found"
    default_message = _("This address does not exist.")


class AddressInvalid(DomainError):
    code = "address_invalid"
    default_message = _(
        "Fill in the receiver, a valid mobile number, the province, city, district and street address."
    )


class CartEmpty(DomainError):
    code = "cart_empty"
    default_message = _("Choose at least one product.")


class DiscountUnavailable(DomainError):
    code = "discount_unavailable"
    status = 409
    default_message = _("This coupon cannot be used for this order. Choose another one or none.")


class QuantityInvalid(DomainError):
    code = "quantity_invalid"
    default_message = _("Enter a quantity between 1 and 99.")


class ProductUnavailable(DomainError):
    code = "product_unavailable"
    status = 409
    default_message = _("A product in your order is no longer on sale.")


class OutOfStock(InsufficientStock):
    """Names the product, so the shopper knows which line to change."""

    default_message = _("Insufficient stock (库存不足).")

    @classmethod
    def for_product(cls, title: str, available: int | None = None) -> "OutOfStock":
        if not available:
            return cls(format_lazy_message(_("Insufficient stock (库存不足): %(title)s."), title=title))
        return cls(
            format_lazy_message(
                _("Insufficient stock (库存不足): %(title)s, only %(available)s left."),
                title=title,
                available=available,
            )
        )


class ShopClosed(DomainError):
    code = "shop_closed"
    default_message = _("This shop is closed.")


class OrderTransitionInvalid(InvalidTransition):
    code = "order_transition_invalid"

    @classmethod
    def between(cls, current: str, target: str) -> "OrderTransitionInvalid":
        from orders.models import OrderState

        return cls(
            format_lazy_message(
                _("An order that is %(current)s cannot become %(target)s."),
                current=OrderState(current).label,
                target=OrderState(target).label,
            )
        )


class OrderNotPayable(InvalidTransition):
    code = "order_not_payable"
    default_message = _("This order can no longer be paid.")


class AfterSaleTransitionInvalid(InvalidTransition):
    code = "aftersale_transition_invalid"

    @classmethod
    def between(cls, current: str, target: str) -> "AfterSaleTransitionInvalid":
        from orders.models import AfterSaleState

        return cls(
            format_lazy_message(
                _("An after-sales request that is %(current)s cannot become %(target)s."),
                current=AfterSaleState(current).label,
                target=AfterSaleState(target).label,
            )
        )


class AfterSaleNotAllowed(DomainError):
    code = "aftersale_not_allowed"
    status = 409
    default_message = _("After-sales cannot be requested for this order now.")


class AfterSaleWindowClosed(AfterSaleNotAllowed):
    code = "aftersale_window_closed"
    default_message = _("The after-sales period for this item has ended.")


class AfterSaleAlreadyOpen(AfterSaleNotAllowed):
    code = "aftersale_already_open"
    default_message = _("This item already has an after-sales request in progress.")


class AfterSaleQuantityInvalid(DomainError):
    code = "aftersale_quantity_invalid"
    default_message = _("You can ask for at most the units you have not been refunded for.")


class RefundExceedsPaid(DomainError):
    code = "refund_exceeds_paid"
    default_message = _("The refund cannot be more than was paid for these units.")


class ReasonRequired(DomainError):
    code = "reason_required"
    default_message = _("Give a reason.")


class BulkFileInvalid(DomainError):
    code = "bulk_ship_file_invalid"
    default_message = _("The file cannot be read.")


class TrackingRequired(DomainError):
    code = "tracking_required"
    default_message = _("Enter the carrier and the tracking number.")


class PaymentProviderUnknown(DomainError):
    code = "payment_provider_unknown"
    default_message = _("This payment method is not available.")


class PaymentGatewayError(DomainError):
    code = "payment_gateway_error"
    status = 502
    default_message = _("The payment service did not answer. Please try again.")


class PaymentNoticeRejected(DomainError):
    """A gateway notice we refuse. ``code`` says why; the endpoint answers 4xx. Raise it with
    ``because()``, which logs the refusal with its context (the only record of it)."""

    code = "notice_rejected"
    default_message = _("The payment notice was rejected.")

    @classmethod
    def because(cls, code: str, message: str, **context: object) -> "PaymentNoticeRejected":
        logger.warning("payment notice rejected: %s %s", code, context)
        PAYMENT_NOTICES_REJECTED.labels(reason=code).inc()  # refused, whatever the transaction does
        return cls(message, code=code)


class ReturnAddressMissing(DomainError):
    code = "return_address_missing"
    status = 409
    default_message = _(
        "There is no return address for this item's supplier and no platform default: "
        "add one under Return addresses first."
    )


class ReturnAddressDefaultRequired(DomainError):
    code = "return_address_default_required"
    status = 409
    default_message = _(
        "There must be one platform default return address: make another address the default instead."
    )


class AddressRegionInvalid(DomainError):
    code = "address_region_invalid"
    default_message = _("Choose the province, city and district from the list.")


class ReturnAddressInvalid(DomainError):
    code = "return_address_invalid"
    default_message = _("A supplier's return address cannot be the platform default.")


class PhotoNotFound(NotFound):
    code = "photo_not_found"
    default_message = _("This photo does not exist.")


class PhotosTooMany(DomainError):
    code = "photos_too_many"
    default_message = _("Attach at most 3 photos.")


class PhotoInvalid(DomainError):
    code = "photo_invalid"
    default_message = _("Only JPEG, PNG or WebP pictures can be attached.")

    @classmethod
    def named(cls, name: str) -> "PhotoInvalid":
        return cls(format_lazy_message(_("%(name)s is not a JPEG, PNG or WebP picture."), name=name))


class PhotoTooLarge(DomainError):
    code = "photo_too_large"
    default_message = _("Each photo may be 5 MB at most.")

    @classmethod
    def named(cls, name: str) -> "PhotoTooLarge":
        return cls(format_lazy_message(_("%(name)s is larger than 5 MB."), name=name))
# --- staff refunds: after the window, and refund anomalies ---------------------------------


class AfterWindowRefundForbidden(PermissionDenied):
    code = "after_window_refund_forbidden"
    default_message = _("You do not have permission to refund after the after-sales window.")


class AfterWindowRefundNotAllowed(DomainError):
    code = "after_window_refund_not_allowed"
    status = 409
    default_message = _(
        "A refund after the after-sales window is only for paid items whose window has closed; "
        "before that, the shopper asks for after-sales."
    )


class RefundQuantityInvalid(DomainError):
    code = "refund_quantity_invalid"
    default_message = _("Choose between 1 and the number of units not refunded yet.")


class RefundInFlight(DomainError):
    code = "refund_in_flight"
    status = 409
    default_message = _("This item already has a refund in progress or a refund anomaly. Finish it first.")


class RefundRetryForbidden(PermissionDenied):
    code = "refund_retry_forbidden"
    default_message = _("You do not have permission to retry refund anomalies.")


class RefundTransitionInvalid(InvalidTransition):
    code = "refund_transition_invalid"
    default_message = _("This refund cannot be applied in its current state.")


class RefundNotConfirmed(DomainError):
    code = "refund_not_confirmed"
    status = 409
    default_message = _("The payment gateway does not confirm this refund, so it cannot be applied.")


# --- product reviews (口碑) -------------------------------------------------------------


class ReviewNotFound(NotFound):
    code = "review_not_found"
    default_message = _("This review does not exist.")


class ReviewNotAllowed(InvalidTransition):
    code = "review_not_allowed"
    default_message = _("You can review an item once you have confirmed receipt of the order.")


class ReviewExists(InvalidTransition):
    code = "review_exists"
    default_message = _("You have already reviewed this item.")


class ReviewRatingInvalid(DomainError):
    code = "review_rating_invalid"
    default_message = _("Give the item 1 to 5 stars.")


class ReviewTextTooLong(DomainError):
    code = "review_text_too_long"
    default_message = _("A review may be 500 characters at most.")


class ReviewReasonRequired(DomainError):
    code = "review_reason_required"
    default_message = _("Give a reason for hiding or showing the review.")


class ReviewStateChanged(InvalidTransition):
    code = "review_state_changed"
    default_message = _("The review is already in that state.")
