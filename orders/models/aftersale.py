"""After-sales (售后) on one order item, the shopper's photos, and the refunds paid for them."""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.fields import MoneyField
from orders.models.order import Order, OrderItem


class AfterSaleKind(models.TextChoices):
    REFUND_ONLY = "refund_only", _("refund only")
    RETURN_AND_REFUND = "return_and_refund", _("return and refund")


class AfterSaleState(models.TextChoices):
    REQUESTED = "requested", _("requested")
    APPROVED = "approved", _("approved")
    BUYER_SHIPPED = "buyer_shipped", _("sent back by buyer")
    RECEIVED_BACK = "received_back", _("received back")
    REFUNDED = "refunded", _("refunded")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")


A = AfterSaleState
AFTERSALE_TRANSITIONS: dict[str, frozenset[str]] = {
    A.REQUESTED: frozenset({A.APPROVED, A.REJECTED, A.WITHDRAWN}),
    # refund_only: approved → refunded; return_and_refund: approved → buyer_shipped.
    A.APPROVED: frozenset({A.BUYER_SHIPPED, A.REFUNDED, A.WITHDRAWN}),
    A.BUYER_SHIPPED: frozenset({A.RECEIVED_BACK}),
    A.RECEIVED_BACK: frozenset({A.REFUNDED}),
    A.REFUNDED: frozenset(),
    A.REJECTED: frozenset(),
    A.WITHDRAWN: frozenset(),
}
OPEN_AFTERSALE_STATES = (A.REQUESTED, A.APPROVED, A.BUYER_SHIPPED, A.RECEIVED_BACK)


