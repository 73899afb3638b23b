"""Product reviews (口碑): a buyer rates one order item 1–5 after receipt, with text and up to
3 photos. The review belongs to the order item (once per item), so ``orders`` owns it; the
product page in ``mall`` shows it through this app's template tag (``templatetags/reviews.py``).

Staff hide a review with a reason; every hide and unhide is a ``ReviewModeration`` row
(who, when, why), and the review keeps the latest one on itself for the lists.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mall.models import Product
from orders.models.order import OrderItem

MAX_REVIEW_PHOTOS = 3
MAX_REVIEW_TEXT = 500


class Review(models.Model):
    order_item = models.OneToOneField(
        OrderItem, on_delete=models.PROTECT, related_name="review", verbose_name=_("order item")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("member")
    )
    # The item's product, copied so the product page reads its reviews with one index.
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    rating = models.PositiveSmallIntegerField(_("rating"))
    text = models.TextField(_("review"), max_length=MAX_REVIEW_TEXT, blank=True)
    is_hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=200, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("hidden by"),
    )
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("product review")
        verbose_name_plural = _("product reviews")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["product", "is_hidden", "-created_at"], name="review_product_visible"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"),
            # Hidden only with a reason and a staff member: the audit cannot be skipped.
            models.CheckConstraint(
                condition=Q(is_hidden=False) | (~Q(hidden_reason="") & Q(hidden_by__isnull=False)),
                name="review_hidden_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} ★{self.rating} #{self.pk}"


def review_photo_path(instance: "ReviewPhoto", filename: str) -> str:
    """A random name: a photo's URL cannot be guessed from another's."""
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"reviews/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class ReviewPhoto(models.Model):
    """A buyer's photo, re-encoded without metadata (``services/photos.py``). Served through
    a view that refuses the photos of a hidden review (to all but its author and staff)."""

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="photos", verbose_name=_("review")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    image = models.ImageField(_("photo"), upload_to=review_photo_path, max_length=200)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    size = models.PositiveIntegerField(_("size (bytes)"))

    class Meta:
        verbose_name = _("review photo")
        verbose_name_plural = _("review photos")
        ordering = ["review_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["review", "position"], name="review_photo_position_once"),
            models.CheckConstraint(
                condition=Q(position__gte=1, position__lte=MAX_REVIEW_PHOTOS),
                name="review_photo_at_most_three",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.review_id}-{self.position}"


class ReviewModeration(models.Model):
    """One staff decision on a review (hide or show again): append-only."""

    class Action(models.TextChoices):
        HIDE = "hide", _("hidden")
        UNHIDE = "unhide", _("shown again")

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="moderations", verbose_name=_("review")
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    reason = models.CharField(_("reason"), max_length=200)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("staff member")
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("review moderation")
        verbose_name_plural = _("review moderations")
        ordering = ["review_id", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} #{self.review_id}"
