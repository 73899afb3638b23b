"""Demo 口碑: the buyers of the demo history review what they received, so a newcomer sees
ratings and reviews (one with a photo, one hidden by staff with a reason) on product pages.

Runs through the real services (``review_create``, ``review_hide``) after the history
(``seed_distribution_demo`` calls it); it looks before it acts, so a second run adds nothing.
Only the reviews' dates are then moved to the day after each order's receipt.
"""

from collections.abc import Callable
from datetime import timedelta
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from mall.models import User
from orders.models import OrderItem, Review
from orders.services.review import REVIEWABLE_STATES, review_create, review_hide

# rating, text; the first gets a photo, the advert (1 star) is hidden by staff.
ADVERT = "加微信领红包，低价代购各种大牌 VX: demo123"
REVIEWS = (
    (5, "包装很用心，味道和描述一致，已经回购第二次了。"),
    (4, "物流很快，隔天就到了。质量不错，就是价格稍微贵一点。"),
    (1, ADVERT),
    (5, "朋友推荐来买的，确实好用，推荐！"),
    (3, "东西还行，包装有点压坏了，客服处理得挺及时。"),
    (5, "性价比高，家里人都说好。"),
)
HISTORY_MARK = "demo-history-"  # the history's orders (distribution/demo/history.py)
HIDE_REASON = "广告引流内容（演示）"


def _photo() -> SimpleUploadedFile:
    image = Image.new("RGB", (640, 640), (246, 231, 214))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((120, 150, 520, 530), radius=40, fill=(228, 57, 60))
    draw.ellipse((230, 250, 410, 430), fill=(255, 214, 102))
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return SimpleUploadedFile("review.jpg", buffer.getvalue(), content_type="image/jpeg")


def demo_reviews_seed(*, staff: User, progress: Callable[[str], None] = lambda _m: None) -> int:
    """Review the first received items of the demo history (one per order); returns how many
    reviews were added (0 on a second run)."""
    if Review.objects.exists():
        progress("演示评价: 已存在，跳过")
        return 0
    items = list(
        OrderItem.objects.filter(order__state__in=REVIEWABLE_STATES)
        .filter(order__client_token__startswith=HISTORY_MARK)
        .select_related("order", "order__user")
        .order_by("order__received_at", "pk")
    )
    seen_orders: set[int] = set()
    added = []
    for item in items:
        if item.order_id in seen_orders or len(added) == len(REVIEWS):
            continue
        seen_orders.add(item.order_id)
        rating, text = REVIEWS[len(added)]
        photos = [_photo()] if not added else []
        review = review_create(
            user=item.order.user, order_item_id=item.pk, rating=rating, text=text, photos=photos
        )
        received = item.order.received_at
        if received is not None:
            Review.objects.filter(pk=review.pk).update(created_at=received + timedelta(days=1))
        added.append(review)
    hidden = [r for r in added if r.text == ADVERT]
    for review in hidden:
        review_hide(review_id=review.pk, actor=staff, reason=HIDE_REASON)
    progress(f"演示评价: {len(added)} 条（{len(hidden)} 条已被运营隐藏）")
    return len(added)
