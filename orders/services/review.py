"""Product reviews (口碑): a buyer rates an order item once, after receipt; staff hide one
with a reason (and may show it again), each decision kept as a ``ReviewModeration`` row.

Everything is checked (the state, the rating, the text, every photo) before anything is
written: a refused review leaves no row and no file.
"""

from collections.abc import Sequence
from typing import IO

from django.db import IntegrityError, transaction
from django.utils import timezone

from mall.models import User
from orders.errors import (
    OrderItemNotFound,
    ReviewExists,
    ReviewNotAllowed,
    ReviewNotFound,
    ReviewRatingInvalid,
    ReviewReasonRequired,
    ReviewStateChanged,
    ReviewTextTooLong,
)
from orders.models import (
    MAX_REVIEW_PHOTOS,
    MAX_REVIEW_TEXT,
    OrderItem,
    OrderState,
    Review,
    ReviewModeration,
    ReviewPhoto,
)
from orders.services.photos import photo_files_delete, photo_rows_write, photos_clean

REVIEWABLE_STATES = (OrderState.RECEIVED, OrderState.COMPLETED)


def _rating(value: object) -> int:
    try:
        rating = int(str(value))
    except (TypeError, ValueError):
        raise ReviewRatingInvalid() from None
    if not 1 <= rating <= 5:
        raise ReviewRatingInvalid()
    return rating


def _reviewable_item(user: User, order_item_id: int) -> OrderItem:
    item = OrderItem.objects.select_related("order").filter(pk=order_item_id, order__user=user).first()
    if item is None:
        raise OrderItemNotFound()  # someone else's item is simply not found (I7)
    if item.order.state not in REVIEWABLE_STATES:
        raise ReviewNotAllowed()
    if Review.objects.filter(order_item=item).exists():
        raise ReviewExists()
    return item


def review_create(
    *, user: User, order_item_id: int, rating: object, text: str = "", photos: Sequence[IO[bytes]] = ()
) -> Review:
    """Rate one of the buyer's own received items 1–5, with text and up to 3 photos, once."""
    rating_value = _rating(rating)
    text = (text or "").strip()
    if len(text) > MAX_REVIEW_TEXT:
        raise ReviewTextTooLong()
    item = _reviewable_item(user, order_item_id)
    cleaned = photos_clean(files=photos, max_count=MAX_REVIEW_PHOTOS)
    written: list[str] = []
    try:
        with transaction.atomic():
            review = Review.objects.create(
                order_item=item, user=user, product_id=item.product_id, rating=rating_value, text=text
            )

            def make_row(**fields: int) -> ReviewPhoto:
                return ReviewPhoto(review=review, **fields)

            rows = photo_rows_write(photos=cleaned, make_row=make_row, written=written)
            ReviewPhoto.objects.bulk_create(rows)
    except IntegrityError:
        # A second tab or a double tap won the race for this item (the one-to-one key).
        photo_files_delete(written, storage=ReviewPhoto._meta.get_field("image").storage)
        raise ReviewExists() from None
    except BaseException:
        photo_files_delete(written, storage=ReviewPhoto._meta.get_field("image").storage)
        raise
    return review


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ReviewReasonRequired()
    return reason[:200]


@transaction.atomic
def review_hide(*, review_id: int, actor: User, reason: str) -> Review:
    """Hide a review from the product page; who, when and why are kept (guarded: a review
    already hidden is refused, nothing changes)."""
    reason = _reason(reason)
    now = timezone.now()
    changed = Review.objects.filter(pk=review_id, is_hidden=False).update(
        is_hidden=True, hidden_reason=reason, hidden_by=actor, hidden_at=now
    )
    if not changed:
        if not Review.objects.filter(pk=review_id).exists():
            raise ReviewNotFound()
        raise ReviewStateChanged()
    ReviewModeration.objects.create(review_id=review_id, action=ReviewModeration.Action.HIDE, reason=reason,
                                    actor=actor)
    return Review.objects.get(pk=review_id)


@transaction.atomic
def review_unhide(*, review_id: int, actor: User, reason: str) -> Review:
    """Show a hidden review again; the earlier hide stays in the moderation history."""
    reason = _reason(reason)
    changed = Review.objects.filter(pk=review_id, is_hidden=True).update(
        is_hidden=False, hidden_reason="", hidden_by=None, hidden_at=None
    )
    if not changed:
        if not Review.objects.filter(pk=review_id).exists():
            raise ReviewNotFound()
        raise ReviewStateChanged()
    ReviewModeration.objects.create(review_id=review_id, action=ReviewModeration.Action.UNHIDE, reason=reason,
                                    actor=actor)
    return Review.objects.get(pk=review_id)