class AfterSale(models.Model):
    """A shopper's request to get money back for some units of one item.

    At most one is open per item at a time (partial unique index), so two requests can
    never claim the same units; while it is open the item's after-sales window stays open.
    """

    Kind = AfterSaleKind
    State = AfterSaleState

    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="aftersales", verbose_name=_("order")
    )
    order_item = models.ForeignKey(
        OrderItem, on_delete=models.PROTECT, related_name="aftersales", verbose_name=_("order item")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="aftersales",
        verbose_name=_("member"),
    )
    kind = models.CharField(_("type"), max_length=20, choices=AfterSaleKind.choices)
    state = models.CharField(
        _("state"), max_length=20, choices=AfterSaleState.choices, default=AfterSaleState.REQUESTED
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    amount = MoneyField(_("refund amount"))
    reason = models.CharField(_("reason"), max_length=200)
    reject_reason = models.CharField(_("reason for rejection"), max_length=200, blank=True)
    return_carrier = models.CharField(_("return carrier"), max_length=40, blank=True)
    return_tracking_no = models.CharField(_("return tracking number"), max_length=40, blank=True)
    # Where the goods go back: a copy of the return address taken when staff approve a
    # return, so a later edit of the address never changes what the shopper was told.
    return_receiver = models.CharField(_("return to: receiver"), max_length=40, blank=True)
    return_phone = models.CharField(_("return to: phone"), max_length=20, blank=True)
    return_province = models.CharField(_("return to: province"), max_length=20, blank=True)
    return_city = models.CharField(_("return to: city"), max_length=20, blank=True)
    return_district = models.CharField(_("return to: district"), max_length=20, blank=True)
    return_address_detail = models.CharField(_("return to: street address"), max_length=120, blank=True)
    return_note = models.CharField(_("return to: note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("after-sales request")
        verbose_name_plural = _("after-sales requests")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "-created_at"], name="aftersale_state")]
        constraints = [
            models.UniqueConstraint(
                fields=["order_item"],
                condition=Q(state__in=OPEN_AFTERSALE_STATES),
                name="aftersale_one_open_per_item",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="aftersale_quantity_positive"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="aftersale_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.order_item}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_AFTERSALE_STATES

    @property
    def has_return_address(self) -> bool:
        return bool(self.return_receiver)

    @property
    def return_address_text(self) -> str:
        return f"{self.return_province}{self.return_city}{self.return_district}{self.return_address_detail}"

    @property
    def return_address_copy_text(self) -> str:
        """What the copy button puts on the clipboard: receiver, phone, address, as couriers' apps read it."""
        return f"{self.return_receiver} {self.return_phone} {self.return_address_text}"


MAX_AFTERSALE_PHOTOS = 3


def aftersale_photo_path(instance: "AfterSalePhoto", filename: str) -> str:
    """A random name: a photo's URL cannot be guessed from another's or from the after-sale."""
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"aftersales/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class AfterSalePhoto(models.Model):
    """A photo the shopper attached to a request (damage, wrong item …), re-encoded without
    its metadata. Served only to the owner and to staff, through a view that checks."""

    aftersale = models.ForeignKey(
        AfterSale, on_delete=models.CASCADE, related_name="photos", verbose_name=_("after-sales request")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    image = models.ImageField(_("photo"), upload_to=aftersale_photo_path, max_length=200)
    # Known from the re-encoding; not ImageField's width_field, which would re-read the file.
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    size = models.PositiveIntegerField(_("size (bytes)"))
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("after-sales photo")
        verbose_name_plural = _("after-sales photos")
        ordering = ["aftersale_id", "position"]
        constraints = [
            # Positions 1..3, each once: the database itself refuses a fourth photo.
            models.UniqueConstraint(fields=["aftersale", "position"], name="aftersale_photo_position_once"),
            models.CheckConstraint(
                condition=Q(position__gte=1, position__lte=MAX_AFTERSALE_PHOTOS),
                name="aftersale_photo_at_most_three",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.aftersale_id}-{self.position}"


class RefundState(models.TextChoices):
    PENDING = "pending", _("pending")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")
    # The gateway says the money went back, but recording it here failed (an integrity or
    # domain error that a redelivered notice cannot fix). Staff fix the data and retry.
    APPLY_FAILED = "apply_failed", _("refund anomaly")


# A refund whose money is (or may be) on its way: at most one per item at a time.
REFUND_IN_FLIGHT_STATES = (RefundState.PENDING, RefundState.APPLY_FAILED)
REFUND_LIVE_STATES = (RefundState.PENDING, RefundState.SUCCEEDED, RefundState.APPLY_FAILED)


class RefundKind(models.TextChoices):
    AFTERSALE = "aftersale", _("after-sales refund")
    AFTER_WINDOW = "after_window", _("refund after the after-sales window")


class Refund(models.Model):
    """Money sent back through the gateway for some units of one item.

    Either for an after-sale (``kind=aftersale``), or a staff refund after the item's
    after-sales window closed (``kind=after_window``: goodwill or a chargeback; no after-sale,
    a mandatory reason, and ``requested_by`` the staff member) — the row is then its own
    audit record: who, when, why, which item, how many units, how much.

    ``refund_no`` is our idempotency key at the gateway (out_refund_no); the gateway's
    own ``(provider, provider_refund_id)`` is unique too. An after-sale has at most one
    live (pending, succeeded or anomalous) refund; a failed one may be retried. An item has
    at most one refund in flight (pending or anomalous) at a time.
    """

    State = RefundState
    Kind = RefundKind

    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("order")
    )
    order_item = models.ForeignKey(
        OrderItem, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("order item")
    )
    kind = models.CharField(
        _("type"), max_length=12, choices=RefundKind.choices, default=RefundKind.AFTERSALE
    )
    aftersale = models.ForeignKey(
        AfterSale,
        on_delete=models.PROTECT,
        related_name="refunds",
        verbose_name=_("after-sales request"),
        null=True,
        blank=True,
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    refund_no = models.CharField(_("refund number"), max_length=32, unique=True)
    provider = models.CharField(_("provider"), max_length=20)
    provider_refund_id = models.CharField(_("provider refund id"), max_length=64, null=True, blank=True)
    amount = MoneyField(_("amount"))
    state = models.CharField(
        _("state"), max_length=12, choices=RefundState.choices, default=RefundState.PENDING
    )
    failure_reason = models.CharField(_("failure reason"), max_length=200, blank=True)
    apply_error = models.TextField(
        _("error when applying"),
        blank=True,
        help_text=_("Why the refund the gateway confirmed could not be recorded (refund anomaly)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    succeeded_at = models.DateTimeField(_("succeeded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("refund_after_window", _("Can refund after the after-sales window")),
            ("retry_refund", _("Can retry a refund anomaly")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_refund_id"], name="refund_unique_provider_id"
            ),
            models.UniqueConstraint(
                fields=["aftersale"],
                condition=Q(state__in=REFUND_LIVE_STATES),
                name="refund_one_live_per_aftersale",
            ),
            models.UniqueConstraint(
                fields=["order_item"],
                condition=Q(state__in=REFUND_IN_FLIGHT_STATES),
                name="refund_one_in_flight_per_item",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="refund_quantity_positive"),
            models.CheckConstraint(
                condition=Q(kind=RefundKind.AFTERSALE, aftersale__isnull=False)
                | (Q(kind=RefundKind.AFTER_WINDOW, aftersale__isnull=True) & ~Q(reason="")),
                name="refund_kind_matches_source",
            ),
        ]

    def __str__(self) -> str:
        return self.refund_no
