"""The order aggregate: Order, its items (price snapshots) and its timeline."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from common.fields import MoneyField
from common.phone import mask_phone
from mall.models import SKU, Product, Shop


class OrderState(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("pending payment")
    PAID = "paid", _("paid, to be shipped")
    SHIPPED = "shipped", _("shipped")
    RECEIVED = "received", _("received")
    COMPLETED = "completed", _("completed")
    CANCELLED = "cancelled", _("cancelled")


S = OrderState
# The only moves an order can make. ``paid/shipped/received → cancelled`` happens only
# when every item has been refunded in full (the trade is closed).
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING_PAYMENT: frozenset({S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.SHIPPED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.RECEIVED, S.CANCELLED}),
    S.RECEIVED: frozenset({S.COMPLETED, S.CANCELLED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
}


class Order(models.Model):
    """A checked-out order. Amounts and the address are snapshots: later catalogue or
    address changes never alter an existing order."""

    State = OrderState

    number = models.CharField(_("order number"), max_length=20, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders", verbose_name=_("member")
    )
    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="orders", verbose_name=_("shop"))
    state = models.CharField(
        _("state"), max_length=20, choices=OrderState.choices, default=OrderState.PENDING_PAYMENT
    )
    subtotal = MoneyField(_("items subtotal"))
    discount_amount = MoneyField(_("discount"), default=0)
    shipping_fee = MoneyField(_("shipping fee"))
    total_amount = MoneyField(
        _("amount to pay"), help_text=_("Subtotal − discount + shipping: what the shopper pays."))
    note = models.CharField(_("buyer's note"), max_length=200, blank=True)
    # The discount used (one per order), as its provider named it: e.g. ``coupon:42``.
    discount_key = models.CharField(_("discount used"), max_length=40, blank=True, default="")
    discount_title = models.CharField(_("discount title"), max_length=80, blank=True, default="")
    # The client's idempotency key: a retried "place order" returns the first order.
    client_token = models.CharField(_("client request key"), max_length=64, blank=True, default="")
    # Address snapshot.
    receiver = models.CharField(_("receiver"), max_length=40)
    receiver_phone = models.CharField(_("receiver phone"), max_length=11)
    province = models.CharField(_("province"), max_length=20)
    city = models.CharField(_("city"), max_length=20)
    district = models.CharField(_("district"), max_length=20)
    address_detail = models.CharField(_("street address"), max_length=120)
    # Payment.
    payment_deadline = models.DateTimeField(_("pay before"))
    payment_provider = models.CharField(_("payment provider"), max_length=20, blank=True)
    payment_started_at = models.DateTimeField(_("cashier opened at"), null=True, blank=True)
    # Fulfilment.
    carrier = models.CharField(_("carrier"), max_length=40, blank=True)
    tracking_no = models.CharField(_("tracking number"), max_length=40, blank=True)
    cancel_reason = models.CharField(_("cancel reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "state", "-created_at"], name="order_user_state"),
            models.Index(fields=["state", "payment_deadline"], name="order_state_deadline"),
            models.Index(fields=["state", "shipped_at"], name="order_state_shipped"),
            models.Index(fields=["shop", "-created_at"], name="order_shop_created"),
        ]
        # Sums (total = subtotal − discount + shipping, line = price × qty) are computed in
        # Decimal by the checkout service; they are not CHECKs because SQLite (the embedded
        # mode) would compare them as floats.
        constraints = [
            models.UniqueConstraint(fields=["user", "client_token"], condition=~Q(client_token=""),
                                    name="order_client_token_once"),
            models.CheckConstraint(condition=Q(total_amount__gt=0), name="order_total_positive"),
            models.CheckConstraint(
                condition=Q(discount_amount__gte=0) & Q(shipping_fee__gte=0),
                name="order_discount_shipping_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def address_text(self) -> str:
        return f"{self.province}{self.city}{self.district}{self.address_detail}"

    @property
    def masked_receiver_phone(self) -> str:
        return mask_phone(self.receiver_phone)


class OrderItem(models.Model):
    """One SKU line of an order, with the prices in force at checkout."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items", verbose_name=_("order"))
    sku = models.ForeignKey(SKU, on_delete=models.PROTECT, related_name="+", verbose_name=_("SKU"))
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    product_title = models.CharField(_("product title"), max_length=120)
    sku_specs = models.JSONField(_("specs"), default=dict, blank=True)
    sku_spec_text = models.CharField(_("spec"), max_length=200, blank=True)
    unit_price = MoneyField(_("unit price"))
    cost_price = MoneyField(_("unit cost"))
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    line_amount = MoneyField(_("line amount"))
    discount_amount = MoneyField(_("discount"), default=0)
    paid_amount = MoneyField(_("paid amount"), help_text=_("Line amount − discount: the commission base."))
    refunded_quantity = models.PositiveIntegerField(_("refunded quantity"), default=0)
    refunded_amount = MoneyField(_("refunded amount"), default=0)
    # Set at receipt; the after-sales window is open until then (held open by an open after-sale).
    window_closes_at = models.DateTimeField(_("after-sales window closes at"), null=True, blank=True)
    window_closed_at = models.DateTimeField(_("after-sales window closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order item")
        verbose_name_plural = _("order items")
        ordering = ["order_id", "id"]
        indexes = [
            models.Index(
                fields=["window_closes_at"],
                name="item_window_open",
                condition=Q(window_closed_at__isnull=True),
            )
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="item_quantity_positive"),
            models.CheckConstraint(condition=Q(paid_amount__gte=0), name="item_paid_not_negative"),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0, refunded_amount__lte=F("paid_amount")),
                name="item_refund_within_paid",
            ),
            models.CheckConstraint(
                condition=Q(refunded_quantity__lte=F("quantity")), name="item_refund_within_quantity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_title} {self.sku_spec_text} × {self.quantity}".strip()

    @property
    def remaining_quantity(self) -> int:
        return self.quantity - self.refunded_quantity

    @property
    def remaining_paid_amount(self) -> Decimal:
        return self.paid_amount - self.refunded_amount


class OrderEvent(models.Model):
    """One row of an order's timeline. Written by every transition; never edited."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Order placed")
        PAYMENT_STARTED = "payment_started", _("Payment started")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")
        SHIPPED = "shipped", _("Shipped")
        RECEIVED = "received", _("Receipt confirmed")
        COMPLETED = "completed", _("Completed")
        ITEM_WINDOW_CLOSED = "item_window_closed", _("After-sales window closed")
        AFTERSALE_REQUESTED = "aftersale_requested", _("After-sales requested")
        AFTERSALE_APPROVED = "aftersale_approved", _("After-sales approved")
        AFTERSALE_REJECTED = "aftersale_rejected", _("After-sales rejected")
        AFTERSALE_WITHDRAWN = "aftersale_withdrawn", _("After-sales withdrawn")
        AFTERSALE_BUYER_SHIPPED = "aftersale_buyer_shipped", _("Goods sent back")
        AFTERSALE_RECEIVED_BACK = "aftersale_received_back", _("Returned goods received")
        REFUND_REQUESTED = "refund_requested", _("Refund submitted")
        REFUNDED = "refunded", _("Refunded")
        REFUND_FAILED = "refund_failed", _("Refund failed")
        AFTER_WINDOW_REFUND_REQUESTED = "after_window_refund", _("After-window refund submitted")
        # Staff-only (never on the shopper's timeline): they carry error texts.
        REFUND_APPLY_FAILED = "refund_apply_failed", _("Refund anomaly")
        REFUND_RETRIED = "refund_retried", _("Refund anomaly retried")

    STAFF_ONLY_KINDS = (Kind.REFUND_APPLY_FAILED, Kind.REFUND_RETRIED)

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events", verbose_name=_("order"))
    kind = models.CharField(_("event"), max_length=32, choices=Kind.choices)
    message = models.CharField(_("details"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty: the system (a sweep or the payment gateway)."),
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order timeline")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["order", "created_at"], name="order_event_order")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.message}".strip()
