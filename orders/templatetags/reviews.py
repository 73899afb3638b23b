"""口碑 on other apps' pages: ``{% product_reviews product %}`` on mall's product page shows
the average rating, the count and the latest reviews. ``mall`` never imports ``orders``: the
product template loads this library by name (as "我的" loads ``orders_extras``)."""

from django import template
from django.utils.translation import gettext as _

from orders import selectors
from orders.models import Review

register = template.Library()
RECENT = 3


@register.inclusion_tag("orders/includes/product_reviews_block.html")
def product_reviews(product: object) -> dict[str, object]:
    """Summary and the latest visible reviews: 3 queries (summary, reviews, their photos)."""
    product_id = getattr(product, "pk", None)
    summary = selectors.product_review_summary(product_id=product_id)
    recent = list(selectors.product_reviews(product_id=product_id)[:RECENT]) if summary.count else []
    return {"product": product, "summary": summary, "recent": recent}


@register.filter
def stars(rating: int) -> str:
    """``4`` → ``★★★★☆``."""
    rating = max(0, min(5, int(rating or 0)))
    return "★" * rating + "☆" * (5 - rating)


@register.filter
def reviewer_name(review: Review) -> str:
    """Reviews are public: the first character of the nickname only (小**), never the phone."""
    nickname = (review.user.nickname or "").strip()
    return f"{nickname[0]}**" if nickname else _("Anonymous buyer")
